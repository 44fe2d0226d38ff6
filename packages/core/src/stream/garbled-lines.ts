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

/** A garbled line: why, its 1-based number among the lines read and its UTF-8 byte offset (see GarbledLine in the outcome). */
export interface GarbledFinding {
  readonly reason: GarbledReason;
  readonly line: number;
  readonly offset: number;
}

/** Where a line is in the transcript as read: its 1-based number and the UTF-8 byte offset of its start. */
export interface LinePosition {
  readonly line: number;
  readonly offset: number;
}

export interface GarbledLineDetector {
  /**
   * Judges one non-blank line after the reducer classified it (`kind`); `bytes` is its UTF-8 length. Returns
   * the garbled lines this line reveals, usually none:
   * - a `text` line that starts like an event is `broken_event`; after one, the next `text` line that ends like
   *   an event (`}`) and does not start like one is its `event_tail`;
   * - a `user`, `stream_event` or `system/init` line of more than 16 KiB is counted as an event unparsed (the
   *   reducer's shortcut; tool results can be megabytes), so a stderr record ending in `}` joined into it goes unseen
   *   until its tail arrives: when a `text` line ending in `}` follows such a line, that line is parsed once,
   *   and if it is not JSON both are reported (`broken_event` for it, `event_tail` for this one);
   * - a `text` line of more than 16 KiB that ends in `}` and has an event's start after its beginning is
   *   `buried_event` (an event record served inside the other stream's long line).
   * O(1) per line but for the search in long text lines and the one parse of a suspected broken event.
   */
  see(line: string, kind: LineKind, bytes: number, at: LinePosition): readonly GarbledFinding[];
}

const NONE: readonly GarbledFinding[] = Object.freeze([]);

export function createGarbledLineDetector(): GarbledLineDetector {
  // A broken event was seen and its rest (served as its own line) has not been yet.
  let tailOpen = false;
  // The last long event line the reducer counted without parsing it, until the next line that settles it.
  let unparsed: { readonly text: string; readonly at: LinePosition } | null = null;
  return {
    see(line, kind, bytes, at) {
      if (kind !== "text") {
        unparsed = kind === "event" && bytes > PARTIAL_RECORD_BYTES && isUnparsedEvent(line) ? { text: line, at } : null;
        return NONE;
      }
      const trimmed = line.trim();
      if (trimmed.startsWith(EVENT_START)) {
        tailOpen = true;
        unparsed = null;
        return [{ reason: "broken_event", ...at }];
      }
      const endsLikeEvent = trimmed.charCodeAt(trimmed.length - 1) === 0x7d;
      if (tailOpen && endsLikeEvent) {
        tailOpen = false;
        return [{ reason: "event_tail", ...at }];
      }
      if (unparsed !== null && endsLikeEvent) {
        const suspect = unparsed;
        unparsed = null;
        if (!parses(suspect.text)) return [{ reason: "broken_event", ...suspect.at }, { reason: "event_tail", ...at }];
      }
      if (endsLikeEvent && bytes > PARTIAL_RECORD_BYTES && trimmed.indexOf(EVENT_START, 1) !== -1) return [{ reason: "buried_event", ...at }];
      return NONE;
    },
  };
}

/**
 * The lines the reducer counts as events without JSON.parse (see transcript-reducer.ts): `user` and
 * `stream_event` by their prefix, `system/init` by a walk of its members that does not validate what it skips.
 */
function isUnparsedEvent(line: string): boolean {
  return line.startsWith('{"type":"user"') || line.startsWith('{"type":"stream_event"') || line.startsWith('{"type":"system","subtype":"init",');
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
