import { describe, expect, it } from "vitest";
import { request, scenario, scripted, transcriptLines } from "./harness.js";

describe("log streaming survives what production does to it", () => {
  it("log stream drops every 3 s for 30 minutes: no line lost, none duplicated (FAR-105/123, 8bd5042)", async () => {
    const s = scenario();
    s.fake.faults.cutLogStreams({ everyMs: 3_000 });
    const lines = transcriptLines(1200);
    const { outcome, seen } = await s.run(scripted({ lines, runMs: 30 * 60_000 }));
    expect(outcome.status).toBe("succeeded");
    expect(seen.stdout).toHaveLength(lines.length);
    expect(seen.stdout).toEqual(lines);
    s.dispose();
  });

  it("log stream errors (not clean EOF) every 2 s: still exact", async () => {
    const s = scenario();
    s.fake.faults.cutLogStreams({ everyMs: 2_000, mode: "error" });
    const lines = transcriptLines(300);
    const { outcome, seen } = await s.run(scripted({ lines, runMs: 10 * 60_000 }));
    expect(outcome.status).toBe("succeeded");
    expect(seen.stdout).toEqual(lines);
    s.dispose();
  });

  it("many lines in the same second across cuts: the cursor's same-timestamp count prevents duplicates", async () => {
    const s = scenario();
    s.fake.faults.cutLogStreams({ everyMs: 250 });
    const lines = transcriptLines(400);
    const { seen } = await s.run(scripted({ lines, runMs: 2_000 }));
    expect(seen.stdout).toEqual(lines);
    s.dispose();
  });

  it("a fast-exit container still delivers its whole log (FAR-122: init-only stream)", async () => {
    const s = scenario();
    const lines = transcriptLines(5);
    const { outcome, seen } = await s.run(scripted({ lines, runMs: 5 }));
    expect(outcome.status).toBe("succeeded");
    expect(seen.stdout).toEqual(lines);
    s.dispose();
  });

  it("a last line without a trailing newline is kept (predecessor §9.2 #6)", async () => {
    const s = scenario();
    // The script program writes lines; the final result line is the last write before exit.
    const lines = transcriptLines(1);
    const { outcome } = await s.run(scripted({ lines, runMs: 100 }));
    expect(outcome.summary).toBe("finished 1 steps");
    s.dispose();
  });

  it("silent for 10 minutes then success: keepalives report the silence, the run is not cut (FAR-107, e760bf9)", async () => {
    const s = scenario();
    const { outcome, seen } = await s.run(request({ program: "silent-then-success" }));
    expect(outcome.status).toBe("succeeded");
    const keepalives = seen.progress.filter((p) => p.type === "keepalive");
    expect(keepalives.length).toBeGreaterThanOrEqual(39);
    expect(Math.max(...keepalives.map((k) => (k as { secondsSinceOutput: number }).secondsSinceOutput))).toBeGreaterThanOrEqual(585);
    s.dispose();
  });
});
