// Claiming an agent by creating its claim (the run's payload Secret under a per-agent name) while holding this
// process's Lease (docs/architecture.md, "Across processes"). A fault-free claim is one create; only a refused
// create reads the claim and its holder's process Lease, and only a gone holder's claim is written by someone
// else — conditionally, at exactly the version judged.

import type { ClaimHolder, ClaimPort, ClaimRecord } from "../ports/claim-port.js";
import type { Clock } from "../ports/clock.js";
import { isClusterError } from "../ports/cluster-error.js";
import { DEFAULT_READ_RETRY } from "../ports/read-retry.js";
import type { ObjectRef } from "../ports/cluster-objects.js";
import type { LeasePort, LeaseRecord } from "../ports/lease-port.js";
import { adoptOrReplace, claimVerdict, type ClaimedJobState } from "./agent-claim.js";
import { declareGone, type ProcessHold, type ProcessLease } from "./process-lease.js";

export interface ClaimAgentPorts {
  readonly claims: ClaimPort;
  readonly leases: LeasePort;
  readonly clock: Clock;
}

export interface ClaimAgentRequest {
  readonly ref: ObjectRef;
  readonly runId: string;
  readonly jobName: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The run's payload: the claim is the payload Secret. */
  readonly data: Readonly<Record<string, string>>;
  /** The state of the Job a claim was made for (from the guard's shared watch). */
  jobState(claim: ClaimRecord): Promise<ClaimedJobState> | ClaimedJobState;
  /** Called when the claimant starts watching a holder's process Lease (`waitMs`: the longest it will watch). */
  readonly onWait?: (holder: string, waitMs: number) => Promise<void> | void;
  readonly signal?: AbortSignal;
}

export interface AgentClaimed {
  readonly kind: "claimed";
  /** The claim as this run last wrote it. */
  readonly claim: ClaimRecord;
  /** The claim existed and this run adopted it (its Job still runs): the guard then finds that Job as an orphan. */
  readonly adopted: boolean;
  /**
   * The adopted claim's Job had finished for this run's task and its outcome was never delivered (its holder
   * stopped first): the run delivers that Job (transcript from its pod log, outcome from its termination).
   */
  readonly adoptedFinished: boolean;
  /** A gone holder whose claim (and running Job) this run adopted, or whose claim it replaced. */
  readonly adoptedFrom: string | null;
  readonly replacedFrom: string | null;
  /** Aborts when this process may have been judged gone while holding: re-read the claim before trusting it. */
  readonly fenced: AbortSignal;
  /**
   * An adopted claim holds its earlier run's payload: before a new Job is created from it, it is replaced by one
   * holding this run's (delete at the version held, create). `false` when someone else took it meanwhile.
   */
  refill(): Promise<boolean>;
  /**
   * Deletes the claim (preconditions: the uid and version this run wrote; a transient failure is retried a few
   * times) and ends this run's share of the process Lease. `deleted: false` when it was taken over meanwhile
   * (nothing is deleted then) or could not be deleted: the claim is then remembered as delivered
   * (`ProcessLease.delivered`) and marked reported (`clipjob.dev/reported`, best effort), so nobody delivers its
   * finished Job's outcome a second time, and is taken back by this process's next run of the agent (see
   * `claimVerdict`'s `ours`) or, once this process is gone, by anyone's. The Job the claim owns goes with it
   * (`Background`) or stays without the reference (`Orphan`, for a retained Job).
   */
  release(propagation?: "Background" | "Orphan"): Promise<{ readonly deleted: boolean }>;
  /**
   * Keeps the claim (its Job keeps running, as at a shutdown) and ends this run's share of the process Lease;
   * when the last share ends the Lease is deleted and the claim is free for a successor at once.
   */
  keep(): Promise<void>;
}

export type AgentClaimResult =
  | AgentClaimed
  /** Held by a live process (`holder`), or by this one (the in-process lock and guard decide then). */
  | { readonly kind: "busy"; readonly holder: string; readonly ours: boolean }
  | { readonly kind: "cancelled" }
  | { readonly kind: "failed"; readonly error: unknown };

