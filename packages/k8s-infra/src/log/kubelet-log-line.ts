import { advanceCursor, compareLogTimestamps, type LogCursor } from "@clipjob/core";

// With timestamps=true the kubelet prefixes every line with its RFC 3339 nanosecond timestamp and a space.
const PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) /;

export interface KubeletLine {
  readonly timestamp: string;
  readonly text: string;
}

export function parseKubeletLine(raw: string): KubeletLine | undefined {
  const m = PREFIX.exec(raw);
  return m ? { timestamp: m[1]!, text: raw.slice(m[0].length) } : undefined;
}

/**
 * The sinceTime to request when resuming from a cursor. The API takes whole seconds, so ask for the
 * second the cursor falls in; the lines before the cursor are dropped on our side.
 */
export function sinceTimeFor(cursor: LogCursor): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(cursor.timestamp);
  if (!m) return cursor.timestamp;
  if (m[2] === "Z") return `${m[1]}Z`;
  return new Date(`${m[1]}${m[2]}`).toISOString().replace(/\.000Z$/, "Z");
}

/**
 * Decides, line by line, what a resumed follow delivers: nothing stamped before the cursor, and of the
 * lines stamped exactly at the cursor only those after the `seenAtTimestamp` already delivered. Returns
 * the cursor after each delivered line, or null for a line to drop.
 */
export function createResumeFilter(from: LogCursor | null): (timestamp: string) => LogCursor | null {
  let cursor = from;
  let skippedAtFrom = 0;
  return (timestamp) => {
    if (from !== null) {
      const order = compareLogTimestamps(timestamp, from.timestamp);
      if (order < 0) return null;
      if (order === 0 && skippedAtFrom < from.seenAtTimestamp) {
        skippedAtFrom++;
        return null;
      }
    }
    cursor = advanceCursor(cursor, timestamp);
    return cursor;
  };
}
