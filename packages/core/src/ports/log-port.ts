import type { ObjectRef } from "./cluster-objects.js";

/**
 * Position in a container log: the kubelet timestamp of the last line delivered and how many lines with
 * exactly that timestamp were delivered. Resuming from a cursor (sinceTime at or before the timestamp, then
 * dropping lines stamped earlier and the first `seenAtTimestamp` lines stamped with it) loses and duplicates
 * nothing, however often the stream drops.
 */
export interface LogCursor {
  readonly timestamp: string;
  readonly seenAtTimestamp: number;
}

export interface LogLine {
  /** The line without its trailing newline (and without the kubelet timestamp prefix). */
  readonly text: string;
  /**
   * `text`'s length in UTF-8 bytes when the adapter knows it (its line decoder counted them), so the run
   * need not walk the line again; absent otherwise.
   */
  readonly bytes?: number;
  /** RFC 3339 with nanoseconds, as the kubelet wrote it. */
  readonly timestamp: string;
  /** Cursor *after* this line: pass it to `follow` to resume right after it. */
  readonly cursor: LogCursor;
  /**
   * Set on the first line after a place where lines may be missing: the transcript is not exact there.
   * Absent on every line of a log delivered whole.
   */
  readonly gap?: LogGap;
}

/**
 * Why lines may be missing before a line. `rotated`: a resumed follow no longer found the cursor's line
 * (the kubelet rotated the log file between two follows and serves only the current file). `partial_line`:
 * the served log started inside a line whose beginning is not served (the file was rotated mid-line).
 */
export interface LogGap {
  readonly reason: "rotated" | "partial_line";
  /** Timestamp of the last line delivered before the gap (the resume cursor's), null when none was. */
  readonly after: string | null;
}

/**
 * Container logs. stdout and stderr arrive interleaved, as the Kubernetes log API gives them (a v1.36 API
 * server refuses the `stream` option unless the alpha gate PodLogsQuerySplitStreams is on, and even then the
 * kubelet's "previous record ended a line" flag stays shared by both streams).
 * Follow ends (the iterable completes) when the stream ends; EOF is not proof that the container finished —
 * the caller decides from the pod state whether to resume. Throws `ClusterError` when the stream cannot
 * be opened.
 */
export interface LogPort {
  follow(pod: ObjectRef, container: string, from: LogCursor | null, signal: AbortSignal): LogFollow;
}

/**
 * One follow's lines; once they have ended, `endGap` tells whether the response ended at a gap: a resume
 * that served neither the cursor's line nor anything after it, so the log no longer holds the cursor's
 * place and lines written after it may be missing (see KubeletLogReader.end). Absent or null otherwise.
 */
export interface LogFollow extends AsyncIterable<LogLine> {
  readonly endGap?: LogGap | null;
}

/** A LogFollow over `lines`, a generator that stores its response's end gap in the `end` it is given. */
export function logFollow(lines: (end: { gap: LogGap | null }) => AsyncIterable<LogLine>): LogFollow {
  const end: { gap: LogGap | null } = { gap: null };
  const iterable = lines(end);
  return {
    [Symbol.asyncIterator]: () => iterable[Symbol.asyncIterator](),
    get endGap() {
      return end.gap;
    },
  };
}

export function compareLogTimestamps(a: string, b: string): number {
  // RFC 3339 timestamps from one kubelet share a format except for trailing-zero trimming of fractions;
  // normalise the fraction to 9 digits before comparing.
  return normaliseTimestamp(a) < normaliseTimestamp(b) ? -1 : normaliseTimestamp(a) > normaliseTimestamp(b) ? 1 : 0;
}

export function normaliseTimestamp(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}${m[3]}`;
}

/** Advances a cursor past one more line stamped `timestamp`. */
export function advanceCursor(cursor: LogCursor | null, timestamp: string): LogCursor {
  if (cursor && normaliseTimestamp(cursor.timestamp) === normaliseTimestamp(timestamp)) {
    return { timestamp: cursor.timestamp, seenAtTimestamp: cursor.seenAtTimestamp + 1 };
  }
  return { timestamp, seenAtTimestamp: 1 };
}