/**
 * Attempts of the claim's requests through transient failures, as many as a read gets (a refused create changed
 * nothing, and one the server did perform is found naming this process and taken back).
 */
const ATTEMPTS = DEFAULT_READ_RETRY.attempts;
/** First delay between release attempts (ms), doubled each time. */
const RELEASE_BACKOFF_MS = 1_000;

/** Claims the agent whose claim `request.ref` names. Never throws: API failures come back as `failed`. */
export async function claimAgent(ports: ClaimAgentPorts, lease: ProcessLease, request: ClaimAgentRequest): Promise<AgentClaimResult> {
  let hold: ProcessHold | null = null;
  for (let failures = 1; hold === null; failures += 1) {
    if (request.signal?.aborted) return { kind: "cancelled" };
    try {
      hold = await lease.hold(ports);
    } catch (error) {
      if (!(isClusterError(error) && error.transient) || failures >= ATTEMPTS) return { kind: "failed", error };
      await ports.clock.sleep(Math.min(lease.timing.pollMs, 250 * 2 ** failures), request.signal);
    }
  }
  const me: ClaimHolder = { holder: lease.identity, holderLease: lease.ref, runId: request.runId, jobName: request.jobName };
  const result = await contend(ports, lease, request, me, hold);
  if (result.kind !== "claimed") await hold.release();
  return result;
}

