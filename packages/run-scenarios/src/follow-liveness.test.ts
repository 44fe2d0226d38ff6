// A log follow with no idle bound hangs on a half-open connection: no bytes, no EOF, and nothing else notices
// (issue 14, fault 4). The follower reopens an idle follow from its cursor, at a rate that stays cheap when
// Claude is merely quiet, and soon after the container's exit, so the tail arrives within the run's grace.
import { FOLLOW_FINISHED_IDLE_MS, FOLLOW_IDLE_MS, MIN_LOG_DRAIN_MS } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { scenario, scripted, transcriptLines } from "./harness.js";

describe("follow liveness: an idle follow is reopened from its cursor", () => {
  it("follows that stall (half-open: nothing, not even EOF) are reopened from the cursor: every line once, in order, none lost, and the run succeeds", async () => {
    const s = scenario();
    const stalls = s.fake.faults.stallLogStreams({ afterMs: 30_000 });
    const lines = transcriptLines(30);
    const { outcome, seen } = await s.run(scripted({ lines, runMs: 20 * 60_000 }));
    expect(outcome, outcome.errorMessage ?? "").toMatchObject({ status: "succeeded" });
    expect(seen.stdout).toEqual(lines);
    expect(stalls.hits).toBe(FOLLOW_STALLS_IN_20_MIN);
    // One follow per stall plus the first: the reopen is the only cost of a stalled stream.
    expect(s.fake.requests()["follow log"]).toBe(stalls.hits + 1);
    s.dispose();
  });

  it("a follow stalled when the container exits is reopened within FOLLOW_FINISHED_IDLE_MS of the exit, inside the run's grace: the result line is not lost", async () => {
    const s = scenario();
    const stalls = s.fake.faults.stallLogStreams({ afterMs: 10_000 });
    const [init, result] = [transcriptLines(0)[0]!, transcriptLines(0)[1]!];
    // The result is written at 60 s, while the only follow has been stalled since 10 s; the container exits at 61 s.
    const writes = [
      { atMs: 1_000, data: `${init}\n` },
      { atMs: 60_000, data: `${result}\n` },
    ];
    const startedAt = s.fake.clock.now();
    const run = s.start(scripted({ writes, runMs: 61_000 }));
    await s.until(() => run.seen.stdout.length >= 2);
    const readAfterMs = s.fake.clock.now() - startedAt;
    const outcome = await run.done;
    expect(outcome, outcome.errorMessage ?? "").toMatchObject({ status: "succeeded" });
    expect(run.seen.stdout).toEqual([init, result]);
    expect(stalls.hits).toBe(1);
    expect(s.fake.requests()["follow log"]).toBe(2);
    // Virtual time: the exit is seen at 61 s plus the pod's scheduling, long before the 5-min idle bound.
    expect(readAfterMs).toBeGreaterThan(60_000);
    expect(readAfterMs).toBeLessThan(61_000 + 5_000 + FOLLOW_FINISHED_IDLE_MS);
    expect(readAfterMs).toBeLessThan(FOLLOW_IDLE_MS);
    s.dispose();
  });

  it("the same stall with a short graceSec (5 s, below FOLLOW_FINISHED_IDLE_MS): the run still waits for the reopened follow, the result line is not lost (seen on the real node: claude_truncated)", async () => {
    const s = scenario();
    s.fake.faults.stallLogStreams({ afterMs: 10_000 });
    const [init, result] = [transcriptLines(0)[0]!, transcriptLines(0)[1]!];
    const writes = [
      { atMs: 1_000, data: `${init}\n` },
      { atMs: 60_000, data: `${result}\n` },
    ];
    const { outcome, seen } = await s.run(scripted({ writes, runMs: 61_000 }, { configOverrides: { graceSec: 5 } }));
    expect(outcome, outcome.errorMessage ?? "").toMatchObject({ status: "succeeded" });
    expect(seen.stdout).toEqual([init, result]);
    // The drain wait leaves room for the reopen and the read after it.
    expect(MIN_LOG_DRAIN_MS).toBeGreaterThanOrEqual(FOLLOW_FINISHED_IDLE_MS + 10_000);
    s.dispose();
  });

  it("a stalled follow while the container runs: output written after the stall arrives one idle bound after the last line", async () => {
    const s = scenario();
    s.fake.faults.stallLogStreams({ afterMs: 10_000 });
    const [init, result] = [transcriptLines(0)[0]!, transcriptLines(0)[1]!];
    const writes = [
      { atMs: 1_000, data: `${init}\n` },
      { atMs: 60_000, data: `${result}\n` },
    ];
    const startedAt = s.fake.clock.now();
    const run = s.start(scripted({ writes, runMs: 30 * 60_000 }));
    await s.until(() => run.seen.stdout.length >= 1);
    const firstAt = s.fake.clock.now();
    await s.until(() => run.seen.stdout.length >= 2);
    const lateAt = s.fake.clock.now();
    const outcome = await run.done;
    expect(outcome, outcome.errorMessage ?? "").toMatchObject({ status: "succeeded" });
    expect(run.seen.stdout).toEqual([init, result]);
    // The idle bound counts from the last line read; polling granularity of until() is 100 ms.
    expect(lateAt - firstAt).toBeGreaterThanOrEqual(FOLLOW_IDLE_MS - 200);
    expect(lateAt - firstAt).toBeLessThanOrEqual(FOLLOW_IDLE_MS + 200);
    expect(lateAt - startedAt).toBeGreaterThan(60_000);
    s.dispose();
  });

  it("a healthy run that writes at least every idle bound costs the same follows at 4 hours as at 20 minutes: no idle reopen", async () => {
    const follows = async (runMs: number): Promise<number> => {
      const s = scenario();
      // A line every 4 min, inside the 5-min idle bound.
      const lines = transcriptLines(Math.round(runMs / (4 * 60_000)) - 1);
      const { outcome, seen } = await s.run(scripted({ lines, runMs }));
      expect(outcome, outcome.errorMessage ?? "").toMatchObject({ status: "succeeded" });
      expect(seen.stdout).toEqual(lines);
      const count = s.fake.requests()["follow log"] ?? 0;
      s.dispose();
      return count;
    };
    const short = await follows(20 * 60_000);
    const long = await follows(4 * 60 * 60_000);
    expect({ short, long }).toEqual({ short: 1, long: 1 });
  });

  it("a quiet but healthy follow: an hour without output costs five follows (three idle reopens at 5, 15 and 35 min), not one per bound", async () => {
    const s = scenario();
    const [init, result] = [transcriptLines(0)[0]!, transcriptLines(0)[1]!];
    const writes = [
      { atMs: 1_000, data: `${init}\n` },
      { atMs: 60 * 60_000, data: `${result}\n` },
    ];
    const { outcome, seen } = await s.run(scripted({ writes, runMs: 60 * 60_000 + 1_000 }));
    expect(outcome.status).toBe("succeeded");
    expect(seen.stdout).toEqual([init, result]);
    // The first follow, reopens after 5, 10 and 20 min of silence (at 5, 15 and 35 min; the 30-min bound then
    // reaches past the end), and the one follow after the exit that proves the log complete.
    expect(s.fake.requests()["follow log"]).toBe(5);
    s.dispose();
  });
});

/**
 * A line every ~36 s, each stream stalling 30 s after it opens: the first stalls before any line, is reopened
 * 5 min after it opened, the reopen reads the backlog and goes on live until its own stall, and so on (stalls
 * at ~0.5, ~5.5 and ~11 min); the follow reopened at ~16 min is cut short by the exit at 20 min and reopened
 * within FOLLOW_FINISHED_IDLE_MS, which reads the tail to EOF before its stall would come.
 */
const FOLLOW_STALLS_IN_20_MIN = 3;
