// One agent, one Job across processes (issue 14, fault 8): two host processes on one cluster — two Paperclip
// replicas during a rolling update — each with its own ports and in-process locks, sharing only the API
// server. The agent's Lease decides which of them supervises the agent's Job.
import { AGENT_LEASE_TIMING, agentLeaseName, type ProgressEvent, type RunOutcome } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { liveJobs, NAMESPACE, request, scenario, scripted, transcriptLines } from "./harness.js";

const AGENT = "agent-7f3a";
const LEASE = agentLeaseName(AGENT);
const SESSION = { sessionId: "7a1d8e2c-1111-4222-8333-944455556666" };

const notices = (progress: readonly ProgressEvent[]): string[] => progress.flatMap((p) => (p.type === "notice" ? [p.message] : []));

describe("one agent, one Job across processes: the agent's Lease", () => {
  it("two processes start a run for one agent at once: exactly one Job; the other ends k8s_concurrent_run_blocked naming the holder", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const b = s.process("replica-b");
    const lines = transcriptLines(5);
    const ra = a.start(scripted({ lines, runMs: 10 * 60_000 }, { runId: "run-a" }));
    const rb = b.start(scripted({ lines, runMs: 10 * 60_000 }, { runId: "run-b" }));
    const [oa, ob] = await Promise.all([ra.done, rb.done]);

    expect(s.fake.requests()["create job"]).toBe(1);
    const [won, lost, winner] = oa.status === "succeeded" ? [oa, ob, "replica-a"] : [ob, oa, "replica-b"];
    expect(won.status).toBe("succeeded");
    expect(lost).toMatchObject({ status: "failed", errorCode: "k8s_concurrent_run_blocked", errorMeta: { lease: LEASE, holder: winner }, job: null });
    expect(lost.errorMessage).toContain(`another clipjob process (${winner}) holds Lease ${NAMESPACE}/${LEASE}`);
    expect(lost.errorMessage).toContain("this run created no Job");
    // The holder deleted its Lease when it stopped supervising: the agent is free again.
    expect(s.fake.leaseObjects()).toEqual([]);
    expect(liveJobs(s.fake)).toEqual([]);
    s.dispose();
  });

  it("the loser waits no longer than one renewal of a live holder, however long the holder's run", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const b = s.process("replica-b");
    const ra = a.start(scripted({ lines: transcriptLines(40), runMs: 60 * 60_000 }));
    await s.until(() => ra.seen.stdout.length >= 2);
    const askedAt = s.fake.clock.now();
    const { outcome, seen } = await b.run(request());
    expect(outcome.errorCode).toBe("k8s_concurrent_run_blocked");
    expect(s.fake.clock.now() - askedAt).toBeLessThanOrEqual(AGENT_LEASE_TIMING.renewMs + AGENT_LEASE_TIMING.pollMs);
    expect(notices(seen.progress).some((n) => n.includes(`Lease ${NAMESPACE}/${LEASE} is held by replica-a`))).toBe(true);
    expect((await ra.done).status).toBe("succeeded");
    s.dispose();
  });

  it("a crashed holder never blocks forever: the next process waits out the Lease's duration, takes it over and reattaches the orphan", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const b = s.process("replica-b");
    const lines = transcriptLines(40, { sessionId: SESSION.sessionId });
    const first = a.start(scripted({ lines, runMs: 10 * 60_000 }, { session: SESSION }));
    await s.until(() => first.seen.stdout.length >= 10);
    a.exit();
    const crashedAt = s.fake.clock.now();
    const second = await b.run(scripted({ lines, runMs: 10 * 60_000 }, { session: SESSION }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: true, name: first.seen.jobs[0] } });
    expect(second.seen.stdout).toEqual(lines);
    expect(notices(second.seen.progress)).toContain(`Took over Lease ${NAMESPACE}/${LEASE} from replica-a: it went unrenewed for its whole duration, so its holder is gone`);
    expect(s.fake.requests()["create job"]).toBe(1);
    // Taken over within its duration after the last renewal the crashed holder could make, plus one look.
    expect(s.fake.clock.now() - crashedAt).toBeGreaterThanOrEqual(0);
    expect((await first.done).status).not.toBe("succeeded");
    s.dispose();
  });

  it("a graceful shutdown releases the Lease: the next process reattaches at once, without waiting", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const b = s.process("replica-b");
    const shutdown = new AbortController();
    const lines = transcriptLines(30, { sessionId: SESSION.sessionId });
    const first = a.start(scripted({ lines, runMs: 5 * 60_000 }, { session: SESSION }), { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 5);
    shutdown.abort();
    expect((await first.done).job).toMatchObject({ kept: true, keptBecause: "shutdown" });
    expect(s.fake.leaseObjects()).toEqual([]);
    const second = await b.run(scripted({ lines, runMs: 5 * 60_000 }, { session: SESSION }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: true } });
    expect(notices(second.seen.progress).some((n) => n.includes("is held by"))).toBe(false);
    s.dispose();
  });

  it("the holder renews while it supervises: one Lease update per renewal interval, and the Lease names it throughout", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const run = a.start(scripted({ lines: transcriptLines(10), runMs: 10 * 60_000 }));
    await s.until(() => run.seen.stdout.length >= 3);
    expect(s.fake.leaseObjects()).toMatchObject([{ holderIdentity: "replica-a", leaseDurationSeconds: AGENT_LEASE_TIMING.durationSeconds, labels: { "paperclip.io/agent-id": AGENT } }]);
    const outcome: RunOutcome = await run.done;
    expect(outcome.status).toBe("succeeded");
    const requests = s.fake.requests();
    expect(requests["create lease"]).toBe(1);
    expect(requests["delete lease"]).toBe(1);
    const renewals = requests["update lease"] ?? 0;
    const expected = Math.floor(outcome.durationMs / AGENT_LEASE_TIMING.renewMs);
    expect(renewals).toBeGreaterThanOrEqual(expected - 1);
    expect(renewals).toBeLessThanOrEqual(expected + 1);
    s.dispose();
  });

  it("two runs of one process share its Lease: the second is blocked by the in-process guard, and the Lease lives until the last one ends", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const first = a.start(scripted({ lines: transcriptLines(5), runMs: 120_000 }));
    await s.until(() => first.seen.stdout.length >= 1);
    const second = await a.run(request({ taskId: "task-42" }));
    expect(second.outcome.errorCode).toBe("k8s_concurrent_run_blocked");
    expect(s.fake.leaseObjects()).toHaveLength(1);
    expect((await first.done).status).toBe("succeeded");
    expect(s.fake.leaseObjects()).toEqual([]);
    s.dispose();
  });

  it("without RBAC on leases the run is k8s_permission_denied naming the verb and leases.coordination.k8s.io; no Job is created", async () => {
    const s = scenario();
    s.fake.denyPermission({ verb: "create", group: "coordination.k8s.io", resource: "leases" });
    const { outcome } = await s.run(request());
    expect(outcome.errorCode).toBe("k8s_permission_denied");
    expect(outcome.errorMessage).toContain("may not create leases.coordination.k8s.io");
    expect(s.fake.requests()["create job"]).toBeUndefined();
    s.dispose();
  });

  it("a Lease API that keeps failing is k8s_concurrency_guard_unreachable naming the Lease; no Job is created", async () => {
    const s = scenario();
    s.fake.faults.failRequests({ operation: "get lease", error: "503" });
    const { outcome } = await s.run(request());
    expect(outcome.errorCode).toBe("k8s_concurrency_guard_unreachable");
    expect(outcome.errorMessage).toContain(`Lease ${NAMESPACE}/${LEASE} could not be read or written`);
    expect(s.fake.requests()["create job"]).toBeUndefined();
    s.dispose();
  });

  it("a holder whose Lease was taken over (its renewals lost in a partition) finds out at its next renewal and says so", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const b = s.process("replica-b");
    const lines = transcriptLines(30, { sessionId: SESSION.sessionId });
    const first = a.start(scripted({ lines, runMs: 30 * 60_000 }, { session: SESSION }));
    await s.until(() => first.seen.stdout.length >= 2);
    // What replica-b's claim writes once the Lease has gone unrenewed for its duration.
    const [held] = s.fake.leaseObjects();
    const now = s.fake.clock.now();
    const taken = await b.deps().leases.updateLease(held!, { holderIdentity: "replica-b", leaseDurationSeconds: 60, acquireTime: now, renewTime: now, leaseTransitions: 1 });
    expect(taken.ok).toBe(true);
    await s.until(() => notices(first.seen.progress).some((n) => n.startsWith(`Lost Lease ${NAMESPACE}/${LEASE} to replica-b`)));
    expect(a.locks.leases.size).toBe(0);
    const second = await b.run(scripted({ lines, runMs: 30 * 60_000 }, { session: SESSION }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: true } });
    await first.done;
    s.dispose();
  });
});
