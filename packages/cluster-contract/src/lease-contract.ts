import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProcessLease, type LeaseHolding, type LeaseRecord, type ObjectRef } from "@clipjob/core";
import type { ContractHarness, HarnessFactory } from "./contract-harness.js";
import { uniqueName } from "./contract-helpers.js";

/**
 * LeasePort behaviour the cross-process agent guard relies on, pinned against the real API server: a taken
 * name is refused with `already_exists`, a write naming an older resourceVersion with `conflict` (update and
 * delete alike), and of two writers acting on the same read exactly one wins.
 */
export function describeLeaseContract(name: string, factory: HarnessFactory): void {
  describe(`LeasePort contract: ${name}`, () => {
    let h: ContractHarness;
    const made: LeaseRecord[] = [];
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      for (const l of made.splice(0)) {
        const current = await h.leases.getLease(l.ref).catch(() => null);
        if (current) await h.leases.deleteLease(current).catch(() => undefined);
      }
      await h.cleanup();
    });

    // Whole milliseconds: the wire's MicroTime carries microseconds, the port reads them back to the ms.
    const holding = (holder: string, over: Partial<LeaseHolding> = {}): LeaseHolding => {
      const now = Math.floor(h.clock.now());
      return { holderIdentity: holder, leaseDurationSeconds: 60, acquireTime: now, renewTime: now, leaseTransitions: 0, ...over };
    };
    const fresh = async (prefix: string, holder = "process-a"): Promise<LeaseRecord> => {
      const ref: ObjectRef = { namespace: h.namespace, name: uniqueName(prefix) };
      const w = await h.leases.createLease(ref, holding(holder), { "app.kubernetes.io/managed-by": "paperclip" });
      if (!w.ok) throw new Error(`create refused: ${w.reason} ${w.message}`);
      made.push(w.lease);
      return w.lease;
    };

    it("create then get: holder, duration, times to the millisecond, transitions and labels read back as written", async () => {
      const ref: ObjectRef = { namespace: h.namespace, name: uniqueName("lease-rt") };
      const written = holding("paperclip/pod-a/17/0a1b", { acquireTime: 1_790_000_000_123, renewTime: 1_790_000_004_567, leaseTransitions: 3 });
      const w = await h.leases.createLease(ref, written, { "app.kubernetes.io/managed-by": "paperclip" });
      expect(w.ok).toBe(true);
      if (!w.ok) return;
      made.push(w.lease);
      expect(w.lease.resourceVersion).not.toBe("");
      const read = await h.leases.getLease(ref);
      expect(read).toMatchObject({ ref, resourceVersion: w.lease.resourceVersion, ...written, labels: { "app.kubernetes.io/managed-by": "paperclip" } });
    });

    it("a process Lease held by a claim is renewed on this server (resourceVersion and renewTime advance) and its last release deletes it", async () => {
      const ref: ObjectRef = { namespace: h.namespace, name: uniqueName("lease-renew") };
      const lease = new ProcessLease("process-r", ref, { durationSeconds: 6, renewMs: 1_000, pollMs: 200 });
      const hold = await lease.hold({ leases: h.leases, clock: h.clock });
      const first = await h.leases.getLease(ref);
      if (first) made.push(first);
      await h.clock.sleep(3_500);
      const later = await h.leases.getLease(ref);
      expect(later?.holderIdentity).toBe("process-r");
      expect(later?.resourceVersion).not.toBe(first?.resourceVersion);
      expect(later!.renewTime!).toBeGreaterThan(first!.renewTime!);
      await hold.release();
      expect(await h.leases.getLease(ref)).toBeNull();
    });

    it("get of a Lease that does not exist is null", async () => {
      expect(await h.leases.getLease({ namespace: h.namespace, name: uniqueName("lease-none") })).toBeNull();
    });

    it("create of a taken name is refused as already_exists (409 AlreadyExists), and the holder stays", async () => {
      const first = await fresh("lease-taken");
      const second = await h.leases.createLease(first.ref, holding("process-b"), {});
      expect(second).toMatchObject({ ok: false, reason: "already_exists" });
      expect((await h.leases.getLease(first.ref))?.holderIdentity).toBe("process-a");
    });

    it("update naming the version read succeeds with a new resourceVersion; naming an older one is a conflict (409)", async () => {
      const first = await fresh("lease-upd");
      const renewed = await h.leases.updateLease(first, holding("process-a", { renewTime: Math.floor(h.clock.now()) + 1_000 }));
      expect(renewed.ok).toBe(true);
      if (!renewed.ok) return;
      expect(renewed.lease.resourceVersion).not.toBe(first.resourceVersion);
      const stale = await h.leases.updateLease(first, holding("process-b"));
      expect(stale).toMatchObject({ ok: false, reason: "conflict" });
      expect((await h.leases.getLease(first.ref))?.holderIdentity).toBe("process-a");
    });

    it("two writers acting on the same read: exactly one update wins, the other gets conflict", async () => {
      const read = await fresh("lease-race");
      const [a, b] = await Promise.all([h.leases.updateLease(read, holding("process-b")), h.leases.updateLease(read, holding("process-c"))]);
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      const loser = a.ok ? b : a;
      expect(loser).toMatchObject({ ok: false, reason: "conflict" });
      const winner = a.ok ? "process-b" : "process-c";
      expect((await h.leases.getLease(read.ref))?.holderIdentity).toBe(winner);
    });

    it("two creators of one name at once: exactly one wins, the other gets already_exists", async () => {
      const ref: ObjectRef = { namespace: h.namespace, name: uniqueName("lease-create-race") };
      const [a, b] = await Promise.all([h.leases.createLease(ref, holding("process-a"), {}), h.leases.createLease(ref, holding("process-b"), {})]);
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      const won = a.ok ? a : b;
      if (won.ok) made.push(won.lease);
      expect(a.ok ? b : a).toMatchObject({ ok: false, reason: "already_exists" });
    });

    it("delete naming an older version is a conflict and leaves the Lease; naming the current one deletes it; again is not_found", async () => {
      const first = await fresh("lease-del");
      const renewed = await h.leases.updateLease(first, holding("process-a"));
      if (!renewed.ok) throw new Error("renewal refused");
      expect(await h.leases.deleteLease(first)).toMatchObject({ ok: false, reason: "conflict" });
      expect(await h.leases.getLease(first.ref)).not.toBeNull();
      expect(await h.leases.deleteLease(renewed.lease)).toEqual({ ok: true });
      expect(await h.leases.getLease(first.ref)).toBeNull();
      expect(await h.leases.deleteLease(renewed.lease)).toMatchObject({ ok: false, reason: "not_found" });
    });

    it("update of a Lease deleted since it was read creates it anew, held by the writer (leases allow create on update)", async () => {
      const first = await fresh("lease-gone");
      expect(await h.leases.deleteLease(first)).toEqual({ ok: true });
      const late = await h.leases.updateLease(first, holding("process-b"));
      expect(late.ok).toBe(true);
      expect(await h.leases.getLease(first.ref)).toMatchObject({ holderIdentity: "process-b", labels: first.labels });
    });
  });
}
