/**
 * A 53-bit hash of a string, the digest in Job, claim and Lease names (`job-name.ts`). It must never change: a
 * name is how a process finds a Job another process (or its own previous version, across a rolling update)
 * created for the same run, and the agent's claim that guards it, so every version must compute the same
 * name from the same ids. Golden names pin it (`job-name.test.ts`).
 *
 * The text is read as 32-bit words, even and odd words going to separate pairs of lanes (a multiplicative
 * FNV-style lane and a murmur-style lane each); the final mix is a bijection of either pair for a fixed
 * other. Texts shorter than 1024 UTF-16 units are read two units per word straight from the string; longer
 * ones are first encoded to UTF-8 into a scratch buffer (a lone surrogate then hashes as U+FFFD).
 */
export function nameHash(text: string): number {
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
