// The liveness half of the agent claim (docs/architecture.md, "Across processes"). ONE coordination.k8s.io
// Lease per process, renewed every `renewMs` for all the agent claims the process holds (as a kubelet renews
// one node Lease for all its pods), so a process's API cost is one update per interval however many runs it
// supervises. Claims name this Lease; a claimant that finds it absent, naming someone else, or unrenewed for its
// duration treats the claims naming it as a gone holder's.

import { LABEL_MANAGED_BY, MANAGED_BY_VALUE } from "../job/labels.js";
import type { Clock } from "../ports/clock.js";
import { ClusterError } from "../ports/cluster-error.js";
import type { ObjectRef } from "../ports/cluster-objects.js";
import type { LeaseHolding, LeasePort, LeaseRecord } from "../ports/lease-port.js";
import { PROCESS_LEASE_TIMING, type LeaseTiming } from "./lease-timing.js";

/** What a taker writes as `holderIdentity` into the Lease of a process it judged gone (see `declareGone`). */
export const GONE_PREFIX = "gone:";

export interface ProcessLeasePorts {
  readonly leases: LeasePort;
  readonly clock: Clock;
}

/** One claim's share of the process Lease. */
export interface ProcessHold {
  /**
   * Aborts when other processes may have judged this one gone while the hold was on: a taker marked its Lease
   * gone, or renewals failed for the Lease's whole duration. The claim must then be re-read before it is
   * trusted (a taker may have adopted or replaced it).
   */
  readonly fenced: AbortSignal;
  /** Ends this share; the last one stops renewing and deletes the Lease (its claims are then free at once). */
  release(): Promise<void>;
}

/**
 * The process Lease. `hold` before writing a claim that names it: it creates the Lease (or renews it when the
 * last renewal is older than `durationSeconds − renewMs`), so no claim ever names a Lease that is absent or
 * about to expire. Operations are serialised: a hold and the last release never interleave.
 */
export class ProcessLease {
  private record: LeaseRecord | null = null;
  private renewedAt = 0;
  private holds = 0;
  // One controller per hold, not one shared signal: every run adds an abort listener to its hold's signal, and
  // a signal shared by more than 10 concurrent runs makes Node warn of a listener leak in the host's log.
  private readonly fences = new Set<AbortController>();
  private stop: AbortController | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Uids of this process's claims here that outlived a run which had delivered their Job's outcome (a release
   * that failed): taken back by a later run of this process, such a claim is replaced, its Job never delivered
   * again — also when the `clipjob.dev/reported` mark failed too.
   */
  readonly delivered = new Set<string>();

  constructor(
    /** `holderIdentity`: unique per process (host, pid, random). */
    readonly identity: string,
    /** Where the Lease lives (the process's home namespace, the name from `processLeaseName`). */
    readonly ref: ObjectRef,
    readonly timing: LeaseTiming = PROCESS_LEASE_TIMING,
  ) {}

  /** Claims sharing the Lease right now. */
  get size(): number {
    return this.holds;
  }

