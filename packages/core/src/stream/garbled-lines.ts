// Detects transcript lines garbled by the kubelet's log reader. Facts (kubelet v1.36, k8s.io/cri-client
// logs.ReadLogs; containerd 1.6): a line longer than 16 KiB is stored as `P` (partial) records, and the
// reader keeps one "the previous record ended a line" flag for stdout and stderr together. So a stderr
// record stored while a long stdout line is open is served inside that line: the body holds the stdout
// line's first records, then the stderr record's content and its newline, then the stdout line's rest as a
// line of its own. PodLogOptions `stream` (one stream per request) is alpha and off in v1.36, so the garble
// cannot be avoided; it is detected and reported instead.
import type { LineKind } from "./transcript-reducer.js";

/** Why a line counts as garbled; see GarbledLine in the outcome. */
export type GarbledReason = "broken_event" | "event_tail";

/** What Claude Code writes first on every stream-json line (compact JSON, `type` first). */
const EVENT_START = '{"type":';

export interface GarbledLineDetector {
  /**
   * Judges one line after the reducer classified it (`kind`): a `text` line that starts like an event is
   * `broken_event`; after one, the next `text` line that ends like an event (`}`) and does not start like
   * one is its `event_tail`. Null for every other line. O(1) per line.
   */
  see(line: string, kind: LineKind): GarbledReason | null;
}

export function createGarbledLineDetector(): GarbledLineDetector {
  // A broken event was seen and its rest (served as its own line) has not been yet.
  let tailOpen = false;
  return {
    see(line, kind) {
      if (kind !== "text") return null;
      const trimmed = line.trim();
      if (trimmed.startsWith(EVENT_START)) {
        tailOpen = true;
        return "broken_event";
      }
      if (tailOpen && trimmed.charCodeAt(trimmed.length - 1) === 0x7d) {
        tailOpen = false;
        return "event_tail";
      }
      return null;
    },
  };
}
