// The cross-process half of "one agent, one Job": a coordination.k8s.io Lease per agent, held by the
// process that supervises the agent's Job, renewed while it does, deleted when it stops. Another process
// (a second Paperclip replica during a rolling update) that finds the Lease held ends its run as
// `k8s_concurrent_run_blocked` naming the holder; a holder that died stops renewing, and its Lease is taken
// over once it has gone unrenewed for its duration (docs/architecture.md, "Across processes").

import type { Clock } from "../ports/clock.js";
import { isClusterError } from "../ports/cluster-error.js";
import type { ObjectRef } from "../ports/cluster-objects.js";
import type { LeaseHolding, LeasePort, LeaseRecord } from "../ports/lease-port.js";

/** How long a Lease lasts unrenewed, how often its holder renews it, and how often a waiter re-reads it. */
export interface LeaseTiming {
  /** Written as `leaseDurationSeconds`: a Lease unrenewed this long belongs to a holder that is gone. */
  readonly durationSeconds: number;
  /** Renewal interval (ms); a third of the duration leaves two renewals' room for a slow API server. */
  readonly renewMs: number;
  /** How often a run waiting on someone else's Lease reads it again (ms). */
  readonly pollMs: number;
}

/**
 * 60 s / 20 s / 5 s: a crashed holder blocks its agent for at most a minute, a live one is recognised within
 * one renewal (≤ 20 s), and a run costs one small Lease update per 20 s on top of its constant requests.
 */
export const AGENT_LEASE_TIMING: LeaseTiming = { durationSeconds: 60, renewMs: 20_000, pollMs: 5_000 };

/**
 * A Lease renewed longer ago than twice its duration (by this process's clock) is gone at once, without
 * waiting to watch it go unrenewed: that much clock skew between two hosts would be a broken cluster.
 */
const STALE_FACTOR = 2;

/** Consecutive transient failures of the claim's reads and writes before the guard is reported unreachable. */
const CLAIM_ATTEMPTS = 4;

export interface LeaseClaimed {
  readonly kind: "claimed";
  readonly ref: ObjectRef;
  /** The holder whose Lease went unrenewed and was taken over, if any. */
  readonly takenOverFrom: string | null;
  /** Aborts (with the new holder's identity as reason) if the Lease is lost while held. */
  readonly lost: AbortSignal;
  /** Ends this run's share of the claim; the last share stops renewing and deletes the Lease. */
  release(): Promise<void>;
}

export type LeaseClaimResult =
  | LeaseClaimed
  /** Someone else holds the Lease and showed it is alive (renewed, released or handed on while we watched). */
  | { readonly kind: "busy"; readonly ref: ObjectRef; readonly holder: string; readonly renewedAgoMs: number | null }
  | { readonly kind: "cancelled" }
  | { readonly kind: "failed"; readonly error: unknown };

export interface LeaseClaimPorts {
  readonly leases: LeasePort;
  readonly clock: Clock;
}

export interface LeaseClaimRequest {
  readonly ref: ObjectRef;
  readonly labels: Readonly<Record<string, string>>;
  /** Called once when the run starts waiting on a held Lease. */
  readonly onWait?: (holder: string, renewedAgoMs: number | null, waitMs: number) => Promise<void> | void;
  readonly signal?: AbortSignal;
}

/** What one look at a Lease means for a claimant that first saw it (`firstSeen`) at `seenAt`. */
export type LeaseVerdict =
  | { readonly kind: "create" }
  | { readonly kind: "take"; readonly from: string | null }
  | { readonly kind: "busy"; readonly holder: string }
  | { readonly kind: "wait"; readonly untilMs: number };

/**
 * The claim's decision for one read of the Lease (pure). Free: no Lease (and none seen held before), no holder,
 * our own identity, or unrenewed for its duration while we watched it (or, by the clock, for twice its
 * duration). Busy: it changed or went away while we watched (its holder renewed, released or handed it on:
 * alive). Otherwise wait and look again.
 */