async function contend(ports: ClaimAgentPorts, lease: ProcessLease, request: ClaimAgentRequest, me: ClaimHolder, hold: ProcessHold): Promise<AgentClaimResult> {
  const claimed = (first: ClaimRecord, adopted: boolean, adoptedFinished: boolean, adoptedFrom: string | null, replacedFrom: string | null): AgentClaimed => {
    let released = false;
    let claim = first;
    return {
      kind: "claimed",
      get claim() {
        return claim;
      },
      adopted,
      adoptedFinished,
      adoptedFrom,
      replacedFrom,
      fenced: hold.fenced,
      refill: async () => {
        const gone = await ports.claims.deleteClaim(claim);
        if (!gone.ok) return false;
        const created = await ports.claims.createClaim(request.ref, me, request.labels, request.data);
        if (!created.ok) return false;
        claim = created.claim;
        return true;
      },
      release: async (propagation: "Background" | "Orphan" = "Background") => {
        if (released) return { deleted: false };
        released = true;
        try {
          for (let attempt = 1; ; attempt += 1) {
            try {
              const gone = await ports.claims.deleteClaim(claim, propagation);
              return { deleted: gone.ok };
            } catch (error) {
              if (!(isClusterError(error) && error.transient) || attempt >= ATTEMPTS) {
                lease.delivered.add(claim.uid);
                await markReported(ports, claim);
                return { deleted: false };
              }
              await ports.clock.sleep(RELEASE_BACKOFF_MS * 2 ** (attempt - 1));
            }
          }
        } finally {
          await hold.release();
        }
      },
      keep: async () => {
        if (released) return;
        released = true;
        await hold.release();
      },
    };
  };
  // What we watched: the claim's version and its holder Lease's version when first seen held.
  let watched: { claimVersion: string; leaseVersion: string; at: number; holder: string } | null = null;
  // A conditional write of ours on the claim of gone holder `outraced` was refused (or we replaced it): whoever
  // else holds the claim now wrote after us, so is alive.
  let outraced: { readonly from: string | null } | null = null;
  let replacedFrom: string | null = null;
  let failures = 0;
  for (;;) {
    if (request.signal?.aborted) return { kind: "cancelled" };
    try {
      const created = await ports.claims.createClaim(request.ref, me, request.labels, request.data);
      if (created.ok) return claimed(created.claim, false, false, null, replacedFrom);
      for (;;) {
        if (request.signal?.aborted) return { kind: "cancelled" };
        const claim = await ports.claims.getClaim(request.ref);
        if (claim === null) {
          // Released while we watched a holder that was not shown gone: it was alive, its run just ended.
          if (watched !== null) return { kind: "busy", holder: watched.holder, ours: false };
          break;
        }
        const holder = claim.holder ?? "";
        if (outraced !== null && holder !== "" && holder !== lease.identity && holder !== outraced.from) return { kind: "busy", holder, ours: false };
        if (watched !== null && watched.claimVersion !== claim.resourceVersion) return { kind: "busy", holder, ours: holder === lease.identity };
        const ours = holder === lease.identity;
        const holderLease: LeaseRecord | null = claim.holderLease && !ours ? await ports.leases.getLease(claim.holderLease) : null;
        const job = claim.deleting ? "absent" : await request.jobState(claim);
        const now = ports.clock.now();
        const judged = claimVerdict({
          claim,
          holderLease,
          job,
          identity: lease.identity,
          now,
          firstSeen: watched ? { resourceVersion: watched.leaseVersion, at: watched.at } : null,
          timing: lease.timing,
        });
        // Naming this process, but no run of it holds the claim (the caller asks `AgentLocks` first): kept by a
        // run of ours for a Job that ran on without it (shutdown, outcome unknown) — delivered now if it finished
        // for this task — or left by a release of ours that failed after delivering: replaced, never delivered
        // twice (`lease.delivered` remembers it, whether or not the reported mark got through). Taken back like a
        // gone holder's, without marking our own Lease.
        const verdict = judged.kind === "ours" ? adoptOrReplace(job === "finished_undelivered" && lease.delivered.has(claim.uid) ? "finished" : job, null) : judged;
        if (verdict.kind === "busy") return { kind: "busy", holder: verdict.holder, ours: false };
        if (verdict.kind === "retry" || verdict.kind === "wait") {
          if (verdict.kind === "wait" && watched === null) {
            watched = { claimVersion: claim.resourceVersion, leaseVersion: holderLease?.resourceVersion ?? "", at: now, holder };
            await request.onWait?.(holder, verdict.untilMs - now);
          }
          const untilMs = verdict.kind === "wait" ? verdict.untilMs : now + verdict.afterMs;
          await ports.clock.sleep(Math.min(lease.timing.pollMs, Math.max(0, untilMs - now)), request.signal);
          continue;
        }
        // Gone. Mark its process Lease first, at the version we judged: refused means it renewed after all.
        if (!ours && holderLease !== null && holderLease.holderIdentity === claim.holder && !(await declareGone(ports.leases, holderLease, lease.identity, now))) {
          return { kind: "busy", holder, ours: false };
        }
        if (verdict.kind === "adopt") {
          // The claim goes on naming the Job it was made for: that Job is what the adopter reattaches.
          const adopted = await ports.claims.adoptClaim(claim, { ...me, jobName: claim.jobName ?? me.jobName });
          if (adopted.ok) return claimed(adopted.claim, true, verdict.finished, verdict.from, null);
          outraced = { from: verdict.from };
          continue;
        }
        const removed = await ports.claims.deleteClaim(claim);
        if (removed.ok) lease.delivered.delete(claim.uid);
        outraced = { from: verdict.from };
        if (!removed.ok && removed.reason === "conflict") continue;
        replacedFrom = verdict.from;
        watched = null;
        break;
      }
    } catch (error) {
      failures += 1;
      if (!(isClusterError(error) && error.transient) || failures >= ATTEMPTS) return { kind: "failed", error };
      await ports.clock.sleep(Math.min(lease.timing.pollMs, 250 * 2 ** failures), request.signal);
    }
  }
}

/**
 * A claim whose release failed stays behind over a Job whose outcome was delivered: marked reported, a later
 * claimant replaces it rather than delivering that Job again. Best effort (the API that refused the delete may
 * refuse this too; docs/constant-cost-agent-claim.md, "Delivering a finished orphan", names that window).
 */
async function markReported(ports: ClaimAgentPorts, claim: ClaimRecord): Promise<void> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    try {
      await ports.claims.markClaimReported(claim);
      return;
    } catch (error) {
      if (!(isClusterError(error) && error.transient)) return;
      if (attempt < ATTEMPTS) await ports.clock.sleep(RELEASE_BACKOFF_MS * 2 ** (attempt - 1));
    }
  }
}
