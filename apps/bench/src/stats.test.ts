import { describe, expect, it } from "vitest";
import { median, percentile } from "./stats.js";

describe("percentile and median", () => {
  it.each([
    { samples: [5, 1, 3, 2, 4], p: 50, expected: 3 },
    { samples: [5, 1, 3, 2, 4], p: 100, expected: 5 },
    { samples: Array.from({ length: 200 }, (_, i) => 200 - i), p: 99, expected: 198 },
    { samples: [7], p: 1, expected: 7 },
  ])("p$p of $samples.length samples is $expected", ({ samples, p, expected }) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  it("takes the mean of the middle pair for an even count, NaN for none", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
