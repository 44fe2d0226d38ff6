// Bytes → complete lines. Splitting happens on raw bytes (0x0A never occurs inside a multi-byte UTF-8
// sequence), so a character split across chunks is decoded whole, and the result does not depend on how
// the transport chunked the stream. A partial line is kept as bytes and decoded once it is complete.

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface LineDecoder {
  /** Lines completed by this chunk, without their `\n` or `\r\n`. */
  push(chunk: Uint8Array | string): string[];
  /** Flushes the last line when the stream did not end with a newline. */
  end(): string[];
  /**
   * Lines delivered cut to their first `maxLineBytes` bytes (on a character boundary; a trailing `\r`
   * counts towards the cap) so far. Compare it
   * before and after a push to know whether that push delivered a cut line.
   */
  readonly truncatedLines: number;
}

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

export function createLineDecoder(opts: { maxLineBytes?: number } = {}): LineDecoder {
  const maxLineBytes = Math.max(1, Math.floor(opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES));
  // ignoreBOM: a U+FEFF is kept wherever it appears, so decoding never depends on where a stream restarted.
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  // Bytes of the current line beyond maxLineBytes are dropped, not buffered.
  let overflowed = false;
  let truncatedLines = 0;

  const keep = (bytes: Uint8Array): void => {
    if (overflowed || bytes.length === 0) return;
    const room = maxLineBytes - pendingBytes;
    if (bytes.length > room) {
      overflowed = true;
      // Keep one byte more than the cap so finishLine can see whether the cut falls inside a character.
      bytes = bytes.subarray(0, room + 1);
    }
    pending.push(bytes.slice());
    pendingBytes += bytes.length;
  };

  const finishLine = (): string => {
    let bytes = pending.length === 1 ? pending[0]! : concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    if (overflowed) {
      overflowed = false;
      truncatedLines++;
      bytes = bytes.subarray(0, characterBoundary(bytes, maxLineBytes));
    }
    return stripCarriageReturn(decoder.decode(bytes));
  };

  const pushBytes = (chunk: Uint8Array, out: string[]): void => {
    const firstNewline = chunk.indexOf(NEWLINE);
    if (firstNewline === -1) {
      keep(chunk);
      return;
    }
    keep(chunk.subarray(0, firstNewline));
    out.push(finishLine());
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline > firstNewline) {
      const middle = chunk.subarray(firstNewline + 1, lastNewline);
      if (middle.length <= maxLineBytes) {
        // No line in here can exceed the cap: decode the whole run of lines in one call.
        for (const line of decoder.decode(middle).split("\n")) out.push(stripCarriageReturn(line));
      } else {
        let start = firstNewline + 1;
        while (start <= lastNewline) {
          const newline = chunk.indexOf(NEWLINE, start);
          keep(chunk.subarray(start, newline));
          out.push(finishLine());
          start = newline + 1;
        }
      }
    }
    keep(chunk.subarray(lastNewline + 1));
  };

  const pushString = (chunk: string, out: string[]): void => {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf("\n", start);
      const piece = chunk.slice(start, newline === -1 ? chunk.length : newline);
      // A UTF-16 unit is at most 3 UTF-8 bytes: short pieces with nothing pending skip the byte round trip.
      if (newline !== -1 && pendingBytes === 0 && piece.length * 3 <= maxLineBytes) {
        out.push(stripCarriageReturn(piece));
      } else {
        keep(encoder.encode(piece));
        if (newline !== -1) out.push(finishLine());
      }
      if (newline === -1) return;
      start = newline + 1;
    }
  };

  return {
    push(chunk) {
      const out: string[] = [];
      if (typeof chunk === "string") pushString(chunk, out);
      else pushBytes(chunk, out);
      return out;
    },
    end() {
      return pendingBytes > 0 || overflowed ? [finishLine()] : [];
    },
    get truncatedLines() {
      return truncatedLines;
    },
  };
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
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

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
