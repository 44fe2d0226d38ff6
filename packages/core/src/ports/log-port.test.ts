import { describe, expect, it } from "vitest";
import { advanceCursor, compareLogTimestamps, normaliseTimestamp } from "./log-port.js";

describe("log cursor", () => {
  it("normalises trimmed nanosecond fractions so ordering is textual", () => {
    expect(normaliseTimestamp("2026-01-01T00:00:01.5Z")).toBe("2026-01-01T00:00:01.500000000Z");
    expect(compareLogTimestamps("2026-01-01T00:00:01.5Z", "2026-01-01T00:00:01.499999999Z")).toBe(1);
    expect(compareLogTimestamps("2026-01-01T00:00:01Z", "2026-01-01T00:00:01.000000000Z")).toBe(0);
  });

  it("counts lines that share one timestamp and restarts the count on a new one", () => {
    const a = advanceCursor(null, "2026-01-01T00:00:01.1Z");
    const b = advanceCursor(a, "2026-01-01T00:00:01.100Z");
    const c = advanceCursor(b, "2026-01-01T00:00:02Z");
    expect([a.seenAtTimestamp, b.seenAtTimestamp, c.seenAtTimestamp]).toEqual([1, 2, 1]);
  });
});
