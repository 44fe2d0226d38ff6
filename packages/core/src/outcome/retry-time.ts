// When a provider limit says when it lifts, the host can hold retries until then instead of burning runs.
// The CLI and the API word this several ways; each form below was seen in real limit messages.

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

/**
 * How far after now a reset time may lie, in ms (366 days). The longest limit window is a yearly date
 * ("resets Jan 3", the next Jan 3), so anything later is a misread number, and holding retries until the
 * year 2286 because of one would stall an agent for good.
 */
export const RESET_HORIZON_MS = 366 * 24 * 3_600_000;

/**
 * The ISO time a limit message says it lifts, or null when it does not say, says it unparseably (an
 * impossible date such as Feb 30, a time zone Intl does not know) or names a time more than
 * {@link RESET_HORIZON_MS} after `nowMs` (epoch ms). Each form that fails this way gives way to the next.
 */
export function parseRetryNotBefore(text: string, nowMs: number): string | null {
  const inRange = (ms: number | null): number | null => withinResetHorizon(ms, nowMs);
  return iso(inRange(epochAfterPipe(text)) ?? inRange(isoInText(text)) ?? inRange(relativeDelay(text, nowMs)) ?? inRange(clockTime(text, nowMs)));
}

/** `ms` (epoch ms) when it is a finite time at most {@link RESET_HORIZON_MS} after `nowMs`, else null. */
export function withinResetHorizon(ms: number | null, nowMs: number): number | null {
  return ms !== null && Number.isFinite(ms) && ms <= nowMs + RESET_HORIZON_MS ? ms : null;
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

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * "resets at 3pm", "resets 3:30 PM (Europe/Berlin)", "resets at 15:00", "resets Dec 2, 11:42pm (UTC)",
 * "resets Jan 3 at 4:30am (Asia/Calcutta)": the next such wall-clock time after now, in the named zone
 * (UTC when none is named). With a date and no year, the next occurrence of that date. Null when the text
 * cannot be trusted: a bare hour without am/pm or minutes, a day the month does not have ("Feb 30" would
 * otherwise roll over into March) and a zone Intl does not know (guessing UTC could be hours off).
 */
function clockTime(text: string, nowMs: number): number | null {
  const m =
    /\bresets?\s+(?:on\s+)?(?:at\s+)?(?:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?,?\s+(?:at\s+)?)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?:\s*\(([^)]+)\))?/i.exec(
      text,
    );
  if (!m || (m[5] === undefined && m[6] === undefined)) return null;
  let hour = Number(m[4]);
  const minute = Number(m[5] ?? "0");
  const meridiem = m[6]?.toLowerCase();
  if (meridiem && (hour < 1 || hour > 12)) return null;
  if (meridiem === "pm" && hour !== 12) hour += 12;
  if (meridiem === "am" && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return null;
  const zone = m[7]?.trim() ?? "UTC";
  const nowOffset = zoneOffsetMs(zone, nowMs);
  if (nowOffset === null) return null;
  const local = new Date(nowMs + nowOffset);
  if (m[1] !== undefined) {
    const month = MONTHS.indexOf(m[1].toLowerCase());
    const day = Number(m[2]);
    const year = m[3] !== undefined ? Number(m[3]) : local.getUTCFullYear();
    const at = dayExists(year, month, day) ? wallClockToUtc(year, month, day, hour, minute, zone) : null;
    if (m[3] !== undefined || (at !== null && at > nowMs)) return at;
    // No year: the next occurrence, which for Feb 29 may be a later leap year than next year; beyond the
    // reset horizon either way, so the next year's date or nothing.
    return dayExists(year + 1, month, day) ? wallClockToUtc(year + 1, month, day, hour, minute, zone) : null;
  }
  const today = wallClockToUtc(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour, minute, zone);
  return today > nowMs ? today : wallClockToUtc(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1, hour, minute, zone);
}

/** Whether `day` (1-based) exists in `month` (0-based) of `year`: Date.UTC would roll Feb 30 into March. */
function dayExists(year: number, month: number, day: number): boolean {
  return day >= 1 && new Date(Date.UTC(year, month, day)).getUTCDate() === day;
}

/** The UTC instant of a wall-clock time in a zone already known to Intl; the offset is taken at that instant (DST-correct). */
function wallClockToUtc(year: number, month: number, day: number, hour: number, minute: number, zone: string): number {
  const wall = Date.UTC(year, month, day, hour, minute);
  const first = wall - (zoneOffsetMs(zone, wall) ?? 0);
  return wall - (zoneOffsetMs(zone, first) ?? 0);
}

/** The zone's offset from UTC at `atMs` in ms, through Intl (no tz database of our own); null for a zone Intl does not know. */
function zoneOffsetMs(zone: string, atMs: number): number | null {
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
    return null;
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