  /** Throws `ClusterError` when the Lease cannot be written (RBAC, unreachable API, taken by a stranger). */
  hold(ports: ProcessLeasePorts): Promise<ProcessHold> {
    return this.serial(async () => {
      const now = ports.clock.now();
      if (this.record === null) await this.write(ports, null);
      else if (now - this.renewedAt > (this.timing.durationSeconds * 1000 - this.timing.renewMs)) await this.write(ports, this.record);
      this.holds += 1;
      if (this.stop === null) {
        const stop = new AbortController();
        this.stop = stop;
        void this.renew(ports, stop.signal);
      }
      const fence = new AbortController();
      this.fences.add(fence);
      let released = false;
      return {
        fenced: fence.signal,
        release: () =>
          this.serial(async () => {
            if (released) return;
            released = true;
            this.fences.delete(fence);
            this.holds -= 1;
            if (this.holds > 0) return;
            // No await of the loop: a renewal is serialised like this release, so none is in flight now, and
            // one queued behind it sees the stop and does nothing.
            this.stop?.abort();
            this.stop = null;
            const last = this.record;
            this.record = null;
            if (last === null) return;
            try {
              await ports.leases.deleteLease(last);
            } catch {
              // Undeleted, the Lease expires: claimants wait at most its duration.
            }
          }),
      };
    });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private holding(now: number, acquireTime: number | null, transitions: number): LeaseHolding {
    return { holderIdentity: this.identity, leaseDurationSeconds: this.timing.durationSeconds, acquireTime: acquireTime ?? now, renewTime: now, leaseTransitions: transitions };
  }

  /** Creates (current null) or renews the Lease; takes back our own Lease a taker marked gone, fencing old holds. */
  private async write(ports: ProcessLeasePorts, current: LeaseRecord | null): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const now = ports.clock.now();
      const result = current === null ? await ports.leases.createLease(this.ref, this.holding(now, null, 0), { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE }) : await ports.leases.updateLease(current, this.holding(now, current.acquireTime, current.leaseTransitions));
      if (result.ok) {
        this.record = result.lease;
        this.renewedAt = now;
        return;
      }
      const seen = await ports.leases.getLease(this.ref);
      if (seen !== null && seen.holderIdentity !== this.identity && !seen.holderIdentity?.startsWith(GONE_PREFIX)) {
        throw new ClusterError({ code: "conflict", operation: "update lease", message: `process Lease ${this.ref.namespace}/${this.ref.name} is held by ${seen.holderIdentity ?? "nobody"}, not by this process` });
      }
      // Marked gone by a taker (or deleted by hand): every claim held so far may have been taken over.
      if (seen === null || seen.holderIdentity !== this.identity) this.fenceHolds(seen === null ? "the process Lease was deleted" : `marked ${seen.holderIdentity ?? ""}`);
      current = seen;
    }
    throw new ClusterError({ code: "conflict", operation: "update lease", message: `process Lease ${this.ref.namespace}/${this.ref.name} kept changing under this process` });
  }

  /** Fences every hold taken so far; holds taken later get fresh signals. */
  private fenceHolds(reason: string): void {
    const fenced = [...this.fences];
    this.fences.clear();
    for (const fence of fenced) fence.abort(reason);
  }

  private async renew(ports: ProcessLeasePorts, stop: AbortSignal): Promise<void> {
    for (;;) {
      await ports.clock.sleep(this.timing.renewMs, stop);
      if (stop.aborted) return;
      await this.serialRenew(ports, stop);
    }
  }

  private serialRenew(ports: ProcessLeasePorts, stop: AbortSignal): Promise<void> {
    return this.serial(async () => {
      if (stop.aborted || this.record === null) return;
      try {
        const before = this.renewedAt;
        await this.write(ports, this.record);
        // Renewed, but after a silence as long as the Lease's duration: others may have judged us gone.
        if (this.renewedAt - before >= this.timing.durationSeconds * 1000) this.fenceHolds("renewals failed for the process Lease's whole duration");
      } catch {
        // Unreachable for now: the duration leaves room for two more attempts before anyone may take over.
      }
    });
  }
}

/**
 * What a taker writes into the Lease of a process it judged gone, at exactly the version it watched go
 * unrenewed: that process's next renewal is refused and fences its holds. `false` when the Lease changed
 * (its holder renewed after all: it is alive) or is gone.
 */
export async function declareGone(leases: LeasePort, gone: LeaseRecord, taker: string, now: number): Promise<boolean> {
  const result = await leases.updateLease(gone, {
    holderIdentity: `${GONE_PREFIX}${taker}`,
    leaseDurationSeconds: gone.leaseDurationSeconds ?? PROCESS_LEASE_TIMING.durationSeconds,
    acquireTime: gone.acquireTime ?? now,
    renewTime: gone.renewTime ?? now,
    leaseTransitions: gone.leaseTransitions + 1,
  });
  return result.ok;
}