export function leaseVerdict(
  current: LeaseRecord | null,
  identity: string,
  now: number,
  firstSeen: { readonly resourceVersion: string; readonly at: number; readonly holder: string | null } | null,
  timing: LeaseTiming,
): LeaseVerdict {
  // Gone while we watched it held: its holder released it, so it was alive (its run just ended, or it is
  // handing over). Creating it now would run the agent twice for one wake-up.
  if (current === null) return firstSeen?.holder ? { kind: "busy", holder: firstSeen.holder } : { kind: "create" };
  const holder = current.holderIdentity;
  if (holder === null || holder === "" || holder === identity) return { kind: "take", from: null };
  const durationMs = (current.leaseDurationSeconds ?? timing.durationSeconds) * 1000;
  if (current.renewTime !== null && now - current.renewTime >= STALE_FACTOR * durationMs) return { kind: "take", from: holder };
  if (firstSeen === null) return { kind: "wait", untilMs: now + durationMs };
  if (firstSeen.resourceVersion !== current.resourceVersion) return { kind: "busy", holder };
  if (now - firstSeen.at >= durationMs) return { kind: "take", from: holder };
  return { kind: "wait", untilMs: firstSeen.at + durationMs };
}

interface Holding {
  record: LeaseRecord;
  shares: number;
  readonly stop: AbortController;
  readonly lost: AbortController;
  loop: Promise<void>;
}

/**
 * The Leases this process holds, one per agent, shared by its runs of that agent (the in-process lock and
 * the guard sort those out among themselves). One instance per process, inside `AgentLocks`.
 */
export class AgentLeases {
  private readonly held = new Map<string, Holding>();

  constructor(
    /** `holderIdentity` of every Lease this process writes: unique per process (host, pid, random). */
    readonly identity: string,
    readonly timing: LeaseTiming = AGENT_LEASE_TIMING,
  ) {}

  /** Leases held right now (for tests and diagnostics). */
  get size(): number {
    return this.held.size;
  }

  /** Claims the Lease `request.ref` names. Never throws: API failures come back as `failed`. */
  async claim(ports: LeaseClaimPorts, request: LeaseClaimRequest): Promise<LeaseClaimResult> {
    const key = `${request.ref.namespace}/${request.ref.name}`;
    const mine = this.held.get(key);
    if (mine && !mine.lost.signal.aborted) {
      mine.shares += 1;
      return this.claimed(ports, key, mine, null);
    }
    let firstSeen: { resourceVersion: string; at: number; holder: string | null } | null = null;
    let failures = 0;
    for (;;) {
      if (request.signal?.aborted) return { kind: "cancelled" };
      try {
        const current = await ports.leases.getLease(request.ref);
        const now = ports.clock.now();
        const verdict = leaseVerdict(current, this.identity, now, firstSeen, this.timing);
        if (verdict.kind === "busy") {
          return { kind: "busy", ref: request.ref, holder: verdict.holder, renewedAgoMs: current?.renewTime != null ? now - current.renewTime : null };
        }
        if (verdict.kind === "wait") {
          if (firstSeen === null && current !== null) {
            firstSeen = { resourceVersion: current.resourceVersion, at: now, holder: current.holderIdentity };
            await request.onWait?.(current.holderIdentity ?? "", current.renewTime !== null ? now - current.renewTime : null, verdict.untilMs - now);
          }
          await ports.clock.sleep(Math.min(this.timing.pollMs, Math.max(0, verdict.untilMs - ports.clock.now())), request.signal);
          continue;
        }
        const write = current === null ? await ports.leases.createLease(request.ref, this.holding(now), request.labels) : await ports.leases.updateLease(current, this.takeover(current, now));
        // Refused: someone else wrote first, so whoever holds it now is alive. Look again with the version
        // we acted on as the one first seen: any holder but us is then busy (a deleted Lease is free again).
        if (!write.ok) {
          const seenAt: number = (firstSeen as { at: number } | null)?.at ?? now;
          firstSeen = { resourceVersion: current?.resourceVersion ?? "", at: seenAt, holder: current?.holderIdentity ?? null };
          continue;
        }
        const held: Holding = { record: write.lease, shares: 1, stop: new AbortController(), lost: new AbortController(), loop: Promise.resolve() };
        this.held.set(key, held);
        held.loop = this.renew(ports, key, held);
        return this.claimed(ports, key, held, verdict.kind === "take" ? verdict.from : null);
      } catch (error) {
        failures += 1;
        if (!isTransient(error) || failures >= CLAIM_ATTEMPTS) return { kind: "failed", error };
        await ports.clock.sleep(Math.min(this.timing.pollMs, 250 * 2 ** failures), request.signal);
      }
    }
  }

