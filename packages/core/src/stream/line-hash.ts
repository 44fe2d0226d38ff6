/**
 * A 53-bit hash of a string, used as a compact dedup key for event lines (and assistant message ids).
 * Within a window of a few thousand keys the chance of any collision is about n²/2⁵⁴ — below 10⁻⁹ — and a
 * collision would only drop one replay-looking event.
 *
 * It runs over every event line the reducer parses, so it is built for speed. The text is read as 32-bit
 * words, even and odd words going to separate pairs of lanes (a multiplicative FNV-style lane and a
 * murmur-style lane each) that the CPU advances in parallel; the final mix is a bijection of either pair for
 * a fixed other, so a change anywhere changes the 32 + 21 kept bits as a change to one pair would. Short
 * texts are read two UTF-16 units per word straight from the string; long ones are first encoded to UTF-8
 * natively into a scratch buffer (one call, then typed-array reads that stay fast whatever the string's
 * internal representation — a slice of a decoded chunk, a joined long line, one- or two-byte). A long
 * text's lone surrogate hashes as the U+FFFD it is written out as (lines decoded from bytes never have one).
 */
export function lineHash(text: string): number {
  return text.length < ENCODE_FROM_CHARS ? hashUnits(text) : hashEncoded(text);
}

/** From this length on, one native encode costs less than reading the string unit by unit. */
const ENCODE_FROM_CHARS = 1024;

function hashUnits(text: string): number {
  let a0 = 0x811c9dc5;
  let b0 = 0x9e3779b9 ^ text.length;
  let a1 = 0x01234567;
  let b1 = 0x7f4a7c15;
  const n = text.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const even = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    const odd = text.charCodeAt(i + 2) | (text.charCodeAt(i + 3) << 16);
    a0 = Math.imul(a0 ^ even, 0x01000193);
    b0 = Math.imul(b0 ^ even, 0x5bd1e995);
    b0 ^= b0 >>> 15;
    a1 = Math.imul(a1 ^ odd, 0x01000193);
    b1 = Math.imul(b1 ^ odd, 0x5bd1e995);
    b1 ^= b1 >>> 15;
  }
  // The last 0–3 units one at a time (the length, mixed in at the start, tells them from a full word).
  for (; i < n; i++) {
    const unit = text.charCodeAt(i);
    a0 = Math.imul(a0 ^ unit, 0x01000193);
    b0 = Math.imul(b0 ^ unit, 0x5bd1e995);
    b0 ^= b0 >>> 15;
  }
  return finish(a0, b0, a1, b1);
}

function finish(a0: number, b0: number, a1: number, b1: number): number {
  const a = a0 ^ Math.imul(a1, 0x2545f491);
  const b = b0 ^ Math.imul(b1, 0x27d4eb2d);
  return (b >>> 0) * 0x200000 + ((a >>> 0) >>> 11);
}

function hashEncoded(text: string): number {
  let a0 = 0x811c9dc5;
  let b0 = 0x9e3779b9 ^ text.length;
  let a1 = 0x01234567;
  let b1 = 0x7f4a7c15;
  let rest = text;
  for (;;) {
    // encodeInto stops before a character that does not fit, so a long text goes in whole characters.
    const { read, written } = encoder.encodeInto(rest, target);
    scratch.fill(0, written, written + 8);
    const pairs = (written + 7) >>> 3;
    for (let w = 0; w < 2 * pairs; w += 2) {
      const even = words[w]!;
      const odd = words[w + 1]!;
      a0 = Math.imul(a0 ^ even, 0x01000193);
      b0 = Math.imul(b0 ^ even, 0x5bd1e995);
      b0 ^= b0 >>> 15;
      a1 = Math.imul(a1 ^ odd, 0x01000193);
      b1 = Math.imul(b1 ^ odd, 0x5bd1e995);
      b1 ^= b1 >>> 15;
    }
    // Where this piece ended, so pieces of different lengths cannot line up alike.
    b1 = Math.imul(b1 ^ written, 0x5bd1e995);
    if (read >= rest.length) break;
    rest = rest.slice(read);
  }
  return finish(a0, b0, a1, b1);
}

const encoder = new TextEncoder();
const SCRATCH_BYTES = 64 * 1024;
// Eight spare bytes past what encodeInto may fill: the zero padding of the last word pair lands inside.
const scratch = new Uint8Array(SCRATCH_BYTES + 8);
const target = scratch.subarray(0, SCRATCH_BYTES);
const words = new Int32Array(scratch.buffer);
