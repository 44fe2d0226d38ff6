import { describe, expect, it } from "vitest";
import { jobsLeft, liveJobs, NAMESPACE, payloads, request, scenario, scripted, transcriptLines } from "./harness.js";

describe("a fault-free run", () => {
  it("succeeds with usage, cost and session, streams every line, and leaves no Job or payload", async () => {
    const s = scenario();
    const { outcome, seen } = await s.run(request());
    expect(outcome.status).toBe("succeeded");
    expect(outcome.errorCode).toBeNull();
    expect(outcome.exitCode).toBe(0);
    expect(outcome.sessionId).toBeTruthy();
    expect(outcome.usage?.outputTokens).toBeGreaterThan(0);
    expect(outcome.costUsd).toBeGreaterThan(0);
    expect(outcome.summary.length).toBeGreaterThan(0);
    expect(seen.stdout.length).toBeGreaterThan(2);
    expect(seen.stdout.every((l) => l.startsWith("{"))).toBe(true);
    expect(outcome.job?.kept).toBe(false);
    expect(await jobsLeft(s.fake)).toEqual([]);
    await s.fake.clock.sleep(30_000);
    expect(payloads(s.fake)).toEqual([]);
    s.dispose();
  });

  it("delivers the exact transcript in order with the usage of the result event (cache creation counted as input)", async () => {
    const s = scenario();
    const lines = transcriptLines(25);
    const { outcome, seen } = await s.run(scripted({ lines, runMs: 60_000 }));
    expect(seen.stdout).toEqual(lines);
    expect(outcome.usage).toMatchObject({ inputTokens: 120, cachedInputTokens: 300, outputTokens: 50 });
    expect(outcome.costUsd).toBeCloseTo(0.0123);
    expect(outcome.summary).toBe("finished 25 steps");
    s.dispose();
  });

  it("reports progress through every phase and the pod's state changes", async () => {
    const s = scenario();
    const { seen } = await s.run(request());
    const phases = seen.progress.filter((p) => p.type === "phase").map((p) => (p as { phase: string }).phase);
    expect(phases).toEqual(expect.arrayContaining(["planning", "guarding", "submitting", "waiting_for_pod", "running", "settling", "cleaning_up", "done"]));
    expect(seen.progress.some((p) => p.type === "pod" && p.detail.includes("claude=running"))).toBe(true);
    s.dispose();
  });

  it("stderr lines reach the observer as stderr (predecessor defect 2: stderr was never captured)", async () => {
    const s = scenario();
    const { outcome, seen } = await s.run(scripted({ lines: transcriptLines(2), stderrLines: ["warning: something odd", "npm notice x"] }));
    expect(outcome.status).toBe("succeeded");
    expect(seen.stderr).toEqual(["warning: something odd", "npm notice x"]);
    s.dispose();
  });

  it("keeps the Job when retainJobs is set, and says so", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ configOverrides: { retainJobs: true } }));
    expect(outcome.job).toMatchObject({ kept: true, keptBecause: "retain" });
    // The claim that owned it went with Orphan propagation: the Job outlives it, freed of the reference.
    expect(await jobsLeft(s.fake)).toHaveLength(1);
    expect(s.fake.jobs(NAMESPACE)[0]?.ownerReferences).toEqual([]);
    expect(payloads(s.fake)).toEqual([]);
    s.dispose();
  });

  it("timeoutSec 0 means no deadline: a two-hour run completes (BLO-2436: 0 became a 0 s deadline)", async () => {
    const s = scenario();
    const { outcome } = await s.run(scripted({ lines: transcriptLines(3), runMs: 2 * 3600_000 }, { configOverrides: { timeoutSec: 0 } }));
    expect(outcome.status).toBe("succeeded");
    expect(outcome.timedOut).toBe(false);
    s.dispose();
  });
});
