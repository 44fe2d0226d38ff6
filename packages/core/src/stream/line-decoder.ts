// Bytes → complete lines. Splitting happens on raw bytes (0x0A never occurs inside a multi-byte UTF-8
// sequence), so a character split across chunks is decoded whole, and the result does not depend on how
// the transport chunked the stream. A partial line is decoded as it arrives and joined once it is complete.
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
/** Bytes before the cap that are buffered raw rather than decoded (a UTF-8 character has at most 4). */
const CAP_MARGIN = 4;

export function createLineDecoder(opts: { maxLineBytes?: number } = {}): LineDecoder {
  return new ChunkLineDecoder(Math.max(1, Math.floor(opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)));
}

// A class, not closures: its methods are the same functions for every decoder, so the code the JIT made for
// them outlives any one decoder (closures made per decoder start cold again in each new one, e.g. each run).
class ChunkLineDecoder implements LineDecoder {
  // ignoreBOM: a U+FEFF is kept wherever it appears, so decoding never depends on where a stream restarted.
  // Nothing is decoded with `stream: true`: Node's TextDecoder leaves its native UTF-8 fast path for good
  // after its first streaming call (on Node 20 a line then decodes ~4× slower). `ascii` is that fast path
  // (V8's decoder: fastest on ASCII, slower than ICU's on mostly non-ASCII text); `wide` is put on the ICU
  // path once, in the constructor (fastest on non-ASCII). Each piece of text goes to the one the previous
  // piece's result recommends. Both decode UTF-8 as the Encoding standard says (an invalid or incomplete
  // sequence becomes U+FFFD), so which one decodes a piece never changes the text.
  private readonly ascii = new TextDecoder("utf-8", { ignoreBOM: true });
  private readonly wide = new TextDecoder("utf-8", { ignoreBOM: true });
  // Whether the last text decoded had a non-ASCII byte (fewer UTF-16 units than bytes).
  private lastWide = false;
  // The current partial line. Its bytes are decoded as they arrive, each piece cut where the decoder is at
  // rest (before an unfinished character, which is held back raw), into `parts`, while the line stays
  // clear of the cap; within CAP_MARGIN bytes of it they stay raw in `pending`, so a cut at the cap can
  // still back off to a character boundary over raw bytes (it looks at most 3 bytes back). Pieces of at
  // most a chunk stay ordinary heap strings however long the line (one string of megabytes is slower to
  // decode into and to collect).
  private parts: string[] = [];
  private decodedBytes = 0;
  private pending = new Uint8Array(0);
  private pendingBytes = 0;
  // Bytes of the current line beyond maxLineBytes are dropped, not buffered.
  private overflowed = false;
  private truncated = 0;
  // Lines in the middle of a chunk are decoded either one call per line, which gives flat strings that
  // JSON.parse and the reducer's line hash read fastest, or one call for the whole run split on "\n",
  // cheaper when lines are short (a call per line would cost more than the line). The mode follows the
  // average line length of the previous chunk; both give the same lines.
  private perLine = false;

  constructor(private readonly maxLineBytes: number) {
    this.wide.decode(new Uint8Array(0), { stream: true });
    this.wide.decode();
  }

  get truncatedLines(): number {
    return this.truncated;
  }

  push(chunk: Uint8Array | string): string[] {
    const out: string[] = [];
    this.feed(chunk, (line) => void out.push(line));
    return out;
  }

  end(): string[] {
    const out: string[] = [];
    this.finish((line) => void out.push(line));
    return out;
  }

  feed(chunk: Uint8Array | string, onLine: LineSink): void {
    if (typeof chunk === "string") this.feedString(chunk, onLine);
    else this.feedBytes(chunk, onLine);
  }

  finish(onLine: LineSink): void {
    if (this.parts.length > 0 || this.pendingBytes > 0 || this.overflowed) this.finishLine(new Uint8Array(0), onLine);
  }

  /** Bytes that end where the UTF-8 decoder is at rest → their text, through the recommended decoder. */
  private decodeText(bytes: Uint8Array): string {
    const text = (this.lastWide ? this.wide : this.ascii).decode(bytes);
    this.lastWide = text.length !== bytes.length;
    return text;
  }

