import { NO_HOST_FACTS, parseConfig, planAgentJob } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { jobsLeft, liveJobs, NAMESPACE, request, scenario, scripted, transcriptLines } from "./harness.js";

const SESSION = { sessionId: "7a1d8e2c-1111-4222-8333-944455556666" };

describe("guard, orphans and reattach", () => {
  it("host restart mid-run: the next run reattaches and reports the orphan's full transcript (FAR-124, predecessor defect 4)", async () => {
    const s = scenario();
    const lines = transcriptLines(40, { sessionId: SESSION.sessionId });
    const first = s.start(scripted({ lines, runMs: 10 * 60_000 }, { session: SESSION, configOverrides: { apiUnreachableSec: 60 } }));
    await s.until(() => first.seen.stdout.length >= 10);
    s.restartHost();
    const second = await s.run(scripted({ lines, runMs: 10 * 60_000 }, { session: SESSION }));
    expect(second.outcome.job).toMatchObject({ reattached: true, name: first.seen.jobs[0] });
    expect(second.outcome.status).toBe("succeeded");
    expect(second.seen.stdout).toEqual(lines);
    const firstOutcome = await first.done;
    expect(firstOutcome.status).not.toBe("succeeded");
    expect(await jobsLeft(s.fake)).toEqual([]);
    s.dispose();
  });

  it("a Job a failed submit left suspended (its clean-up failed too) does not block the agent: the next run removes it and proceeds (issue 14, fault 6)", async () => {
    const s = scenario();
    // A submit without an agent claim (as clipjob made them before claims, or any caller of submit) whose resume
    // and clean-up both failed.
    s.fake.faults.failRequests({ operation: "patch job", error: "500", count: 1 });
    const cleanup = s.fake.faults.failRequests({ operation: "delete job", error: "500" });
    const leftover = request();
    const config = parseConfig(leftover.config);
    if (!config.ok) throw new Error(config.error.message);
    const planned = planAgentJob({ request: leftover, config: config.value, host: NO_HOST_FACTS, defaultNamespace: NAMESPACE, promptBundle: null });
    if (!planned.ok) throw new Error(planned.error.message);
    await expect(s.fake.cluster.submit(planned.value)).rejects.toMatchObject({ operation: "patch job" });
    cleanup.remove();
    const [stuck] = liveJobs(s.fake);
    expect(s.fake.jobs(NAMESPACE)[0]?.suspended).toBe(true);
    await s.fake.clock.sleep(60_000);

    const next = await s.run(scripted({ lines: transcriptLines(3), runMs: 1_000 }));
    expect(next.outcome.status).toBe("succeeded");
    expect(next.seen.progress.some((p) => p.type === "notice" && p.message.startsWith(`Removed Job ${stuck}: suspended since`))).toBe(true);
    expect(await jobsLeft(s.fake)).toEqual([]);
    s.dispose();
  });

  it("shutdown keeps the Job; the next run reattaches to it", async () => {
    const s = scenario();
    const shutdown = new AbortController();
    const lines = transcriptLines(30, { sessionId: SESSION.sessionId });
    const first = s.start(scripted({ lines, runMs: 5 * 60_000 }, { session: SESSION }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 5);
    shutdown.abort();
    const firstOutcome = await first.done;
    expect(firstOutcome.job).toMatchObject({ kept: true, keptBecause: "shutdown" });
    expect(liveJobs(s.fake)).toEqual(first.seen.jobs);
    const second = await s.run(scripted({ lines, runMs: 5 * 60_000 }, { session: SESSION }));
    expect(second.outcome.job?.reattached).toBe(true);
    expect(second.outcome.status).toBe("succeeded");
    expect(second.seen.stdout).toEqual(lines);
    s.dispose();
  });

  it("an orphan running another task blocks the run and is never deleted", async () => {
    const s = scenario();
    const shutdown = new AbortController();
    const first = s.start(scripted({ lines: transcriptLines(5), runMs: 600_000 }, { taskId: "task-A" }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 1);
    shutdown.abort();
    await first.done;
    const { outcome } = await s.run(request({ taskId: "task-B" }));
    expect(outcome.errorCode).toBe("k8s_concurrent_run_blocked");
    expect(liveJobs(s.fake)).toHaveLength(1);
    s.dispose();
  });

  it("an orphan with a different session blocks with k8s_orphan_session_mismatch", async () => {
    const s = scenario();
    const shutdown = new AbortController();
    const first = s.start(scripted({ lines: transcriptLines(5), runMs: 600_000 }, { session: SESSION }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 1);
    shutdown.abort();
    await first.done;
    const { outcome } = await s.run(request({ session: { sessionId: "00000000-0000-4000-8000-000000000000" } }));
    expect(outcome.errorCode).toBe("k8s_orphan_session_mismatch");
    s.dispose();
  });

  it("reattach disabled: an orphan blocks", async () => {
    const s = scenario();
    const shutdown = new AbortController();
    const first = s.start(scripted({ lines: transcriptLines(5), runMs: 600_000 }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 1);
    shutdown.abort();
    await first.done;
    const { outcome } = await s.run(request({ configOverrides: { reattachOrphanedJobs: false } }));
    expect(outcome.errorCode).toBe("k8s_concurrent_run_blocked");
    s.dispose();
  });

  it("a Job being deleted whose pod is gone does not block (FAR-34)", async () => {
    const s = scenario();
    const shutdown = new AbortController();
    const first = s.start(scripted({ lines: transcriptLines(5), runMs: 600_000 }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 1);
    shutdown.abort();
    await first.done;
    await s.fake.deleteJobExternally(first.seen.jobs[0]!, "Foreground");
    await s.until(() => s.fake.pods("clipjob").length === 0, 120_000);
    const { outcome } = await s.run(request({ taskId: "another-task" }));
    expect(outcome.status).toBe("succeeded");
    s.dispose();
  });

  it("a Job being deleted that still has a live pod blocks (it still runs Claude)", async () => {
    const s = scenario();
    const shutdown = new AbortController();
    // The container ignores SIGTERM, so its pod lives through the grace period while the Job is deleting.
    const first = s.start(scripted({ lines: transcriptLines(5), runMs: 600_000, ignoreSigterm: true }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 1);
    shutdown.abort();
    await first.done;
    void s.fake.deleteJobExternally(first.seen.jobs[0]!, "Foreground");
    await s.fake.clock.sleep(1_000);
    const { outcome } = await s.run(request({ taskId: "another-task" }));
    expect(outcome.errorCode).toBe("k8s_concurrent_run_blocked");
    s.dispose();
  });

  it("two heartbeats for one agent at once never create two Jobs (FAR-29 TOCTOU)", async () => {
    const s = scenario();
    const a = s.start(scripted({ lines: transcriptLines(5), runMs: 120_000 }));
    const b = s.start(scripted({ lines: transcriptLines(5), runMs: 120_000 }));
    const [oa, ob] = await Promise.all([a.done, b.done]);
    expect(s.fake.requests()["create job"]).toBe(1);
    expect([oa.errorCode, ob.errorCode]).toContain("k8s_concurrent_run_blocked");
    s.dispose();
  });
});
