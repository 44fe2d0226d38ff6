import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ClaimHolder, ClaimRecord, ObjectRef } from "@clipjob/core";
import type { ContractHarness, HarnessFactory } from "./contract-harness.js";
import { eventually, uniqueName } from "./contract-helpers.js";

/**
 * The agent claim (the run's payload Secret under the agent's name) as `ClusterPort` keeps it, pinned against the
 * real API server: a taken name is refused with `already_exists`; an adopt (a merge patch carrying the
 * resourceVersion) or a delete (uid and resourceVersion preconditions) naming a stale version or another
 * incarnation is refused with `conflict`, and of two writers acting on the same read exactly one wins.
 */
export function describeClaimContract(name: string, factory: HarnessFactory): void {
  describe(`ClaimPort contract: ${name}`, () => {
    let h: ContractHarness;
    const made: ObjectRef[] = [];
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      for (const ref of made.splice(0)) {
        const current = await h.cluster.getClaim(ref).catch(() => null);
        if (current) await h.cluster.deleteClaim(current).catch(() => undefined);
      }
      await h.cleanup();
    });

    const holder = (who: string, job = "ac-job-1"): ClaimHolder => ({ holder: who, holderLease: { namespace: h.namespace, name: `clipjob-process-${who}` }, runId: `run-${who}`, jobName: job });
    const fresh = async (prefix: string, who = "process-a"): Promise<ClaimRecord> => {
      const ref: ObjectRef = { namespace: h.namespace, name: uniqueName(prefix) };
      made.push(ref);
      const w = await h.cluster.createClaim(ref, holder(who), { "app.kubernetes.io/managed-by": "clipjob" }, { prompt: "héllo ✓", "run-token": "t" });
      if (!w.ok) throw new Error(`create refused: ${w.reason} ${w.message}`);
      return w.claim;
    };

    it("a created claim reads back with its holder, its holder's Lease and its Job", async () => {
      const created = await fresh("claim-rt");
      expect(created.uid).not.toBe("");
      expect(created.resourceVersion).not.toBe("");
      expect(await h.cluster.getClaim(created.ref)).toEqual({
        ref: created.ref,
        uid: created.uid,
        resourceVersion: created.resourceVersion,
        holder: "process-a",
        holderLease: { namespace: h.namespace, name: "clipjob-process-process-a" },
        jobName: "ac-job-1",
        deleting: false,
        reported: false,
      });
      expect(await h.access.secretExists(h.namespace, created.ref.name)).toBe(true);
    });

    it("get of a claim that does not exist is null", async () => {
      expect(await h.cluster.getClaim({ namespace: h.namespace, name: uniqueName("claim-none") })).toBeNull();
    });

    it("create of a taken name is refused as already_exists (409 AlreadyExists), and the holder stays", async () => {
      const first = await fresh("claim-taken");
      const second = await h.cluster.createClaim(first.ref, holder("process-b"), {}, { prompt: "b" });
      expect(second).toMatchObject({ ok: false, reason: "already_exists" });
      expect((await h.cluster.getClaim(first.ref))?.holder).toBe("process-a");
    });

    it("two creates of one name at once: exactly one wins", async () => {
      const ref: ObjectRef = { namespace: h.namespace, name: uniqueName("claim-race") };
      made.push(ref);
      const results = await Promise.all(["process-a", "process-b"].map((who) => h.cluster.createClaim(ref, holder(who), {}, { prompt: who })));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toMatchObject([{ ok: false, reason: "already_exists" }]);
    });

    it("an adopt naming the version read rewrites the holder and keeps the uid (and so the payload); one naming an older version is a conflict (409)", async () => {
      const first = await fresh("claim-adopt");
      const adopted = await h.cluster.adoptClaim(first, holder("process-b"));
      if (!adopted.ok) throw new Error(`adopt refused: ${adopted.reason}`);
      expect(adopted.claim).toMatchObject({ uid: first.uid, holder: "process-b", holderLease: { name: "clipjob-process-process-b" }, jobName: "ac-job-1" });
      expect(adopted.claim.resourceVersion).not.toBe(first.resourceVersion);
      expect(await h.cluster.adoptClaim(first, holder("process-c"))).toMatchObject({ ok: false, reason: "conflict" });
      expect((await h.cluster.getClaim(first.ref))?.holder).toBe("process-b");
    });

    it("marking a claim reported at the version read sets clipjob.dev/reported and keeps uid and holder; an adopt keeps the mark; at an older version it is a conflict (409)", async () => {
      const first = await fresh("claim-reported");
      const marked = await h.cluster.markClaimReported(first);
      if (!marked.ok) throw new Error(`mark refused: ${marked.reason}`);
      expect(marked.claim).toMatchObject({ uid: first.uid, holder: "process-a", reported: true });
      expect(await h.cluster.markClaimReported(first)).toMatchObject({ ok: false, reason: "conflict" });
      const adopted = await h.cluster.adoptClaim(marked.claim, holder("process-b"));
      if (!adopted.ok) throw new Error(`adopt refused: ${adopted.reason}`);
      expect(adopted.claim).toMatchObject({ holder: "process-b", reported: true });
      expect(await h.cluster.getClaim(first.ref)).toMatchObject({ reported: true });
    });

    it("two adopts acting on the same read: exactly one wins", async () => {
      const first = await fresh("claim-adopt-race");
      const results = await Promise.all(["process-b", "process-c"].map((who) => h.cluster.adoptClaim(first, holder(who))));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toMatchObject([{ ok: false, reason: "conflict" }]);
    });

    it("an adopt of another incarnation of the name (same name, another uid) is a conflict", async () => {
      const first = await fresh("claim-incarnation");
      expect(await h.cluster.deleteClaim(first)).toEqual({ ok: true });
      await waitGone(h, first.ref);
      const again = await h.cluster.createClaim(first.ref, holder("process-b"), {}, { prompt: "b" });
      if (!again.ok) throw new Error(`create refused: ${again.reason}`);
      expect(await h.cluster.adoptClaim(first, holder("process-c"))).toMatchObject({ ok: false, reason: "conflict" });
      expect(await h.cluster.deleteClaim({ ...first, resourceVersion: again.claim.resourceVersion })).toMatchObject({ ok: false, reason: "conflict" });
      expect((await h.cluster.getClaim(first.ref))?.holder).toBe("process-b");
    });

    it("a delete naming an older version is a conflict and deletes nothing; naming the current one deletes it; a second delete is not_found", async () => {
      const first = await fresh("claim-del");
      const adopted = await h.cluster.adoptClaim(first, holder("process-b"));
      if (!adopted.ok) throw new Error(`adopt refused: ${adopted.reason}`);
      expect(await h.cluster.deleteClaim(first)).toMatchObject({ ok: false, reason: "conflict" });
      expect(await h.cluster.getClaim(first.ref)).not.toBeNull();
      expect(await h.cluster.deleteClaim(adopted.claim)).toEqual({ ok: true });
      await waitGone(h, first.ref);
      expect(await h.cluster.deleteClaim(adopted.claim)).toMatchObject({ ok: false, reason: "not_found" });
    });

    /** A Job submitted under `claim`: it mounts the claim as its payload and is owned by it. */
    const claimedJob = async (claim: ClaimRecord, prefix: string) => {
      const spec = await h.driver.specFor(uniqueName(prefix), { runMs: 600_000 });
      return h.cluster.submit({ ...spec, payloadSecret: claim.ref.name, payloadSecretUid: claim.uid });
    };

    it("a Job submitted under a claim runs from it, and is collected with it when the claim is deleted (Background)", async () => {
      const claim = await fresh("claim-owns");
      const job = await claimedJob(claim, "claimed-job");
      await eventually(h, "the Job's pod runs", async () => (await h.cluster.listPods(job.ref)).some((p) => p.phase === "Running"));
      expect(await h.cluster.deleteClaim(claim)).toEqual({ ok: true });
      await eventually(h, "the Job collected with its claim", async () => (await h.cluster.getJob(job.ref)) === null);
    });

    it("a Job submitted under a claim outlives a claim deleted with Orphan", async () => {
      const claim = await fresh("claim-orphans");
      const job = await claimedJob(claim, "orphaned-job");
      expect(await h.cluster.deleteClaim(claim, "Orphan")).toEqual({ ok: true });
      await waitGone(h, claim.ref);
      await h.clock.sleep(2_000);
      expect((await h.cluster.getJob(job.ref))?.ref.uid).toBe(job.ref.uid);
      await h.cluster.deleteJob(job.ref, "Background");
    });

    it("a Job submitted under a claim that was replaced since (a fenced holder's late Job) is collected at once", async () => {
      const claim = await fresh("claim-fence");
      expect(await h.cluster.deleteClaim(claim)).toEqual({ ok: true });
      await waitGone(h, claim.ref);
      const again = await h.cluster.createClaim(claim.ref, holder("process-b"), {}, { prompt: "b" });
      if (!again.ok) throw new Error(`create refused: ${again.reason}`);
      const late = await claimedJob(claim, "late-job");
      await eventually(h, "the late Job collected (its owner's uid is gone)", async () => (await h.cluster.getJob(late.ref)) === null);
      expect((await h.cluster.getClaim(claim.ref))?.holder).toBe("process-b");
    });

    it("a claim larger than a Secret holds (1 MiB) is refused as too_large, and nothing is created", async () => {
      const ref: ObjectRef = { namespace: h.namespace, name: uniqueName("claim-big") };
      made.push(ref);
      await expect(h.cluster.createClaim(ref, holder("process-a"), {}, { prompt: "x".repeat(1024 * 1024 + 1) })).rejects.toMatchObject({ code: "too_large" });
      expect(await h.cluster.getClaim(ref)).toBeNull();
    });
  });
}

/** A deleted Secret has no finalizers of ours, but the API answers the delete before the read sees it gone on some servers. */
async function waitGone(h: ContractHarness, ref: ObjectRef): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    if ((await h.cluster.getClaim(ref)) === null) return;
    await h.clock.sleep(100);
  }
  throw new Error(`claim ${ref.namespace}/${ref.name} still there after its delete`);
}
