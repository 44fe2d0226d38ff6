import { rateLimitInfo } from "./stream-json-event.js";
import type { RateLimitNotice } from "./transcript-summary.js";

/** Reads a `rate_limit_event` (fields under `rate_limit_info`, or at the top level in older CLIs). */
export function rateLimitNotice(event: Readonly<Record<string, unknown>>): RateLimitNotice {
  const info = rateLimitInfo(event);
  return {
    status: stringOrNull(info["status"]),
    rateLimitType: stringOrNull(info["rateLimitType"]),
    resetsAt: isoTime(info["resetsAt"]),
  };
}

/** Epoch seconds (what the CLI writes), epoch milliseconds, or a date string → ISO; null when unusable. */
export function isoTime(value: unknown): string | null {
  let ms: number;
  if (typeof value === "number" && Number.isFinite(value) && value > 0) {
    // 10¹² ms is 2001; 10¹² s is far past any real reset time, so the magnitude tells the unit.
    ms = value < 1e12 ? value * 1000 : value;
  } else if (typeof value === "string" && value.trim() !== "") {
    ms = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) * (Number(value) < 1e12 ? 1000 : 1) : Date.parse(value);
  } else {
    return null;
  }
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
