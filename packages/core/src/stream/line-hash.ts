/**
 * A 53-bit hash of a string (two independent 32-bit multiplicative lanes, 32 + 21 bits kept), used as a
 * compact dedup key for event lines. Within a window of a few thousand keys the chance of any collision is
 * about n²/2⁵⁴ — below 10⁻⁹ — and a collision would only drop one replay-looking event.
 */
export function lineHash(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return (b >>> 0) * 0x200000 + ((a >>> 0) >>> 11);
}
