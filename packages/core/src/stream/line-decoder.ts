// Bytes → complete lines. Splitting happens on raw bytes (0x0A never occurs inside a multi-byte UTF-8
// sequence), so a character split across chunks is decoded whole, and the result does not depend on how
// the transport chunked the stream. A partial line is kept as raw bytes and decoded once it is complete.
//
// The decoder also knows each line's length in bytes (it found the line's ends in the bytes), so it hands
// that length along with the line: readers never re-walk a decoded string to count its UTF-8 bytes.

import { utf8ByteLength } from "./utf8-byte-length.js";

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Receives one complete line (without its `\n` or `\r\n`) and its length in bytes as received: the UTF-8
 * length of `line` when the input was valid UTF-8 (an invalid byte decodes to U+FFFD but counts as received).
 */
export type LineSink = (line: string, bytes: number) => void;

export interface LineDecoder {
  /** Lines completed by this chunk, without their `\n` or `\r\n`. */
  push(chunk: Uint8Array | string): string[];
  /** Flushes the last line when the stream did not end with a newline. */
  end(): string[];
  /** As `push`, but each completed line goes to `onLine` with its byte length, in order (no array is built). */
  feed(chunk: Uint8Array | string, onLine: LineSink): void;
  /** As `end`, through `onLine`. */
  finish(onLine: LineSink): void;
  /**
   * Lines delivered cut to their first `maxLineBytes` bytes (on a character boundary; a trailing `\r`
   * counts towards the cap) so far. Compare it
   * before and after a push to know whether that push delivered a cut line.
   */
  readonly truncatedLines: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const encoder = new TextEncoder();
/** A partial-line buffer grown past this is dropped after its line, so one long line does not pin it. */
const KEEP_PENDING_CAPACITY = 64 * 1024;
/** Average line length (bytes) from which lines are decoded one call each rather than as one run. */
const PER_LINE_MIN_AVERAGE_BYTES = 512;

export function createLineDecoder(opts: { maxLineBytes?: number } = {}): LineDecoder {
  const maxLineBytes = Math.max(1, Math.floor(opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES));
  // ignoreBOM: a U+FEFF is kept wherever it appears, so decoding never depends on where a stream restarted.
  // Every line is decoded once, whole, never with `stream: true`: Node's TextDecoder leaves its native UTF-8
  // fast path for good after its first streaming call (on Node 20 a line then decodes ~4× slower). `ascii`
  // is that fast path (V8's decoder: fastest on ASCII, slower than ICU's on mostly non-ASCII text); `wide`
  // is put on the ICU path once, here (fastest on non-ASCII). A line goes to the one the previous line's
  // result recommends. Both decode UTF-8 as the Encoding standard says (an invalid or incomplete sequence
  // becomes U+FFFD), so which one decodes a line never changes the line.
  const ascii = new TextDecoder("utf-8", { ignoreBOM: true });
  const wide = new TextDecoder("utf-8", { ignoreBOM: true });
  wide.decode(new Uint8Array(0), { stream: true });
  wide.decode();
  // Whether the last text decoded had a non-ASCII byte (fewer UTF-16 units than bytes).
  let lastWide = false;
  /** Complete lines' bytes → their text, through the decoder the previous line recommends. */
  const decodeLine = (bytes: Uint8Array): string => {
    const text = (lastWide ? wide : ascii).decode(bytes);
    lastWide = text.length !== bytes.length;
    return text;
  };
  // The current partial line, as raw bytes copied from the chunks it arrived in (a character split across
  // chunks is whole once the line is), decoded in one call when the line is complete: one flat string.
  // At most maxLineBytes + 1 bytes are kept (the one extra lets a cut at the cap see whether it falls
  // inside a character); the rest of an over-long line is dropped, not buffered.
  let pending = new Uint8Array(0);
  let pendingBytes = 0;
  let overflowed = false;
  let truncatedLines = 0;

  const keep = (bytes: Uint8Array): void => {
    if (overflowed || bytes.length === 0) return;
    const room = maxLineBytes - pendingBytes;
    if (bytes.length > room) {
      overflowed = true;
      bytes = bytes.subarray(0, room + 1);
    }
    const needed = pendingBytes + bytes.length;
    if (needed > pending.length) {
      const grown = new Uint8Array(Math.max(needed, 2 * pending.length, 64));
      grown.set(pending.subarray(0, pendingBytes));
      pending = grown;
    }
    pending.set(bytes, pendingBytes);
    pendingBytes = needed;
  };

  /** Delivers the pending line, `tail` being the rest of it in the current chunk. */
  const finishLine = (tail: Uint8Array, onLine: LineSink): void => {
    let bytes: Uint8Array;
    if (pendingBytes === 0 && !overflowed && tail.length <= maxLineBytes) {
      bytes = tail;
    } else {
      keep(tail);
      bytes = pending.subarray(0, pendingBytes);
      if (overflowed) {
        truncatedLines++;
        bytes = bytes.subarray(0, characterBoundary(bytes, maxLineBytes));
      }
      pendingBytes = 0;
      overflowed = false;
    }
    let length = bytes.length;
    if (length > 0 && bytes[length - 1] === CARRIAGE_RETURN) length--;
    const line = decodeLine(bytes.subarray(0, length));
    if (pending.length > KEEP_PENDING_CAPACITY) pending = new Uint8Array(0);
    onLine(line, length);
  };

  // Lines in the middle of a chunk are decoded either one call per line, which gives flat strings that
  // JSON.parse and the reducer's line hash read fastest, or one call for the whole run split on "\n",
  // cheaper when lines are short (a call per line would cost more than the line). The mode follows the
  // average line length of the previous chunk; both give the same lines.
  let perLine = false;

  /** Lines `chunk[start, end)` where `end` is just past a newline and none of them can exceed the cap. */
  const decodeRun = (chunk: Uint8Array, start: number, end: number, onLine: LineSink): void => {
    let count = 0;
    if (perLine) {
      for (let from = start; from < end; count++) {
        const newline = chunk.indexOf(NEWLINE, from);
        let length = newline - from;
        if (length > 0 && chunk[newline - 1] === CARRIAGE_RETURN) length--;
        onLine(decodeLine(chunk.subarray(from, from + length)), length);
        from = newline + 1;
      }
    } else {
      const run = chunk.subarray(start, end - 1);
      const text = decodeLine(run);
      const lines = text.split("\n");
      count = lines.length;
      // Every byte became one UTF-16 unit only if every byte was ASCII (or a lone invalid byte → U+FFFD):
      // then each line's byte length is its string length. Otherwise the newlines in the bytes say it.
      const unitPerByte = text.length === run.length;
      let from = start;
      for (let i = 0; i < lines.length; i++) {
        let line = lines[i]!;
        let bytes: number;
        if (unitPerByte) {
          bytes = line.length;
        } else {
          const newline = i === lines.length - 1 ? end - 1 : chunk.indexOf(NEWLINE, from);
          bytes = newline - from;
          from = newline + 1;
        }
        if (line.charCodeAt(line.length - 1) === CARRIAGE_RETURN) {
          line = line.slice(0, -1);
          bytes--;
        }
        onLine(line, bytes);
      }
    }
    perLine = (end - start) / count >= PER_LINE_MIN_AVERAGE_BYTES;
  };

  const feedBytes = (chunk: Uint8Array, onLine: LineSink): void => {
    const firstNewline = chunk.indexOf(NEWLINE);
    if (firstNewline === -1) {
      keep(chunk);
      return;
    }
    finishLine(chunk.subarray(0, firstNewline), onLine);
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline > firstNewline) {
      if (lastNewline - firstNewline - 1 <= maxLineBytes) {
        // No line in here can exceed the cap: decode the whole run of lines in one call.
        decodeRun(chunk, firstNewline + 1, lastNewline + 1, onLine);
      } else {
        let start = firstNewline + 1;
        while (start <= lastNewline) {
          const newline = chunk.indexOf(NEWLINE, start);
          finishLine(chunk.subarray(start, newline), onLine);
          start = newline + 1;
        }
      }
    }
    keep(chunk.subarray(lastNewline + 1));
  };

