/**
 * A set of numbers that remembers only the last `capacity` keys it was given (oldest forgotten first), so
 * dedup stays bounded however long the transcript is. Keys are integers in [0, 2⁵³) — line hashes.
 */
export interface RecentKeys {
  /** True when `key` is among the remembered keys; otherwise remembers it and returns false. */
  seen(key: number): boolean;
}

/**
 * Open addressing with linear probing over a table four times the capacity, plus a ring of the keys in
 * arrival order for eviction (deletion shifts later entries back, so no tombstones pile up). A `Set` with
 * one delete and one add per call rehashes every few thousand calls; this does a few array reads.
 */
export function createRecentKeys(capacity: number): RecentKeys {
  const ring = new Float64Array(capacity);
  let size = 4;
  while (size < capacity * 4) size *= 2;
  const mask = size - 1;
  // Slot → 1 + the ring index of the key stored there; 0 = empty.
  const table = new Int32Array(size);
  let count = 0;
  let next = 0;
  // ToInt32 of an integer below 2⁵³ is that integer modulo 2³²: the low bits, already well mixed by the hash.
  const home = (key: number): number => key & mask;

  const find = (key: number): number => {
    for (let slot = home(key); ; slot = (slot + 1) & mask) {
      const entry = table[slot]!;
      if (entry === 0 || ring[entry - 1] === key) return slot;
    }
  };

  const remove = (slot: number): void => {
    let hole = slot;
    for (let j = (hole + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const want = home(ring[table[j]! - 1]!);
      // Move the entry at j back into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? want > hole && want <= j : want > hole || want <= j;
      if (!stays) {
        table[hole] = table[j]!;
        hole = j;
      }
    }
    table[hole] = 0;
  };

  return {
    seen(key) {
      const slot = find(key);
      if (table[slot] !== 0) return true;
      if (count === capacity) remove(find(ring[next]!));
      else count++;
      ring[next] = key;
      // The eviction may have shifted entries: probe again for the free slot.
      table[find(key)] = next + 1;
      next = next + 1 === capacity ? 0 : next + 1;
      return false;
    },
  };
}
