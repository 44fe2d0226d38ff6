// When a provider limit says when it lifts, the host can hold retries until then instead of burning runs.
// The CLI and the API word this several ways; each form below was seen in real limit messages.

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

/** The ISO time a limit message says it lifts, or null when it does not say (or says it unparseably). */
export function parseRetryNotBefore(text: string, nowMs: number): string | null {
  return iso(epochAfterPipe(text) ?? isoInText(text) ?? relativeDelay(text, nowMs) ?? clockTime(text, nowMs));
}

/** "Claude AI usage limit reached|1767225600" (epoch seconds, or ms). */
function epochAfterPipe(text: string): number | null {
  const m = /limit reached\s*\|\s*(\d{9,13})\b/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return n < 1e12 ? n * 1000 : n;
}

function isoInText(text: string): number | null {
  const m = /\b(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))/i.exec(text);
  if (!m) return null;
  const ms = Date.parse(m[1]!.replace(" ", "T"));
  return Number.isNaN(ms) ? null : ms;
}

/** "try again in 5 minutes", "retry after 30s", "Retry-After: 120". */
function relativeDelay(text: string, nowMs: number): number | null {
  const m =
    /\b(?:try again|retry|resets?|available again)\s+(?:in|after)\s+(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b/i.exec(
      text,
    );
  if (m) return nowMs + Number(m[1]) * UNIT_MS[m[2]!.charAt(0).toLowerCase()]!;
  const header = /\bretry-after:?\s*(\d+)\b/i.exec(text);
  return header ? nowMs + Number(header[1]) * 1000 : null;
}

/**
 * "resets at 3pm", "resets 3:30 PM (Europe/Berlin)", "resets at 15:00": the next such wall-clock time after
 * now, in the named zone (UTC when none is named or the zone is unknown). A bare hour without am/pm or
 * minutes is too ambiguous to trust.
 */
function clockTime(text: string, nowMs: number): number | null {
  const m = /\bresets?\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?:\s*\(([^)]+)\))?/i.exec(text);
  if (!m || (m[2] === undefined && m[3] === undefined)) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? "0");
  const meridiem = m[3]?.toLowerCase();
  if (meridiem && (hour < 1 || hour > 12)) return null;
  if (meridiem === "pm" && hour !== 12) hour += 12;
  if (meridiem === "am" && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return null;
  const offset = zoneOffsetMs(m[4]?.trim() ?? "UTC", nowMs);
  const local = new Date(nowMs + offset);
  let candidate = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour, minute) - offset;
  if (candidate <= nowMs) candidate += 86_400_000;
  return candidate;
}

/** The zone's offset from UTC at `atMs`, through Intl (no tz database of our own); 0 for unknown zones. */
function zoneOffsetMs(zone: string, atMs: number): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    }).formatToParts(new Date(atMs));
  } catch {
    return 0;
  }
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? "0");
  const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return wall - Math.floor(atMs / 1000) * 1000;
}

function iso(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
