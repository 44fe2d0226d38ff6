// One Lease per process carries the liveness of all its agent claims (docs/constant-cost-agent-claim.md). These cases pin what the design relies on, over the fake API server: the process-wide cost does not
// grow with the number of runs, a live process is told from a gone one by the claim verdict, and a process a
// taker judged gone finds out at its next renewal.
import { PROCESS_LEASE_TIMING, claimVerdict, declareGone, GONE_PREFIX, processLeaseName, ProcessLease, type ClaimRecord, type ProcessHold } from "@clipjob/core";
import { FakeCluster } from "@clipjob/fake-cluster";
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { NAMESPACE } from "./harness.js";

const A = "replica-a/17/aa";
const B = "replica-b/9/bb";
const leaseRef = (identity: string) => ({ namespace: NAMESPACE, name: processLeaseName(identity) });
const claimOf = (holder: string): ClaimRecord => ({ ref: { namespace: NAMESPACE, name: "clipjob-agent-x-000000000000" }, uid: "u-1", resourceVersion: "7", holder, holderLease: leaseRef(holder), jobName: "ac-x-run-1-000000000000", deleting: false, reported: false });

describe("the process Lease: one per process, shared by all its agent claims", () => {
  it("100 claims held for 60 minutes cost 1 create, one update per renewal interval and 1 delete — not 100 Leases", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const ports = { leases: fake.leases, clock: fake.clock };
    const lease = new ProcessLease(A, leaseRef(A));
    const holds: ProcessHold[] = [];
    for (let i = 0; i < 100; i += 1) holds.push(await lease.hold(ports));
    expect(fake.leaseObjects()).toMatchObject([{ holderIdentity: A }]);
    await fake.clock.sleep(60 * 60_000 + 1);
    for (const h of holds) await h.release();
    const requests = fake.requests();
    expect(requests["create lease"]).toBe(1);
    expect(requests["update lease"]).toBe((60 * 60_000) / PROCESS_LEASE_TIMING.renewMs);
    expect(requests["delete lease"]).toBe(1);
    expect(lease.size).toBe(0);
    expect(fake.leaseObjects()).toEqual([]);
    fake.dispose();
  });

  it("a live holder is told from a gone one: its Lease changes within one renewal; absent after its last release, its claims are free at once", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = fake.openProcess();
    const lease = new ProcessLease(A, leaseRef(A));
    const hold = await lease.hold({ leases: a.leases, clock: fake.clock });
    const b = fake.openProcess();
    const claimant = { claim: claimOf(A), job: "live" as const, identity: B, timing: PROCESS_LEASE_TIMING };
    const first = await b.leases.getLease(leaseRef(A));
    const seenAt = fake.clock.now();
    expect(claimVerdict({ ...claimant, holderLease: first, now: seenAt, firstSeen: null })).toMatchObject({ kind: "wait" });
    await fake.clock.sleep(PROCESS_LEASE_TIMING.renewMs + 1);
    const again = await b.leases.getLease(leaseRef(A));
    expect(claimVerdict({ ...claimant, holderLease: again, now: fake.clock.now(), firstSeen: { resourceVersion: first!.resourceVersion, at: seenAt } })).toEqual({ kind: "busy", holder: A });
    await hold.release();
    expect(claimVerdict({ ...claimant, holderLease: await b.leases.getLease(leaseRef(A)), now: fake.clock.now(), firstSeen: null })).toEqual({ kind: "adopt", from: A, finished: false });
    fake.dispose();
  });

  it("a crashed holder is gone one Lease duration after the claimant first looked, never later", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = fake.openProcess();
    const lease = new ProcessLease(A, leaseRef(A));
    await lease.hold({ leases: a.leases, clock: fake.clock });
    a.exit();
    const b = fake.openProcess();
    const first = await b.leases.getLease(leaseRef(A));
    const seenAt = fake.clock.now();
    const claimant = { claim: claimOf(A), job: "finished" as const, identity: B, timing: PROCESS_LEASE_TIMING };
    const firstVerdict = claimVerdict({ ...claimant, holderLease: first, now: seenAt, firstSeen: null });
    expect(firstVerdict).toEqual({ kind: "wait", untilMs: seenAt + PROCESS_LEASE_TIMING.durationSeconds * 1000 });
    await fake.clock.sleep(PROCESS_LEASE_TIMING.durationSeconds * 1000);
    const later = await b.leases.getLease(leaseRef(A));
    expect(later?.resourceVersion).toBe(first?.resourceVersion);
    expect(claimVerdict({ ...claimant, holderLease: later, now: fake.clock.now(), firstSeen: { resourceVersion: first!.resourceVersion, at: seenAt } })).toEqual({ kind: "replace", from: A });
    fake.dispose();
  });

  it("a holder a taker declared gone (renewals lost in a partition) is fenced at its next renewal and holds its Lease again", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = fake.openProcess();
    const lease = new ProcessLease(A, leaseRef(A));
    const hold = await lease.hold({ leases: a.leases, clock: fake.clock });
    const b = fake.openProcess();
    const watched = await b.leases.getLease(leaseRef(A));
    expect(await declareGone(b.leases, watched!, B, fake.clock.now())).toBe(true);
    expect(fake.leaseObjects()).toMatchObject([{ holderIdentity: `${GONE_PREFIX}${B}` }]);
    expect(hold.fenced.aborted).toBe(false);
    await fake.clock.sleep(PROCESS_LEASE_TIMING.renewMs + 1);
    expect(hold.fenced.aborted).toBe(true);
    expect(String(hold.fenced.reason)).toBe(`marked ${GONE_PREFIX}${B}`);
    expect(fake.leaseObjects()).toMatchObject([{ holderIdentity: A }]);
    // A claim made after the fence is not fenced by it.
    const next = await lease.hold({ leases: a.leases, clock: fake.clock });
    expect(next.fenced.aborted).toBe(false);
    await hold.release();
    await next.release();
    fake.dispose();
  });

  it("200 holds on one process Lease: each run's fence listener sits on its own signal (no MaxListenersExceededWarning in the host's log), and one fencing aborts every hold", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = fake.openProcess();
    const lease = new ProcessLease(A, leaseRef(A));
    const holds: ProcessHold[] = [];
    for (let i = 0; i < 200; i += 1) {
      const hold = await lease.hold({ leases: a.leases, clock: fake.clock });
      hold.fenced.addEventListener("abort", () => undefined, { once: true }); // as runAgentJob does for each run
      holds.push(hold);
    }
    expect(Math.max(...holds.map((h) => getEventListeners(h.fenced, "abort").length))).toBe(1);
    const b = fake.openProcess();
    expect(await declareGone(b.leases, (await b.leases.getLease(leaseRef(A)))!, B, fake.clock.now())).toBe(true);
    await fake.clock.sleep(PROCESS_LEASE_TIMING.renewMs + 1);
    expect(holds.filter((h) => h.fenced.aborted)).toHaveLength(200);
    for (const h of holds) await h.release();
    fake.dispose();
  });

  it("a taker whose holder renewed after all is refused: declareGone at a stale version returns false and changes nothing", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const lease = new ProcessLease(A, leaseRef(A));
    const hold = await lease.hold({ leases: fake.leases, clock: fake.clock });
    const b = fake.openProcess();
    const watched = await b.leases.getLease(leaseRef(A));
    await fake.clock.sleep(PROCESS_LEASE_TIMING.renewMs + 1);
    expect(await declareGone(b.leases, watched!, B, fake.clock.now())).toBe(false);
    expect(fake.leaseObjects()).toMatchObject([{ holderIdentity: A }]);
    expect(hold.fenced.aborted).toBe(false);
    await hold.release();
    fake.dispose();
  });
});
