/** mulberry32: a tiny seeded PRNG, so the same seed replays the same simulated run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Random {
  next(): number;
  /** Kubernetes generateName suffix alphabet: no vowels, no confusable digits. */
  nameSuffix(length: number): string;
  uuid(): string;
}

const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  const hex = (n: number): string => {
    let s = "";
    for (let i = 0; i < n; i++) s += Math.floor(next() * 16).toString(16);
    return s;
  };
  return {
    next,
    nameSuffix: (length) => {
      let s = "";
      for (let i = 0; i < length; i++) s += SUFFIX_ALPHABET[Math.floor(next() * SUFFIX_ALPHABET.length)];
      return s;
    },
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(next() * 4)]}${hex(3)}-${hex(12)}`,
  };
}
