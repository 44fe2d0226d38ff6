// Draft (docs/constant-cost-agent-claim.md): the agent claim — the payload Secret under a per-agent name,
// created once per run — with its holder's liveness in one Lease per process. The same cases as
// lease-across-processes.test.ts, at the claim level (not yet wired into runAgentJob): exactly one claim for
// two racing processes, a live holder told from a gone one, a crashed holder never blocking forever.
import { PROCESS_LEASE_TIMING, agentClaimName, claimAgent, GONE_PREFIX, processLeaseName, ProcessLease, type AgentClaimResult, type ClaimedJobState, type ClaimAgentRequest } from "@clipjob/core";
import { FakeCluster, type FakeProcessPorts } from "@clipjob/fake-cluster";
import { describe, expect, it } from "vitest";
import { NAMESPACE } from "./harness.js";

const AGENT = "agent-7f3a";
const CLAIM = { namespace: NAMESPACE, name: agentClaimName(AGENT) };

function processOn(fake: FakeCluster, identity: string): { ports: FakeProcessPorts; lease: ProcessLease; claim(runId: string, job?: ClaimedJobState): Promise<AgentClaimResult> } {
  const ports = fake.openProcess();
  const lease = new ProcessLease(identity, { namespace: NAMESPACE, name: processLeaseName(identity) });
  const request = (runId: string, job: ClaimedJobState): ClaimAgentRequest => ({ ref: CLAIM, runId, jobName: `ac-${runId}`, labels: { "paperclip.io/agent-id": AGENT }, data: { prompt: runId }, jobState: () => job });
  return { ports, lease, claim: (runId, job = "live") => claimAgent({ claims: ports.cluster, leases: ports.leases, clock: fake.clock }, lease, request(runId, job)) };
}

const claimed = (r: AgentClaimResult) => {
  if (r.kind !== "claimed") throw new Error(`expected claimed, got ${JSON.stringify(r)}`);
  return r;
};