  private hold(bytes: Uint8Array): void {
    const needed = this.pendingBytes + bytes.length;
    if (needed > this.pending.length) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.pending.length, 64));
      grown.set(this.pending.subarray(0, this.pendingBytes));
      this.pending = grown;
    }
    this.pending.set(bytes, this.pendingBytes);
    this.pendingBytes = needed;
  }

  private keep(bytes: Uint8Array): void {
    if (this.overflowed || bytes.length === 0) return;
    const room = this.maxLineBytes - this.decodedBytes - this.pendingBytes;
    if (bytes.length > room) {
      this.overflowed = true;
      // Keep one byte more than the cap so finishLine can see whether the cut falls inside a character.
      bytes = bytes.subarray(0, room + 1);
    }
    if (this.pendingBytes > 0) {
      // A character held back from the last piece: finish it with the continuation bytes this chunk starts
      // with (at most 3), decode it if the decoder is then at rest, and go on with the rest of the chunk.
      let continued = 0;
      while (continued < 3 && continued < bytes.length && (bytes[continued]! & 0xc0) === 0x80) continued++;
      this.hold(bytes.subarray(0, continued));
      bytes = bytes.subarray(continued);
      const held = this.pending.subarray(0, this.pendingBytes);
      const limit = Math.min(held.length, this.maxLineBytes - CAP_MARGIN - this.decodedBytes);
      if (limit > 0 && restingCut(held, limit) === held.length) {
        this.parts.push(this.decodeText(held));
        this.decodedBytes += held.length;
        this.pendingBytes = 0;
      }
    }
    // Held-back bytes go first (near the cap, or a character still unfinished at the chunk's end);
    // otherwise the chunk is decoded in place and only its tail is copied.
    let from = bytes;
    if (this.pendingBytes > 0) {
      this.hold(bytes);
      from = this.pending.subarray(0, this.pendingBytes);
    }
    const limit = Math.min(from.length, this.maxLineBytes - CAP_MARGIN - this.decodedBytes);
    const cut = limit > 0 ? restingCut(from, limit) : 0;
    if (cut > 0) {
      this.parts.push(this.decodeText(from.subarray(0, cut)));
      this.decodedBytes += cut;
    }
    if (from === bytes) {
      this.hold(bytes.subarray(cut));
    } else {
      this.pending.copyWithin(0, cut, this.pendingBytes);
      this.pendingBytes -= cut;
    }
  }

  /** Delivers the pending line, `tail` being the rest of it in the current chunk. */
  private finishLine(tail: Uint8Array, onLine: LineSink): void {
    if (this.parts.length === 0 && this.pendingBytes === 0 && !this.overflowed && tail.length <= this.maxLineBytes) {
      let length = tail.length;
      if (length > 0 && tail[length - 1] === CARRIAGE_RETURN) length--;
      onLine(this.decodeText(tail.subarray(0, length)), length);
      return;
    }
    this.keep(tail);
    let rest = this.pending.subarray(0, this.pendingBytes);
    if (this.overflowed) {
      this.truncated++;
      rest = rest.subarray(0, characterBoundary(rest, this.maxLineBytes - this.decodedBytes));
    }
    let bytes = this.decodedBytes + rest.length;
    // A character still unfinished at the end of the line becomes U+FFFD, as in the whole line decoded at once.
    const last = rest.length > 0 ? this.decodeText(rest) : "";
    const parts = this.parts;
    let line = parts.length === 0 ? last : parts.length === 1 ? parts[0]! + last : parts.join("") + last;
    this.parts = [];
    this.decodedBytes = 0;
    this.pendingBytes = 0;
    this.overflowed = false;
    if (this.pending.length > KEEP_PENDING_CAPACITY) this.pending = new Uint8Array(0);
    if (line.charCodeAt(line.length - 1) === CARRIAGE_RETURN) {
      line = line.slice(0, -1);
      bytes--;
    }
    onLine(line, bytes);
  }

  /** Lines `chunk[start, end)` where `end` is just past a newline and none of them can exceed the cap. */
  private decodeRun(chunk: Uint8Array, start: number, end: number, onLine: LineSink): void {
    let count = 0;
    if (this.perLine) {
      for (let from = start; from < end; count++) {
        const newline = chunk.indexOf(NEWLINE, from);
        let length = newline - from;
        if (length > 0 && chunk[newline - 1] === CARRIAGE_RETURN) length--;
        onLine(this.decodeText(chunk.subarray(from, from + length)), length);
        from = newline + 1;
      }
    } else {
      const run = chunk.subarray(start, end - 1);
      const text = this.decodeText(run);
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
    this.perLine = (end - start) / count >= PER_LINE_MIN_AVERAGE_BYTES;
  }

  private feedBytes(chunk: Uint8Array, onLine: LineSink): void {
    const firstNewline = chunk.indexOf(NEWLINE);
    if (firstNewline === -1) {
      this.keep(chunk);
      return;
    }
    this.finishLine(chunk.subarray(0, firstNewline), onLine);
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline > firstNewline) {
      if (lastNewline - firstNewline - 1 <= this.maxLineBytes) {
        // No line in here can exceed the cap: decode the whole run of lines in one call.
        this.decodeRun(chunk, firstNewline + 1, lastNewline + 1, onLine);
      } else {
        let start = firstNewline + 1;
        while (start <= lastNewline) {
          const newline = chunk.indexOf(NEWLINE, start);
          this.finishLine(chunk.subarray(start, newline), onLine);
          start = newline + 1;
        }
      }
    }
    this.keep(chunk.subarray(lastNewline + 1));
  }

  private feedString(chunk: string, onLine: LineSink): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf("\n", start);
      const piece = chunk.slice(start, newline === -1 ? chunk.length : newline);
      // A UTF-16 unit is at most 3 UTF-8 bytes: short pieces with nothing pending skip the byte round trip.
      if (newline !== -1 && this.parts.length === 0 && this.pendingBytes === 0 && !this.overflowed && piece.length * 3 <= this.maxLineBytes) {
        const line = piece.charCodeAt(piece.length - 1) === CARRIAGE_RETURN ? piece.slice(0, -1) : piece;
        onLine(line, utf8ByteLength(line));
      } else if (newline !== -1) {
        this.finishLine(encoder.encode(piece), onLine);
      } else {
        this.keep(encoder.encode(piece));
      }
      if (newline === -1) return;
      start = newline + 1;
    }
  }
}

/**
 * The largest cut ≤ `end` at which a UTF-8 decoder of `bytes` is at rest, so `bytes[0, cut)` and what
 * follows decode separately exactly as they would together: before the last lead byte when the character
 * it starts is unfinished at `end`, else `end`. (Stopping before any byte that cannot continue a sequence is
 * exact: a decoder that meets one mid-sequence emits U+FFFD and starts afresh at it, as a flushed one does.
 * Past a sequence's declared length every continuation byte is an error on its own.)
 */
function restingCut(bytes: Uint8Array, end: number): number {
  for (let k = end - 1; k >= 0 && k >= end - 4; k--) {
    const byte = bytes[k]!;
    if ((byte & 0xc0) !== 0x80) return k + sequenceLength(byte) <= end ? end : k;
  }
  return end;
}

/** The length of the UTF-8 sequence a byte starts (1 for ASCII and for bytes that cannot start one). */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
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
