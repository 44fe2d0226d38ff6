/** What the heap orders by: due time, then creation order. */
export interface HeapTimer {
  readonly at: number;
  readonly seq: number;
}

/** A binary min-heap of timers by (at, seq): O(log n) insert and removal of the earliest. */
export class TimerHeap<T extends HeapTimer> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(t: T): void {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }

  /** Keeps only the timers `keep` accepts (used to drop cancelled ones in bulk). */
  retain(keep: (t: T) => boolean): void {
    const kept = this.items.filter(keep);
    this.items = [];
    for (const t of kept) this.push(t);
  }

  clear(): void {
    this.items = [];
  }
}

function before(a: HeapTimer, b: HeapTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
