import { describe, expect, it } from "vitest";
import { liveJobs, payloads, request, scenario, scripted, transcriptLines } from "./harness.js";

describe("Job lifecycle faults", () => {
  it("Job deleted externally mid-run: job-gone message with its detection path and forensics (FAR-31/107)", async () => {
    const s = scenario();
    const { done, seen } = s.start(scripted({ lines: transcriptLines(50), runMs: 10 * 60_000 }));
    await s.until(() => seen.stdout.length >= 10);
    await s.fake.deleteJobExternally(seen.jobs[0]!);
    const outcome = await done;
    expect(outcome.errorCode).toBe("k8s_job_deleted_externally");
    expect(outcome.errorMessage).toMatch(/detected_via=|detected via/);
    expect(outcome.errorMessage).toContain(seen.jobs[0]!);
    await s.fake.clock.sleep(30_000);
    expect(payloads(s.fake)).toEqual([]);
    s.dispose();
  });

  it("a failing completion read is not a timeout (BLO-10448, predecessor defect 7): watch and get fail for 2 minutes", async () => {
    const s = scenario();
    const lines = transcriptLines(20);
    const { done, seen } = s.start(scripted({ lines, runMs: 5 * 60_000 }));
    await s.until(() => seen.stdout.length >= 2);
    const now = s.fake.clock.now();
    s.fake.faults.failRequests({ operation: /job/, error: "503", from: now, until: now + 120_000 });
    s.fake.faults.expireWatches();
    const outcome = await done;
    expect(outcome.status).toBe("succeeded");
    expect(outcome.timedOut).toBe(false);
    expect(seen.stdout).toEqual(lines);
    s.dispose();
  });

  it("Job-condition lag of 40 s: the outcome is still right, not 'job gone' (FAR-107 be84428)", async () => {
    const s = scenario();
    s.fake.faults.jobConditionLag(40_000);
    const { outcome } = await s.run(scripted({ lines: transcriptLines(3), exitCode: 0 }));
    expect(outcome.status).toBe("succeeded");
    s.dispose();
  });

  it("kubelet status lag of 20 s: the exit code is read through the lag (FAR-107 b1878c6)", async () => {
    const s = scenario({ statusLagMs: 20_000 });
    const { outcome } = await s.run(scripted({ lines: transcriptLines(2, { isError: true }), exitCode: 3 }));
    expect(outcome.exitCode).toBe(3);
    expect(outcome.status).toBe("failed");
    s.dispose();
  });

  it("a Job-condition that never arrives does not hang the run (FAR-23 unbounded at HEAD, predecessor defect 8)", async () => {
    const s = scenario();
    s.fake.faults.jobConditionLag(24 * 3600_000);
    const { outcome } = await s.run(scripted({ lines: transcriptLines(2) }, { configOverrides: { graceSec: 30 } }));
    expect(outcome.status).toBe("succeeded");
    s.dispose();
  });

  it("deadline: timeoutSec 60 on a 10-minute run gives `timeout` with the container's exit code", async () => {
    const s = scenario();
    const { outcome } = await s.run(scripted({ lines: transcriptLines(100), runMs: 10 * 60_000 }, { configOverrides: { timeoutSec: 60 } }));
    expect(outcome.errorCode).toBe("timeout");
    expect(outcome.timedOut).toBe(true);
    expect(outcome.status).toBe("timed_out");
    expect(outcome.errorMessage).toContain("60s");
    expect(liveJobs(s.fake)).toEqual([]);
    s.dispose();
  });

  it("pod eviction mid-run is reported as an eviction, with the transcript so far", async () => {
    const s = scenario();
    const { done, seen } = s.start(scripted({ lines: transcriptLines(60), runMs: 10 * 60_000 }));
    await s.until(() => seen.stdout.length >= 5);
    const pod = s.fake.pods("clipjob")[0]!;
    await s.fake.evictPod(pod.ref.name);
    const outcome = await done;
    expect(outcome.status).toBe("failed");
    expect(["k8s_pod_evicted", "claude_truncated"]).toContain(outcome.errorCode);
    expect(outcome.errorMessage).toMatch(/evict|Evict|SIGTERM|143/);
    s.dispose();
  });

  it("node loss mid-run ends the run with a pod-lost or truncated code, within bounds", async () => {
    const s = scenario();
    const { done, seen } = s.start(scripted({ lines: transcriptLines(60), runMs: 10 * 60_000 }));
    await s.until(() => seen.stdout.length >= 5);
    const pod = s.fake.pods("clipjob")[0]!;
    s.fake.loseNode(pod.nodeName!);
    const outcome = await done;
    expect(outcome.status).not.toBe("succeeded");
    expect(outcome.errorCode).not.toBeNull();
    s.dispose();
  });

  it("a cluster that stays unreachable gives k8s_outcome_unknown and keeps the Job (never a fake timeout)", async () => {
    const s = scenario();
    const { done, seen } = s.start(scripted({ lines: transcriptLines(60), runMs: 10 * 60_000 }, { configOverrides: { apiUnreachableSec: 120 } }));
    await s.until(() => seen.stdout.length >= 3);
    s.fake.faults.failRequests({ operation: /./, error: "reset", from: s.fake.clock.now(), until: s.fake.clock.now() + 6 * 3600_000 });
    s.fake.faults.expireWatches();
    s.fake.faults.cutLogStreams({ everyMs: 1_000, mode: "error" });
    const outcome = await done;
    expect(outcome.errorCode).toBe("k8s_outcome_unknown");
    expect(outcome.status).toBe("unknown");
    expect(outcome.timedOut).toBe(false);
    expect(outcome.job?.kept).toBe(true);
    s.dispose();
  });

  it("Job deleted externally with Foreground propagation: the SIGTERM exit is the deletion's, not a Claude truncation", async () => {
    const s = scenario();
    const { done, seen } = s.start(scripted({ lines: transcriptLines(50), runMs: 10 * 60_000 }));
    await s.until(() => seen.stdout.length >= 10);
    await s.fake.deleteJobExternally(seen.jobs[0]!, "Foreground");
    const outcome = await done;
    expect(outcome.errorCode).toBe("k8s_job_deleted_externally");
    expect(outcome.errorMessage).toMatch(/detected via/);
    s.dispose();
  });

  it("evicted after Claude wrote a successful result: the run succeeded (the kill's exit code is not Claude's)", async () => {
    const s = scenario();
    const lines = transcriptLines(5);
    const { done, seen } = s.start(scripted({ lines, runMs: 60_000 }, { configOverrides: { graceSec: 120 } }));
    // The result line is written at 6/7 of the run; evict right after it, before the process exits.
    await s.until(() => seen.stdout.length === lines.length);
    await s.fake.evictPod(s.fake.pods("clipjob")[0]!.ref.name);
    const outcome = await done;
    expect(outcome.status).toBe("succeeded");
    expect(outcome.summary).toBe("finished 5 steps");
    s.dispose();
  });
});
