/**
 * A 53-bit hash of a string, used as a compact dedup key for event lines (and assistant message ids).
 * Within a window of a few thousand keys the chance of any collision is about n²/2⁵⁴ — below 10⁻⁹ — and a
 * collision would only drop one replay-looking event.
 *
 * It runs over every event line the reducer parses, so it is built for speed: the text is read as 32-bit
 * words (two UTF-16 units each), and even and odd words go to separate pairs of lanes (a multiplicative
 * FNV-style lane and a murmur-style lane each) that the CPU can advance in parallel. Each pair sees every
 * word of its half; the final mix is a bijection of either pair for a fixed other, so a change anywhere
 * changes 32 + 21 kept bits as a change to a single pair would.
 */
export function lineHash(text: string): number {
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
  const a = a0 ^ Math.imul(a1, 0x2545f491);
  const b = b0 ^ Math.imul(b1, 0x27d4eb2d);
  return (b >>> 0) * 0x200000 + ((a >>> 0) >>> 11);
}
