import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lineHash } from "./line-hash.js";

describe("lineHash", () => {
  it("is a 53-bit integer, the same for the same text", () => {
    const h = lineHash('{"type":"assistant"}');
    expect(Number.isSafeInteger(h)).toBe(true);
    expect(h).toBeGreaterThanOrEqual(0);
    expect(lineHash('{"type":"assistant"}')).toBe(h);
  });

  it.each([
    ["", "\u0000"],
    ["a", "a\u0000"],
    ["ab", "ba"],
    ["abc", "acb"],
    ["\uD83D\uDE00", "\uDE00\uD83D"],
    ["x".repeat(1001), "x".repeat(1000)],
    ["abcdefgh", "efghabcd"],
    ["abcd", "abc\u0000d"],
  ])("tells %j from %j (length, order, odd tail)", (a, b) => {
    expect(lineHash(a)).not.toBe(lineHash(b));
  });

  it("gives distinct strings distinct hashes (property; a collision has odds of about 2⁻⁵³)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), fc.string({ unit: "binary", maxLength: 80 }), (a, b) => {
        fc.pre(a !== b);
        expect(lineHash(a)).not.toBe(lineHash(b));
      }),
      { numRuns: 500 },
    );
  });
});