  private holding(now: number): LeaseHolding {
    return { holderIdentity: this.identity, leaseDurationSeconds: this.timing.durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 };
  }

  /** Holding `current` from now: a change of holder counts as a transition; our own Lease keeps its acquire time. */
  private takeover(current: LeaseRecord, now: number): LeaseHolding {
    const ours = current.holderIdentity === this.identity;
    const transitions = current.leaseTransitions + (ours || !current.holderIdentity ? 0 : 1);
    return { ...this.holding(now), acquireTime: ours && current.acquireTime !== null ? current.acquireTime : now, leaseTransitions: transitions };
  }

  private claimed(ports: LeaseClaimPorts, key: string, held: Holding, takenOverFrom: string | null): LeaseClaimed {
    let released = false;
    return {
      kind: "claimed",
      ref: held.record.ref,
      takenOverFrom,
      lost: held.lost.signal,
      release: async () => {
        if (released) return;
        released = true;
        held.shares -= 1;
        if (held.shares > 0) return;
        held.stop.abort();
        await held.loop;
        if (this.held.get(key) === held) this.held.delete(key);
        if (held.lost.signal.aborted) return;
        try {
          await ports.leases.deleteLease(held.record);
        } catch {
          // Unreleased, the Lease simply expires: the next claimant waits at most its duration.
        }
      },
    };
  }

  /** Renews every `renewMs` until stopped. A Lease someone else now holds is lost: `lost` aborts. */
  private async renew(ports: LeaseClaimPorts, key: string, held: Holding): Promise<void> {
    const stop = held.stop.signal;
    for (;;) {
      await ports.clock.sleep(this.timing.renewMs, stop);
      if (stop.aborted) return;
      try {
        const r = held.record;
        const now = ports.clock.now();
        const write = await ports.leases.updateLease(r, { ...this.holding(now), acquireTime: r.acquireTime ?? now, leaseTransitions: r.leaseTransitions });
        if (write.ok) {
          held.record = write.lease;
          continue;
        }
        // Our version is stale. Still ours (a renewal whose answer was lost)? Then renew that version next time.
        const current = await ports.leases.getLease(r.ref);
        if (current !== null && current.holderIdentity === this.identity) {
          held.record = current;
          continue;
        }
        // Deleted under us (by hand): nobody else holds it, so hold it again.
        const again = current === null ? await ports.leases.createLease(r.ref, { ...this.holding(ports.clock.now()), leaseTransitions: r.leaseTransitions }, r.labels) : null;
        if (again?.ok) {
          held.record = again.lease;
          continue;
        }
        if (this.held.get(key) === held) this.held.delete(key);
        held.lost.abort(current?.holderIdentity ?? "nobody (the Lease was deleted)");
        return;
      } catch {
        // Unreachable for now: the duration leaves room for two more attempts before anyone may take over.
      }
    }
  }
}

function isTransient(error: unknown): boolean {
  return isClusterError(error) && error.transient;
}
