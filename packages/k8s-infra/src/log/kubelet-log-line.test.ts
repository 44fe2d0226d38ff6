import { compareLogTimestamps, type LogCursor } from "@clipjob/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createResumeFilter, parseKubeletLine, sinceTimeFor } from "./kubelet-log-line.js";

describe("parseKubeletLine", () => {
  it.each([
    ["2026-01-01T00:00:01.123456789Z hello", { timestamp: "2026-01-01T00:00:01.123456789Z", text: "hello" }],
    ["2026-01-01T00:00:01Z {\"type\":\"result\"}", { timestamp: "2026-01-01T00:00:01Z", text: '{"type":"result"}' }],
    ["2026-01-01T00:00:01.5Z   indented", { timestamp: "2026-01-01T00:00:01.5Z", text: "  indented" }],
    ["2026-01-01T00:00:01.5Z ", { timestamp: "2026-01-01T00:00:01.5Z", text: "" }],
    ["2026-01-01T02:00:01.5+02:00 local", { timestamp: "2026-01-01T02:00:01.5+02:00", text: "local" }],
    ["no timestamp here", undefined],
    ["2026-01-01T00:00:01.5Z", undefined],
  ])("%j", (raw, expected) => {
    expect(parseKubeletLine(raw)).toEqual(expected);
  });
});

describe("sinceTimeFor", () => {
  it.each([
    ["2026-01-01T00:00:01.999999999Z", "2026-01-01T00:00:01Z"],
    ["2026-01-01T00:00:01Z", "2026-01-01T00:00:01Z"],
    ["2026-01-01T02:00:01.25+02:00", "2026-01-01T00:00:01Z"],
  ])("%s → %s", (ts, since) => {
    expect(sinceTimeFor({ timestamp: ts, seenAtTimestamp: 1 })).toBe(since);
  });
});

describe("createResumeFilter", () => {
  const T1 = "2026-01-01T00:00:01.100Z";
  const T2 = "2026-01-01T00:00:01.2Z";
  const T3 = "2026-01-01T00:00:02Z";

  it.each<[string, LogCursor | null, string[], boolean[]]>([
    ["no cursor delivers everything", null, [T1, T1, T2], [true, true, true]],
    ["drops lines before the cursor's timestamp", { timestamp: T2, seenAtTimestamp: 1 }, [T1, T1, T2, T3], [false, false, false, true]],
    ["skips only the lines already seen at the cursor's timestamp", { timestamp: T1, seenAtTimestamp: 1 }, [T1, T1, T2], [false, true, true]],
    ["matches timestamps however the fraction is trimmed", { timestamp: "2026-01-01T00:00:01.1Z", seenAtTimestamp: 2 }, [T1, T1, T1], [false, false, true]],
  ])("%s", (_name, from, stamps, delivered) => {
    const accept = createResumeFilter(from);
    expect(stamps.map((ts) => accept(ts) !== null)).toEqual(delivered);
  });

  it("continues the count of the cursor when more lines share its timestamp", () => {
    const accept = createResumeFilter({ timestamp: T1, seenAtTimestamp: 2 });
    expect([T1, T1, T1, T2].map(accept)).toEqual([null, null, { timestamp: T1, seenAtTimestamp: 3 }, { timestamp: T2, seenAtTimestamp: 1 }]);
  });

  it("resuming after any delivered line, from a server that only honours whole seconds, loses and repeats nothing", () => {
    // Timestamps: non-decreasing, many sharing one value, spread over a few seconds.
    const stamps = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 40 })
      .map((steps) => {
        let second = 0;
        let tenth = 0;
        return steps.map(([ds, dt]) => {
          if (ds > 1) {
            second++;
            tenth = 0;
          } else tenth = Math.min(9, tenth + dt);
          return `2026-01-01T00:00:${String(second).padStart(2, "0")}.${tenth}00Z`;
        });
      });
    fc.assert(
      fc.property(stamps, fc.nat(), (ts, pick) => {
        const all = ts.map((t, i) => ({ t, i }));
        const first = createResumeFilter(null);
        const cursors = all.map((l) => first(l.t)!);
        const resumeAfter = pick % all.length;
        const from = cursors[resumeAfter]!;
        const since = sinceTimeFor(from);
        const served = all.filter((l) => compareLogTimestamps(l.t, since) >= 0);
        const accept = createResumeFilter(from);
        const got = served.filter((l) => accept(l.t) !== null).map((l) => l.i);
        return JSON.stringify(got) === JSON.stringify(all.slice(resumeAfter + 1).map((l) => l.i));
      }),
    );
  });
});