describe("one agent, one claim across processes (draft: payload Secret + one Lease per process)", () => {
  it("a fault-free claim and release is one create and one delete of the claim; the process Lease is per process", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = processOn(fake, "replica-a");
    const won = claimed(await a.claim("run-1"));
    await fake.clock.sleep(60 * 60_000 + 1);
    expect(await won.release()).toEqual({ deleted: true });
    const r = fake.requests();
    // Per run: the claim's create and delete (they replace today's create / delete of the payload and the Job).
    expect([r["create secret"], r["delete secret"], r["get secret"] ?? 0, r["update secret"] ?? 0]).toEqual([1, 1, 0, 0]);
    // Per process, whatever the number of runs: one create, one update per renewal interval, one delete.
    expect([r["create lease"], r["update lease"], r["delete lease"], r["get lease"] ?? 0]).toEqual([1, (60 * 60_000) / PROCESS_LEASE_TIMING.renewMs, 1, 0]);
    fake.dispose();
  });

  it("two processes claim one agent at once: exactly one claim; the other is busy naming the holder within one renewal", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = processOn(fake, "replica-a");
    const b = processOn(fake, "replica-b");
    const askedAt = fake.clock.now();
    const [ra, rb] = await Promise.all([a.claim("run-a"), b.claim("run-b")]);
    const [won, lost, winner] = ra.kind === "claimed" ? [ra, rb, "replica-a"] : [rb, ra, "replica-b"];
    expect(won.kind).toBe("claimed");
    expect(lost).toEqual({ kind: "busy", holder: winner, ours: false });
    expect(fake.clock.now() - askedAt).toBeLessThanOrEqual(PROCESS_LEASE_TIMING.renewMs + PROCESS_LEASE_TIMING.pollMs);
    expect(fake.requests()["create secret"]).toBe(2);
    fake.dispose();
  });

  it("a crashed holder never blocks forever: the next process waits out one Lease duration, marks the holder gone and adopts its claim", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = processOn(fake, "replica-a");
    const b = processOn(fake, "replica-b");
    const first = claimed(await a.claim("run-a"));
    a.ports.exit();
    const crashedAt = fake.clock.now();
    const second = claimed(await b.claim("run-b", "live"));
    const waited = fake.clock.now() - crashedAt;
    expect(waited).toBeGreaterThanOrEqual(PROCESS_LEASE_TIMING.durationSeconds * 1000);
    expect(waited).toBeLessThanOrEqual(PROCESS_LEASE_TIMING.durationSeconds * 1000 + PROCESS_LEASE_TIMING.pollMs);
    expect(second).toMatchObject({ adoptedFrom: "replica-a", replacedFrom: null, claim: { uid: first.claim.uid, holder: "replica-b" } });
    expect(fake.leaseObjects().find((l) => l.ref.name === processLeaseName("replica-a"))?.holderIdentity).toBe(`${GONE_PREFIX}replica-b`);
    // The crashed holder's release (had it come back) is refused: the adopt changed the claim's version.
    expect(await first.release().catch(() => ({ deleted: false }))).toEqual({ deleted: false });
    fake.dispose();
  });

  it("a graceful shutdown (the process Lease deleted, the claim kept for its running Job) frees the claim at once", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = processOn(fake, "replica-a");
    const b = processOn(fake, "replica-b");
    const first = claimed(await a.claim("run-a"));
    await fake.clock.sleep(5 * 60_000);
    await first.keep();
    expect(a.lease.size).toBe(0);
    expect(fake.leaseObjects().map((l) => l.ref.name)).not.toContain(processLeaseName("replica-a"));
    const startedAt = fake.clock.now();
    const second = claimed(await b.claim("run-b", "live"));
    expect(fake.clock.now() - startedAt).toBe(0);
    expect(second.adoptedFrom).toBe("replica-a");
    fake.dispose();
  });

  it("a gone holder whose Job finished: its claim is replaced (precondition delete, then create), with a new uid", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = processOn(fake, "replica-a");
    const b = processOn(fake, "replica-b");
    const first = claimed(await a.claim("run-a"));
    a.ports.exit();
    const second = claimed(await b.claim("run-b", "finished"));
    expect(second.replacedFrom).toBe("replica-a");
    expect(second.claim.uid).not.toBe(first.claim.uid);
    expect(second.claim.holder).toBe("replica-b");
    fake.dispose();
  });

  it("two processes find the same crashed holder: exactly one adopts, the other is busy naming it", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = processOn(fake, "replica-a");
    const b = processOn(fake, "replica-b");
    const c = processOn(fake, "replica-c");
    claimed(await a.claim("run-a"));
    a.ports.exit();
    const [rb, rc] = await Promise.all([b.claim("run-b", "live"), c.claim("run-c", "live")]);
    const results = [rb, rc];
    expect(results.filter((r) => r.kind === "claimed")).toHaveLength(1);
    const winner = rb.kind === "claimed" ? "replica-b" : "replica-c";
    expect(results.find((r) => r.kind !== "claimed")).toEqual({ kind: "busy", holder: winner, ours: false });
    fake.dispose();
  });

  it("a live holder cut off longer than its Lease's duration: the taker adopts, the holder is fenced at its next renewal, and its release leaves the adopted claim alone", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE });
    const a = processOn(fake, "replica-a");
    const b = processOn(fake, "replica-b");
    const t0 = fake.clock.now();
    const first = claimed(await a.claim("run-a"));
    // Renewals (and the taker's mark) fail for 62 s: longer than the 60 s the taker watches.
    const outage = fake.faults.failRequests({ operation: "update lease", error: "503", from: t0, until: t0 + 62_000 });
    const second = claimed(await b.claim("run-b", "live"));
    expect(second).toMatchObject({ adoptedFrom: "replica-a", claim: { uid: first.claim.uid, holder: "replica-b" } });
    expect(outage.hits).toBeGreaterThanOrEqual(3);
    expect(first.fenced.aborted).toBe(false);
    await fake.clock.sleep(PROCESS_LEASE_TIMING.renewMs + 1);
    expect(first.fenced.aborted).toBe(true);
    expect(String(first.fenced.reason)).toBe(`marked ${GONE_PREFIX}replica-b`);
    expect(await first.release()).toEqual({ deleted: false });
    expect((await b.ports.cluster.getClaim(CLAIM))?.holder).toBe("replica-b");
    await second.release();
    fake.dispose();
  });
});
