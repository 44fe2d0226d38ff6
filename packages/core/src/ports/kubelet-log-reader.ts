// What a `GET pods/log?follow&timestamps` response means, line by line, for a follower resuming from a
// cursor. Facts of the kubelet (v1.36, k8s.io/cri-client logs.ReadLogs) this relies on:
// - the container runtime stores a line longer than 16 KiB as several CRI records (`P`… then `F`); the
//   kubelet writes the timestamp prefix only when the previous record ended a line, so a line comes back
//   whole with the timestamp of its first record;
// - `sinceTime` reaches the kubelet at whole seconds and is applied per record, inclusively: a resume whose
//   second falls inside a long line starts with that line's remaining records, without a prefix;
// - a read opened after the kubelet rotated the log file serves only the current file.
import { advanceCursor, compareLogTimestamps, type LogCursor, type LogGap, type LogLine } from "./log-port.js";

// With timestamps=true the kubelet prefixes a line with its RFC 3339 nanosecond timestamp and a space.
const PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) /;

export interface KubeletLine {
  readonly timestamp: string;
  readonly text: string;
}

/** Splits the kubelet's timestamp prefix off one response line; undefined when the line has none. */
export function parseKubeletLine(raw: string): KubeletLine | undefined {
  const m = PREFIX.exec(raw);
  return m ? { timestamp: m[1]!, text: raw.slice(m[0].length) } : undefined;
}

/**
 * The sinceTime to request when resuming from a cursor: the whole second the cursor falls in (the API
 * server passes sinceTime on to the kubelet formatted RFC 3339, without a fraction). Lines before the
 * cursor are dropped by the reader.
 */
export function sinceTimeFor(cursor: LogCursor): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(cursor.timestamp);
  if (!m) return cursor.timestamp;
  if (m[2] === "Z") return `${m[1]}Z`;
  return new Date(`${m[1]}${m[2]}`).toISOString().replace(/\.000Z$/, "Z");
}

/** Reads one follow response: `accept` each line of its body, in order, without the newline. */
export interface KubeletLogReader {
  /**
   * The line to deliver, or null for one to drop (already delivered, or a continuation fragment).
   * `rawBytes`: `raw`'s UTF-8 length when the caller's decoder counted it; the line then carries its text's.
   */
  accept(raw: string, rawBytes?: number): LogLine | null;
  /** `accept` for a line already split: its prefix timestamp (null when it had none), its text, and the text's UTF-8 length if known. */
  acceptParts(timestamp: string | null, text: string, textBytes?: number): LogLine | null;
  /**
   * The response ended. A gap when it was a resume that served neither the cursor's own line(s) nor any
   * later line: the log no longer holds the cursor's place (rotated while no follow was open), so lines
   * written after it may be missing and no later line will carry the gap. Null otherwise (also when the
   * response delivered a line: that line carried any gap).
   */
  end(): LogGap | null;
}

/**
 * A reader for one response, resuming after `from` (null: from the start of what the kubelet serves).
 *
 * - A line without a timestamp prefix is never a line of its own. Before the first prefixed line of a
 *   resumed response it is the rest of a long line that began before sinceTime, so before the cursor:
 *   already delivered, dropped. Anywhere else (the file starts inside a line, or a record arrived while the
 *   kubelet believed a line was open) its beginning is not served: dropped, and the next line carries a gap.
 * - Of the prefixed lines, those stamped before the cursor and the first `seenAtTimestamp` stamped at it
 *   are dropped; the rest are delivered with the cursor after them.
 * - When the response reaches a line stamped after the cursor before it has served the lines the cursor
 *   counts at its own timestamp, the log no longer holds the cursor's line (the kubelet rotated the file
 *   between two follows and serves only the current one): lines after the cursor may be lost, and the next
 *   delivered line carries a `gap` saying so. Rotation can make this fire when nothing was lost; it never
 *   stays silent when something was.
 * - When the response ends without having served the cursor's lines or anything after them, `end()` says
 *   the same of the log's end (everything after the cursor may have been rotated away).
 */
export function createKubeletLogReader(from: LogCursor | null): KubeletLogReader {
  let cursor = from;
  let skippedAtFrom = 0;
  let sawPrefixed = false;
  let gap: LogGap | null = null;
  let delivered = false;
  const noteGap = (reason: LogGap["reason"]): void => {
    if (gap === null) gap = { reason, after: cursor?.timestamp ?? null };
  };
  const acceptParts = (timestamp: string | null, text: string, textBytes?: number): LogLine | null => {
    if (timestamp === null) {
      if (sawPrefixed || from === null) noteGap("partial_line");
      return null;
    }
    sawPrefixed = true;
    if (from !== null) {
      const order = compareLogTimestamps(timestamp, from.timestamp);
      if (order < 0) return null;
      if (order === 0 && skippedAtFrom < from.seenAtTimestamp) {
        skippedAtFrom++;
        return null;
      }
      if (order > 0 && skippedAtFrom < from.seenAtTimestamp) noteGap("rotated");
      skippedAtFrom = from.seenAtTimestamp;
    }
    cursor = advanceCursor(cursor, timestamp);
    delivered = true;
    if (gap === null) return textBytes === undefined ? { text, timestamp, cursor } : { text, bytes: textBytes, timestamp, cursor };
    const line: LogLine = textBytes === undefined ? { text, timestamp, cursor, gap } : { text, bytes: textBytes, timestamp, cursor, gap };
    gap = null;
    return line;
  };
  return {
    acceptParts,
    end() {
      if (from === null || delivered || skippedAtFrom >= from.seenAtTimestamp) return null;
      return { reason: "rotated", after: from.timestamp };
    },
    accept(raw, rawBytes) {
      const parsed = parseKubeletLine(raw);
      if (parsed === undefined) return acceptParts(null, raw);
      // The prefix (timestamp and space) is ASCII: one byte per character.
      return acceptParts(parsed.timestamp, parsed.text, rawBytes === undefined ? undefined : rawBytes - (raw.length - parsed.text.length));
    },
  };
}
