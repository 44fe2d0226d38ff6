// Detects transcript lines garbled by the kubelet's log reader. Facts (kubelet v1.36, k8s.io/cri-client
// logs.ReadLogs; containerd 1.6): a line longer than 16 KiB is stored as `P` (partial) records, and the
// reader keeps one "the previous record ended a line" flag for stdout and stderr together. So a stderr
// record stored while a long stdout line is open is served inside that line: the body holds the stdout
// line's first records, then the stderr record's content and its newline, then the stdout line's rest as a
// line of its own. PodLogOptions `stream` (one stream per request) is alpha and off in v1.36, so the garble
// cannot be avoided; it is detected and reported instead.
import type { LineKind } from "./transcript-reducer.js";

/** Why a line counts as garbled; see GarbledLine in the outcome. */
export type GarbledReason = "broken_event" | "event_tail" | "buried_event";

/** What Claude Code writes first on every stream-json line (compact JSON, `type` first). */
const EVENT_START = '{"type":';
/** containerd's record size: a line of the other stream held open before an event is at least this long. */
const PARTIAL_RECORD_BYTES = 16 * 1024;

export interface GarbledLineDetector {
  /**
   * Judges one line after the reducer classified it (`kind`): a `text` line that starts like an event is
   * `broken_event`; after one, the next `text` line that ends like an event (`}`) and does not start like
   * one is its `event_tail`; a `text` line of more than 16 KiB (`bytes`, UTF-8) that ends in `}` and has an
   * event's start after its beginning is `buried_event` (an event record served inside the other stream's
   * long line). Null for every other line. O(1) per line but for the search in long text lines.
   */
  see(line: string, kind: LineKind, bytes: number): GarbledReason | null;
}

export function createGarbledLineDetector(): GarbledLineDetector {
  // A broken event was seen and its rest (served as its own line) has not been yet.
  let tailOpen = false;
  return {
    see(line, kind, bytes) {
      if (kind !== "text") return null;
      const trimmed = line.trim();
      if (trimmed.startsWith(EVENT_START)) {
        tailOpen = true;
        return "broken_event";
      }
      const endsLikeEvent = trimmed.charCodeAt(trimmed.length - 1) === 0x7d;
      if (tailOpen && endsLikeEvent) {
        tailOpen = false;
        return "event_tail";
      }
      if (endsLikeEvent && bytes > PARTIAL_RECORD_BYTES && trimmed.indexOf(EVENT_START, 1) !== -1) return "buried_event";
      return null;
    },
  };
}
