// A finished orphan (issues 14/15): a run kept at a host shutdown, or orphaned by a host crash, keeps its agent
// claim; when its Job has FINISHED by the time the next run of its task comes, that run delivers the Job — its
// whole transcript from the pod log, its outcome from its termination — instead of running the task again. A
// claim whose outcome was delivered is never there (the run deletes it) or is marked reported (a failed delete).
import { agentClaimName, ANNOTATION_CLAIM_REPORTED, type ProgressEvent } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { jobsLeft, NAMESPACE, payloads, scenario, scripted, transcriptLines, type Scenario } from "./harness.js";

const AGENT = "agent-7f3a";
const CLAIM = agentClaimName(AGENT);
const SESSION = { sessionId: "7a1d8e2c-1111-4222-8333-944455556666" };

const notices = (progress: readonly ProgressEvent[]): string[] => progress.flatMap((p) => (p.type === "notice" ? [p.message] : []));
const finished = (s: Scenario): boolean => s.fake.jobs(NAMESPACE).length > 0 && s.fake.jobs(NAMESPACE).every((j) => j.conditions.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True"));

describe("a finished orphan is delivered, not run again", () => {
  it("host restart, the orphan finishes before the next run of its task: its transcript and result are delivered, no second Job", async () => {
    const s = scenario();
    const lines = transcriptLines(40, { sessionId: SESSION.sessionId });
    const first = s.start(scripted({ lines, runMs: 10 * 60_000 }, { session: SESSION, configOverrides: { apiUnreachableSec: 60 } }));
    await s.until(() => first.seen.stdout.length >= 10);
    s.restartHost();
    await s.until(() => finished(s));
    const second = await s.run(scripted({ lines, runMs: 10 * 60_000 }, { session: SESSION }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: true, name: first.seen.jobs[0] } });
    expect(second.seen.stdout).toEqual(lines);
    // Read from the log's start to its end at once (virtual time): the finished container's log is not followed for more.
    expect(second.outcome.durationMs).toBeLessThan(10_000);
    expect(s.fake.requests()["create job"]).toBe(1);
    expect(notices(second.seen.progress).some((n) => n.startsWith(`Reattached to Job ${first.seen.jobs[0]} from an earlier run (`) && n.includes("which finished before its outcome was delivered"))).toBe(true);
    expect(notices(second.seen.progress).some((n) => n.includes(`its Job ${first.seen.jobs[0]} finished for this task and its outcome was never delivered`))).toBe(true);
    expect((await first.done).status).not.toBe("succeeded");
    // Delivered: the claim is released and the finished Job is collected with it.
    expect(payloads(s.fake)).toEqual([]);
    expect(await jobsLeft(s.fake)).toEqual([]);
    s.dispose();
  });

  it("graceful shutdown, the kept Job finishes before another process's next run of its task: delivered at once with its failure, no second Job", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const b = s.process("replica-b");
    const shutdown = new AbortController();
    const lines = transcriptLines(20, { sessionId: SESSION.sessionId, isError: true });
    const first = a.start(scripted({ lines, runMs: 5 * 60_000, exitCode: 1 }, { session: SESSION }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 5);
    shutdown.abort();
    expect((await first.done).job).toMatchObject({ kept: true, keptBecause: "shutdown" });
    await s.until(() => finished(s));
    const second = await b.run(scripted({ lines: transcriptLines(3), runMs: 1_000 }, { session: SESSION }));
    expect(second.outcome).toMatchObject({ status: "failed", job: { reattached: true, name: first.seen.jobs[0] } });
    expect(second.outcome.errorMessage).toContain("Something broke");
    expect(second.seen.stdout).toEqual(lines);
    expect(s.fake.requests()["create job"]).toBe(1);
    expect(payloads(s.fake)).toEqual([]);
    expect(await jobsLeft(s.fake)).toEqual([]);
    s.dispose();
  });

  it("the finished orphan ran another task: the claim is replaced and the new task runs in a new Job", async () => {
    const s = scenario();
    const shutdown = new AbortController();
    const first = s.start(scripted({ lines: transcriptLines(10), runMs: 60_000 }, { taskId: "task-1" }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 2);
    shutdown.abort();
    await first.done;
    s.restartHost();
    await s.until(() => finished(s));
    const lines = transcriptLines(3);
    const second = await s.run(scripted({ lines, runMs: 1_000 }, { taskId: "task-2" }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: false } });
    expect(second.seen.stdout).toEqual(lines);
    expect(notices(second.seen.progress).some((n) => n.startsWith(`Replaced claim Secret ${NAMESPACE}/${CLAIM}`))).toBe(true);
    expect(s.fake.requests()["create job"]).toBe(2);
    s.dispose();
  });

  it("a run without a task id keeps today's behaviour: the finished orphan's claim is replaced, a new Job runs", async () => {
    const s = scenario();
    const shutdown = new AbortController();
    const first = s.start(scripted({ lines: transcriptLines(10), runMs: 60_000 }, { taskId: null }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 2);
    shutdown.abort();
    await first.done;
    s.restartHost();
    await s.until(() => finished(s));
    const second = await s.run(scripted({ lines: transcriptLines(3), runMs: 1_000 }, { taskId: null }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: false } });
    expect(s.fake.requests()["create job"]).toBe(2);
    s.dispose();
  });

  it("a delivered run whose claim could not be deleted marks it reported: after a restart the next run of the task is not handed the old result again", async () => {
    const s = scenario();
    const lines = transcriptLines(5);
    const release = s.fake.faults.failRequests({ operation: "delete secret", error: "500" });
    const first = await s.run(scripted({ lines, runMs: 1_000 }));
    expect(first.outcome.status).toBe("succeeded");
    release.remove();
    expect(s.fake.secrets(NAMESPACE).find((x) => x.ref.name === CLAIM)?.annotations[ANNOTATION_CLAIM_REPORTED]).toBe("true");
    s.restartHost();
    const next = transcriptLines(7);
    const second = await s.run(scripted({ lines: next, runMs: 1_000 }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: false } });
    expect(second.seen.stdout).toEqual(next);
    expect(s.fake.requests()["create job"]).toBe(2);
    expect(payloads(s.fake)).toEqual([]);
    s.dispose();
  });

  it("a claim whose release and reported mark both failed, taken back by the same process: replaced, its delivered Job never handed out again", async () => {
    const s = scenario();
    const failing = [s.fake.faults.failRequests({ operation: "delete secret", error: "500" }), s.fake.faults.failRequests({ operation: "patch secret", error: "500" })];
    const first = await s.run(scripted({ lines: transcriptLines(5), runMs: 1_000 }));
    expect(first.outcome.status).toBe("succeeded");
    for (const f of failing) f.remove();
    expect(s.fake.secrets(NAMESPACE).find((x) => x.ref.name === CLAIM)?.annotations[ANNOTATION_CLAIM_REPORTED]).toBeUndefined();
    const next = transcriptLines(7);
    const second = await s.run(scripted({ lines: next, runMs: 1_000 }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: false } });
    expect(second.seen.stdout).toEqual(next);
    expect(s.fake.requests()["create job"]).toBe(2);
    s.dispose();
  });

  it("a run kept at a shutdown the process survives (Paperclip let go of the run): the same process's next run of the task delivers the finished Job", async () => {
    const s = scenario();
    const shutdown = new AbortController();
    const lines = transcriptLines(12, { sessionId: SESSION.sessionId });
    const first = s.start(scripted({ lines, runMs: 2 * 60_000 }, { session: SESSION }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 3);
    shutdown.abort();
    expect((await first.done).job).toMatchObject({ kept: true, keptBecause: "shutdown" });
    await s.until(() => finished(s));
    const second = await s.run(scripted({ lines: transcriptLines(2), runMs: 1_000 }, { session: SESSION }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: true, name: first.seen.jobs[0] } });
    expect(second.seen.stdout).toEqual(lines);
    expect(s.fake.requests()["create job"]).toBe(1);
    expect(payloads(s.fake)).toEqual([]);
    s.dispose();
  });
});
