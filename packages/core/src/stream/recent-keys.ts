/**
 * A set that remembers only the last `capacity` keys it was given (oldest forgotten first), so dedup stays
 * bounded however long the transcript is.
 */
export interface RecentKeys<K> {
  /** True when `key` is among the remembered keys; otherwise remembers it and returns false. */
  seen(key: K): boolean;
}

export function createRecentKeys<K>(capacity: number): RecentKeys<K> {
  const keys = new Set<K>();
  const order: K[] = new Array<K>(capacity);
  let next = 0;
  return {
    seen(key) {
      if (keys.has(key)) return true;
      if (keys.size === capacity) keys.delete(order[next]!);
      order[next] = key;
      next = (next + 1) % capacity;
      keys.add(key);
      return false;
    },
  };
}
