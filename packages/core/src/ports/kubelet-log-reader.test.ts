import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createKubeletLogReader, parseKubeletLine, sinceTimeFor } from "./kubelet-log-reader.js";
import { compareLogTimestamps, type LogCursor } from "./log-port.js";

/** The reader as a filter over prefixed lines: the cursor after each delivered line, null for a dropped one. */
function createResumeFilter(from: LogCursor | null): (timestamp: string) => LogCursor | null {
  const reader = createKubeletLogReader(from);
  return (timestamp) => reader.accept(`${timestamp} x`)?.cursor ?? null;
}

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

describe("createKubeletLogReader: resume filter", () => {
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

describe("createKubeletLogReader: records the kubelet joins, cuts and rotates", () => {
  const BIG = "b".repeat(20 * 1024);
  const lines = (from: LogCursor | null, body: readonly string[]) => {
    const reader = createKubeletLogReader(from);
    return body.map((raw) => reader.accept(raw)).filter((l) => l !== null);
  };

  it("a resume inside a long line drops its unprefixed rest: [big, M, N], not [big, M, M, N] (issue 14, fault 1)", () => {
    // Records: big as P at :10.9 and F at :11.1, M at :11.5, N at :12.0. The first follow is cut after M.
    const first = lines(null, [`2026-01-01T00:00:10.900000000Z ${BIG}`, "2026-01-01T00:00:11.500000000Z M"]);
    expect(first.map((l) => l.text)).toEqual([BIG, "M"]);
    // sinceTime :11 skips the P record; the kubelet then sends the F record without a prefix.
    const rest = lines(first[1]!.cursor, [BIG.slice(16 * 1024), "2026-01-01T00:00:11.500000000Z M", "2026-01-01T00:00:12.000000000Z N"]);
    expect([...first, ...rest].map((l) => l.text)).toEqual([BIG, "M", "N"]);
    expect(rest[0]!.gap).toBeUndefined();
  });

  it("a resume that no longer finds the cursor's line (rotated away) reports a gap on the next line", () => {
    const from = { timestamp: "2026-01-01T00:00:05.5Z", seenAtTimestamp: 1 };
    const got = lines(from, ["2026-01-01T00:00:07.000000000Z later", "2026-01-01T00:00:08.000000000Z after"]);
    expect(got.map((l) => [l.text, l.gap])).toEqual([
      ["later", { reason: "rotated", after: "2026-01-01T00:00:05.5Z" }],
      ["after", undefined],
    ]);
  });

  it("a resume that finds only some of the lines its cursor counts at its timestamp reports a gap", () => {
    const from = { timestamp: "2026-01-01T00:00:05.5Z", seenAtTimestamp: 2 };
    const got = lines(from, ["2026-01-01T00:00:05.500000000Z one", "2026-01-01T00:00:06.000000000Z next"]);
    expect(got.map((l) => [l.text, l.gap?.reason])).toEqual([["next", "rotated"]]);
  });

  it("a resume that finds the cursor's line reports no gap", () => {
    const from = { timestamp: "2026-01-01T00:00:05.5Z", seenAtTimestamp: 1 };
    const got = lines(from, ["2026-01-01T00:00:05.000000000Z before", "2026-01-01T00:00:05.500000000Z seen", "2026-01-01T00:00:09.000000000Z new"]);
    expect(got.map((l) => [l.text, l.gap])).toEqual([["new", undefined]]);
  });

  describe("end(): a response that ends before reaching the cursor's place", () => {
    const from = { timestamp: "2026-01-01T00:00:05.5Z", seenAtTimestamp: 1 };
    const ended = (cursor: LogCursor | null, body: readonly string[]) => {
      const reader = createKubeletLogReader(cursor);
      const got = body.map((raw) => reader.accept(raw)).filter((l) => l !== null);
      return { got: got.map((l) => l.text), end: reader.end() };
    };

    it("an empty response to a resume (the current file holds nothing of the cursor's second or later): the log's end may be missing", () => {
      expect(ended(from, [])).toEqual({ got: [], end: { reason: "rotated", after: "2026-01-01T00:00:05.5Z" } });
    });

    it("a response holding only the unprefixed rest of a long line: still a gap at the end", () => {
      expect(ended(from, ["rest of a long line"])).toEqual({ got: [], end: { reason: "rotated", after: "2026-01-01T00:00:05.5Z" } });
    });

    it("a response that served the cursor's line and nothing more: no gap (nothing was written after it)", () => {
      expect(ended(from, ["2026-01-01T00:00:05.500000000Z seen"])).toEqual({ got: [], end: null });
    });

    it("a response that delivered a line: that line carried the gap, the end has none", () => {
      expect(ended(from, ["2026-01-01T00:00:07.000000000Z later"])).toEqual({ got: ["later"], end: null });
    });

    it("a first follow (no cursor) has no place to miss: no gap at its end", () => {
      expect(ended(null, [])).toEqual({ got: [], end: null });
    });
  });

  it("a log served from inside a line (its start rotated away) drops the fragment and reports a gap", () => {
    const got = lines(null, ["tail of a line", "2026-01-01T00:00:01.000000000Z whole"]);
    expect(got.map((l) => [l.text, l.gap])).toEqual([["whole", { reason: "partial_line", after: null }]]);
  });

  it("an unprefixed fragment after a prefixed line is never a line of its own", () => {
    const got = lines(null, ["2026-01-01T00:00:01.000000000Z a", "stray", "2026-01-01T00:00:02.000000000Z b"]);
    expect(got.map((l) => [l.text, l.gap?.reason])).toEqual([["a", undefined], ["b", "partial_line"]]);
  });
});

describe("byte lengths from the caller's decoder", () => {
  it("a line carries its text's UTF-8 length: the raw line's bytes less the ASCII prefix", () => {
    const text = '{"type":"assistant","text":"größer — 日本"}';
    const raw = `2026-01-02T03:04:05.123456789Z ${text}`;
    const line = createKubeletLogReader(null).accept(raw, Buffer.byteLength(raw));
    expect(line?.bytes).toBe(Buffer.byteLength(text));
  });

  it("without the raw bytes the line carries none (the run counts them itself)", () => {
    const line = createKubeletLogReader(null).accept("2026-01-02T03:04:05Z plain");
    expect(line).not.toBeNull();
    expect(line && "bytes" in line).toBe(false);
  });
});
