// One agent, one Job across processes (issue 14, fault 8): two host processes on one cluster — two Paperclip
// replicas during a rolling update — each with its own ports and in-process locks, sharing only the API
// server. The agent's claim (the run's payload Secret under the agent's name, created before the Job) decides
// which of them supervises the agent's Job; each process's Lease says whether a claim's holder is alive.
import { agentClaimName, declareGone, LABEL_MANAGED_BY, MANAGED_BY_VALUE, GONE_PREFIX, processLeaseName, PROCESS_LEASE_TIMING, type ProgressEvent, type RunOutcome } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { jobsLeft, liveJobs, NAMESPACE, payloads, request, scenario, scripted, transcriptLines } from "./harness.js";

const AGENT = "agent-7f3a";
const CLAIM = agentClaimName(AGENT);
const SESSION = { sessionId: "7a1d8e2c-1111-4222-8333-944455556666" };

const notices = (progress: readonly ProgressEvent[]): string[] => progress.flatMap((p) => (p.type === "notice" ? [p.message] : []));

describe("one agent, one Job across processes: the agent's claim and the process Leases", () => {
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
    expect(lost).toMatchObject({ status: "failed", errorCode: "k8s_concurrent_run_blocked", errorMeta: { claim: CLAIM, holder: winner }, job: null });
    expect(lost.errorMessage).toContain(`another clipjob process (${winner}) holds claim Secret ${NAMESPACE}/${CLAIM}`);
    expect(lost.errorMessage).toContain("this run created no Job");
    // The holder deleted its claim when it stopped supervising, and its process Lease with its last claim.
    expect(payloads(s.fake)).toEqual([]);
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
    expect(s.fake.clock.now() - askedAt).toBeLessThanOrEqual(PROCESS_LEASE_TIMING.renewMs + PROCESS_LEASE_TIMING.pollMs);
    expect(notices(seen.progress).some((n) => n.includes(`claim Secret ${NAMESPACE}/${CLAIM} is held by replica-a`))).toBe(true);
    expect((await ra.done).status).toBe("succeeded");
    s.dispose();
  });

  it("a crashed holder never blocks forever: the next process waits out its Lease's duration, marks it gone, takes over the claim and reattaches the orphan", async () => {
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
    expect(notices(second.seen.progress).some((n) => n.startsWith(`Took over claim Secret ${NAMESPACE}/${CLAIM} from replica-a`))).toBe(true);
    expect(s.fake.requests()["create job"]).toBe(1);
    // Watched for one Lease duration (plus one poll), never longer.
    expect(s.fake.clock.now() - crashedAt).toBeGreaterThanOrEqual(PROCESS_LEASE_TIMING.durationSeconds * 1000 - PROCESS_LEASE_TIMING.renewMs);
    // The crashed holder's Lease is marked, not deleted: a PUT may create a Lease, so a deleted one could come back silently.
    expect(s.fake.leaseObjects().find((l) => l.ref.name === processLeaseName("replica-a"))?.holderIdentity).toBe(`${GONE_PREFIX}replica-b`);
    expect((await first.done).status).not.toBe("succeeded");
    s.dispose();
  });

  it("a graceful shutdown deletes the process Lease and keeps the claim: the next process reattaches at once, without waiting", async () => {
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
    expect(payloads(s.fake)).toEqual([CLAIM]);
    const askedAt = s.fake.clock.now();
    const second = await b.run(scripted({ lines, runMs: 5 * 60_000 }, { session: SESSION }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: true } });
    expect(notices(second.seen.progress).some((n) => n.includes("is held by"))).toBe(false);
    expect(notices(second.seen.progress).some((n) => n.startsWith(`Took over claim Secret ${NAMESPACE}/${CLAIM} from replica-a`))).toBe(true);
    expect(second.outcome.durationMs).toBeLessThanOrEqual(5 * 60_000 + (s.fake.clock.now() - askedAt));
    expect(payloads(s.fake)).toEqual([]);
    s.dispose();
  });

  it("a run's own requests are constant in its length: the claim's create and delete; the process renews one Lease per interval and deletes it with its last claim", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const run = a.start(scripted({ lines: transcriptLines(10), runMs: 10 * 60_000 }));
    await s.until(() => run.seen.stdout.length >= 3);
    expect(s.fake.leaseObjects()).toMatchObject([
      { ref: { name: processLeaseName("replica-a") }, holderIdentity: "replica-a", leaseDurationSeconds: PROCESS_LEASE_TIMING.durationSeconds, labels: { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE } },
    ]);
    const outcome: RunOutcome = await run.done;
    expect(outcome.status).toBe("succeeded");
    const requests = s.fake.requests();
    expect([requests["create secret"], requests["create job"], requests["delete secret"], requests["delete job"] ?? 0, requests["get secret"] ?? 0, requests["patch secret"] ?? 0, requests["patch job"] ?? 0]).toEqual([1, 1, 1, 0, 0, 0, 0]);
    expect(requests["create lease"]).toBe(1);
    expect(requests["delete lease"]).toBe(1);
    expect(requests["get lease"] ?? 0).toBe(0);
    const renewals = requests["update lease"] ?? 0;
    const expected = Math.floor(outcome.durationMs / PROCESS_LEASE_TIMING.renewMs);
    expect(renewals).toBeGreaterThanOrEqual(expected - 1);
    expect(renewals).toBeLessThanOrEqual(expected + 1);
    s.dispose();
  });

  it("two runs of one process share its Lease: the second is blocked in-process, and the Lease lives until the last claim is released", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const first = a.start(scripted({ lines: transcriptLines(5), runMs: 120_000 }));
    await s.until(() => first.seen.stdout.length >= 1);
    const second = await a.run(request({ taskId: "task-42" }));
    expect(second.outcome.errorCode).toBe("k8s_concurrent_run_blocked");
    expect(second.outcome.errorMessage).toContain(`Job ${first.seen.jobs[0]} is still running for this agent`);
    expect(s.fake.leaseObjects()).toHaveLength(1);
    expect((await first.done).status).toBe("succeeded");
    expect(s.fake.leaseObjects()).toEqual([]);
    expect(a.locks.heldLeases).toBe(0);
    s.dispose();
  });

  it("runs of many agents in one process share one Lease: one create and one renewal per interval for all of them", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const runs = [1, 2, 3, 4, 5].map((n) => a.start(scripted({ lines: transcriptLines(5), runMs: 5 * 60_000 }, { agent: { id: `agent-${n}`, companyId: "company-1", name: `Agent ${n}` } })));
    const outcomes = await Promise.all(runs.map((r) => r.done));
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill("succeeded"));
    const requests = s.fake.requests();
    expect([requests["create secret"], requests["delete secret"], requests["create lease"], requests["delete lease"]]).toEqual([5, 5, 1, 1]);
    expect(requests["update lease"] ?? 0).toBeLessThanOrEqual(Math.ceil(Math.max(...outcomes.map((o) => o.durationMs)) / PROCESS_LEASE_TIMING.renewMs) + 1);
    s.dispose();
  });

  for (const [verb, group, resource, says] of [
    ["create", "coordination.k8s.io", "leases", "may not create leases.coordination.k8s.io"],
    ["create", "", "secrets", "may not create secrets"],
  ] as const) {
    it(`without RBAC to ${verb} ${resource} the run is k8s_permission_denied naming the verb and resource; no Job is created`, async () => {
      const s = scenario();
      s.fake.denyPermission({ verb, group, resource });
      const { outcome } = await s.run(request());
      expect(outcome.errorCode).toBe("k8s_permission_denied");
      expect(outcome.errorMessage).toContain(says);
      expect(s.fake.requests()["create job"]).toBeUndefined();
      s.dispose();
    });
  }

  for (const operation of ["create lease", "create secret"]) {
    it(`an API that keeps failing at "${operation}" is k8s_concurrency_guard_unreachable naming the claim; no Job is created`, async () => {
      const s = scenario();
      s.fake.faults.failRequests({ operation, error: "503" });
      const { outcome } = await s.run(request());
      expect(outcome.errorCode).toBe("k8s_concurrency_guard_unreachable");
      expect(outcome.errorMessage).toContain(`claim Secret ${NAMESPACE}/${CLAIM} or this process's Lease could not be read or written`);
      expect(s.fake.requests()["create job"]).toBeUndefined();
      s.dispose();
    });
  }

  it("a holder declared gone while it still runs (a partition longer than its Lease) finds out at its next renewal and, its claim taken over, stops supervising and leaves the Job to the taker", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const b = s.process("replica-b");
    const lines = transcriptLines(30, { sessionId: SESSION.sessionId });
    const first = a.start(scripted({ lines, runMs: 30 * 60_000 }, { session: SESSION }));
    await s.until(() => first.seen.stdout.length >= 2);
    // What replica-b's claim writes once replica-a's Lease has gone unrenewed for its duration: the mark, then the adopt.
    const held = s.fake.leaseObjects().find((l) => l.ref.name === processLeaseName("replica-a"))!;
    expect(await declareGone(b.deps().leases, held, "replica-b", s.fake.clock.now())).toBe(true);
    const claim = (await b.deps().cluster.getClaim({ namespace: NAMESPACE, name: CLAIM }))!;
    const adopted = await b.deps().cluster.adoptClaim(claim, { holder: "replica-b", holderLease: { namespace: NAMESPACE, name: processLeaseName("replica-b") }, runId: "run-b", jobName: first.seen.jobs[0]! });
    expect(adopted.ok).toBe(true);

    const outcome = await first.done;
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_concurrent_run_blocked", errorMeta: { takenOverBy: "another clipjob process" }, job: { kept: true, keptBecause: "taken_over" } });
    expect(outcome.errorMessage).toMatch(/^Run taken over: this process was judged gone/);
    // The Job was left running for the taker; the claim, no longer replica-a's, was not deleted.
    expect(liveJobs(s.fake)).toEqual(first.seen.jobs);
    expect(payloads(s.fake)).toEqual([CLAIM]);
    // replica-a took its Lease back (it is alive); the claim names replica-b, whose next run of the agent picks up the Job.
    expect(s.fake.leaseObjects().find((l) => l.ref.name === processLeaseName("replica-a"))).toBeUndefined();
    const second = await b.run(scripted({ lines, runMs: 30 * 60_000 }, { session: SESSION }));
    expect(second.outcome).toMatchObject({ status: "succeeded", job: { reattached: true, name: first.seen.jobs[0] } });
    expect(payloads(s.fake)).toEqual([]);
    s.dispose();
  });

  it("a fenced process creates no Job: its Lease marked gone and its claim replaced while its guard was still reading, the run ends k8s_concurrent_run_blocked with nothing created", async () => {
    const s = scenario();
    const timing = { durationSeconds: 6, renewMs: 2_000, pollMs: 500 };
    const a = s.process("replica-a", { leaseTiming: timing });
    const b = s.process("replica-b", { leaseTiming: timing });
    // The guard's first list of the namespace is refused for 5 s (its retries wait it out), so the run sits
    // between its claim and its Job for longer than a renewal interval.
    const from = s.fake.clock.now();
    s.fake.faults.failRequests({ operation: "list jobs", error: "429", from, until: from + 5_000, retryAfterMs: 2_000 });
    const run = a.start(request());
    await s.until(() => payloads(s.fake).length === 1);
    // What replica-b does once replica-a's Lease has gone unrenewed for its duration and its claim's Job is absent:
    // the mark, then the replace.
    const held = s.fake.leaseObjects().find((l) => l.ref.name === processLeaseName("replica-a"))!;
    expect(await declareGone(b.deps().leases, held, "replica-b", s.fake.clock.now())).toBe(true);
    const claim = (await b.deps().cluster.getClaim({ namespace: NAMESPACE, name: CLAIM }))!;
    expect(await b.deps().cluster.deleteClaim(claim)).toEqual({ ok: true });
    const replaced = await b.deps().cluster.createClaim(claim.ref, { holder: "replica-b", holderLease: { namespace: NAMESPACE, name: processLeaseName("replica-b") }, runId: "run-b", jobName: "ac-b" }, {}, { prompt: "b" });
    expect(replaced.ok).toBe(true);

    const outcome = await run.done;
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_concurrent_run_blocked", job: null });
    expect(outcome.errorMessage).toContain("this process's Lease was declared gone (marked gone:replica-b)");
    expect(s.fake.requests()["create job"] ?? 0).toBe(0);
    // replica-b's claim is untouched: replica-a's release names the uid and version it wrote.
    expect((await b.deps().cluster.getClaim(claim.ref))?.holder).toBe("replica-b");
    s.dispose();
  });

  it("a holder whose Lease lapsed but whose claim nobody took keeps supervising and says so", async () => {
    const s = scenario();
    const a = s.process("replica-a");
    const b = s.process("replica-b");
    const first = a.start(scripted({ lines: transcriptLines(10), runMs: 5 * 60_000 }));
    await s.until(() => first.seen.stdout.length >= 2);
    const held = s.fake.leaseObjects().find((l) => l.ref.name === processLeaseName("replica-a"))!;
    expect(await declareGone(b.deps().leases, held, "replica-b", s.fake.clock.now())).toBe(true);
    const outcome = await first.done;
    expect(outcome.status).toBe("succeeded");
    expect(notices(first.seen.progress).some((n) => n.startsWith("This process's Lease lapsed (marked gone:replica-b), but the agent's claim is still this run's"))).toBe(true);
    expect(payloads(s.fake)).toEqual([]);
    expect(await jobsLeft(s.fake)).toEqual([]);
    s.dispose();
  });
});