  const feedString = (chunk: string, onLine: LineSink): void => {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf("\n", start);
      const piece = chunk.slice(start, newline === -1 ? chunk.length : newline);
      // A UTF-16 unit is at most 3 UTF-8 bytes: short pieces with nothing pending skip the byte round trip.
      if (newline !== -1 && pendingBytes === 0 && !overflowed && piece.length * 3 <= maxLineBytes) {
        const line = piece.charCodeAt(piece.length - 1) === CARRIAGE_RETURN ? piece.slice(0, -1) : piece;
        onLine(line, utf8ByteLength(line));
      } else if (newline !== -1) {
        finishLine(encoder.encode(piece), onLine);
      } else {
        keep(encoder.encode(piece));
      }
      if (newline === -1) return;
      start = newline + 1;
    }
  };

  const feed = (chunk: Uint8Array | string, onLine: LineSink): void => {
    if (typeof chunk === "string") feedString(chunk, onLine);
    else feedBytes(chunk, onLine);
  };
  const finish = (onLine: LineSink): void => {
    if (pendingBytes > 0 || overflowed) finishLine(new Uint8Array(0), onLine);
  };

  return {
    push(chunk) {
      const out: string[] = [];
      feed(chunk, (line) => void out.push(line));
      return out;
    },
    end() {
      const out: string[] = [];
      finish((line) => void out.push(line));
      return out;
    },
    feed,
    finish,
    get truncatedLines() {
      return truncatedLines;
    },
  };
}

/**
 * The largest cut ≤ `limit` that does not split a UTF-8 character (continuation bytes are 10xxxxxx; a
 * character has at most three of them, so malformed input never makes the cut walk further).
 */
function characterBoundary(bytes: Uint8Array, limit: number): number {
  let cut = Math.min(limit, bytes.length);
  const floor = Math.max(0, cut - 3);
  while (cut > floor && cut < bytes.length && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return cut;
}
