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

  it("hashes a text longer than its 64 KiB scratch buffer whole, in whole characters", () => {
    const long = "é😀".repeat(40_000);
    expect(lineHash(long)).toBe(lineHash(long.slice(0)));
    expect(lineHash(long)).not.toBe(lineHash(`${long.slice(0, -1)}x`));
    expect(lineHash(`a${long}`)).not.toBe(lineHash(`${long}a`));
  });

  it("hashes a lone surrogate as the U+FFFD it is written out as, at any length", () => {
    expect(lineHash("a\uD800b")).toBe(lineHash("a\uFFFDb"));
    const pad = "p".repeat(2000);
    expect(lineHash(`${pad}\uD800`)).toBe(lineHash(`${pad}\uFFFD`));
  });

  it.each([0, 1, 2, 3, 4, 15, 16, 17, 1023, 1024, 1025, 4096])("gives a text of length %i the hash of its flat copy, not that of the text with its last character changed", (length) => {
    const text = "ab€".repeat(2000).slice(0, length);
    expect(lineHash(text)).toBe(lineHash(text.split("").join("")));
    if (length > 0) expect(lineHash(text)).not.toBe(lineHash(`${text.slice(0, -1)}z`));
  });

  it("tells apart texts that differ in one 32-bit word, in every lane", () => {
    const base = "0123456789abcdef".repeat(4);
    for (let i = 0; i < base.length; i++) expect(lineHash(`${base.slice(0, i)}#${base.slice(i + 1)}`)).not.toBe(lineHash(base));
  });

  it("gives distinct strings distinct hashes (property; a collision has odds of about 2⁻⁵³)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), fc.string({ unit: "grapheme", maxLength: 80 }), (a, b) => {
        fc.pre(a !== b);
        expect(lineHash(a)).not.toBe(lineHash(b));
      }),
      { numRuns: 500 },
    );
  });
});
