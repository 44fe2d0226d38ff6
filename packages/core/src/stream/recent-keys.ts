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
  return new RecentKeyTable(capacity);
}

// A class, not closures: its methods are the same functions for every table, so the code the JIT made for
// them outlives any one reader (closures made per table start cold again in each new one).
class RecentKeyTable implements RecentKeys {
  private readonly ring: Float64Array;
  private readonly mask: number;
  // Slot → 1 + the ring index of the key stored there; 0 = empty.
  private readonly table: Int32Array;
  private count = 0;
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    let size = 4;
    while (size < capacity * 4) size *= 2;
    this.mask = size - 1;
    this.table = new Int32Array(size);
  }

  seen(key: number): boolean {
    const slot = this.find(key);
    if (this.table[slot] !== 0) return true;
    if (this.count === this.capacity) this.remove(this.find(this.ring[this.next]!));
    else this.count++;
    this.ring[this.next] = key;
    // The eviction may have shifted entries: probe again for the free slot.
    this.table[this.find(key)] = this.next + 1;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    return false;
  }

  // ToInt32 of an integer below 2⁵³ is that integer modulo 2³²: the low bits, already well mixed by the hash.
  private home(key: number): number {
    return key & this.mask;
  }

  private find(key: number): number {
    const { table, ring, mask } = this;
    for (let slot = this.home(key); ; slot = (slot + 1) & mask) {
      const entry = table[slot]!;
      if (entry === 0 || ring[entry - 1] === key) return slot;
    }
  }

  private remove(slot: number): void {
    const { table, ring, mask } = this;
    let hole = slot;
    for (let j = (hole + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const want = this.home(ring[table[j]! - 1]!);
      // Move the entry at j back into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? want > hole && want <= j : want > hole || want <= j;
      if (!stays) {
        table[hole] = table[j]!;
        hole = j;
      }
    }
    table[hole] = 0;
  }
}
