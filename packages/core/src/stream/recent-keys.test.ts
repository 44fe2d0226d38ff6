import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRecentKeys } from "./recent-keys.js";

/** The obvious model: an array of the last `capacity` distinct-at-insert keys. */
function modelSeen(capacity: number, keys: readonly number[]): boolean[] {
  const window: number[] = [];
  return keys.map((key) => {
    if (window.includes(key)) return true;
    window.push(key);
    if (window.length > capacity) window.shift();
    return false;
  });
}

describe("createRecentKeys", () => {
  it("remembers exactly the last `capacity` new keys", () => {
    const recent = createRecentKeys(2);
    expect([1, 2, 1, 3, 1, 2, 2].map((k) => recent.seen(k))).toEqual([false, false, true, false, false, false, true]);
  });

  it("agrees with the array model for any sequence, colliding home slots and 53-bit keys included (property)", () => {
    // Keys drawn from a few values, multiples of the table size (same home slot) and large hashes, so
    // probing, wrap-around and the back-shift on eviction are all exercised.
    const key = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 6 }).map((k) => k * 64), fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.constant(63));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(key, { maxLength: 300 }), (capacity, keys) => {
        const recent = createRecentKeys(capacity);
        expect(keys.map((k) => recent.seen(k))).toEqual(modelSeen(capacity, keys));
      }),
      { numRuns: 1000 },
    );
  });
});
