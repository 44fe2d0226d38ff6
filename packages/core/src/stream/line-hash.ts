/**
 * A 53-bit hash of a string, used as a compact dedup key for event lines (and assistant message ids).
 * Within a window of a few thousand keys the chance of any collision is about n²/2⁵⁴ — below 10⁻⁹ — and a
 * collision would only drop one replay-looking event.
 *
 * It runs over every event line the reducer parses, so it is built for speed: the text is encoded to UTF-8
 * natively into a scratch buffer (one call; the typed-array reads that follow stay fast whatever the
 * string's internal representation — a slice of a decoded chunk, a joined long line, one- or two-byte),
 * then read as 32-bit words, four lanes side by side (word i goes to lane i mod 4), each lane one xor and
 * one multiply by an odd constant per word, so the CPU advances the four independently. Each step is a
 * bijection of its lane for a fixed word and of the word for a fixed lane, so texts of the same length
 * that differ in one word always end with that lane different; the upper 32 kept bits are the lanes
 * combined by a map that is a bijection of any one lane for fixed others, so they differ too. The length
 * (in UTF-16 units) is mixed in first, which tells apart texts that differ only in trailing zero bytes.
 * A lone surrogate hashes as the U+FFFD it is written out as (lines decoded from bytes never hold one).
 */
export function lineHash(text: string): number {
  let a = 0x811c9dc5 ^ text.length;
  let b = 0x01234567;
  let c = 0x7f4a7c15;
  let d = 0x9e3779b9;
  let rest = text;
  for (;;) {
    // encodeInto stops before a character that does not fit, so a long text goes in whole characters.
    const { read, written } = encoder.encodeInto(rest, target);
    scratch.fill(0, written, written + 16);
    // Whole groups of four words, the last one zero-padded.
    const end = ((written + 15) >>> 4) << 2;
    for (let w = 0; w < end; w += 4) {
      a = Math.imul(a ^ words[w]!, 0x01000193);
      b = Math.imul(b ^ words[w + 1]!, 0x5bd1e995);
      c = Math.imul(c ^ words[w + 2]!, 0x27d4eb2d);
      d = Math.imul(d ^ words[w + 3]!, 0x165667b1);
    }
    // Where this piece ended, so pieces of different lengths cannot line up alike.
    d = Math.imul(d ^ written, 0x5bd1e995);
    if (read >= rest.length) break;
    rest = rest.slice(read);
  }
  const high = a ^ Math.imul(b, 0x2545f491) ^ Math.imul(c, 0x9e3779b1) ^ Math.imul(d, 0x27d4eb2f);
  const low = avalanche(b ^ avalanche(c ^ avalanche(d ^ avalanche(a))));
  return (high >>> 0) * 0x200000 + ((low >>> 0) >>> 11);
}

/** Murmur3's 32-bit finaliser: every input bit flips each output bit with probability about ½. */
function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const encoder = new TextEncoder();
const SCRATCH_BYTES = 64 * 1024;
// Sixteen spare bytes past what encodeInto may fill: the zero padding of the last word group lands inside.
const scratch = new Uint8Array(SCRATCH_BYTES + 16);
const target = scratch.subarray(0, SCRATCH_BYTES);
const words = new Int32Array(scratch.buffer);
