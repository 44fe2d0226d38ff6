// The agent claim as a per-agent object created once per run, its holder's liveness read from ONE Lease per
// process (docs/architecture.md, "Across processes"). This file holds the pure decision a claimant makes after
// its create of the claim was refused (409 AlreadyExists).

import type { LeaseRecord } from "../ports/lease-port.js";
import type { ClaimRecord } from "../ports/claim-port.js";
import type { ObjectRef } from "../ports/cluster-objects.js";
import type { LeaseTiming } from "./lease-timing.js";

export type { ClaimRecord };

/**
 * The state of the Job the claim owns (one read of it). `finished_undelivered`: finished, carrying the claimant's
 * task id (`paperclip.io/task-id`), under a claim nobody marked reported — its holder stopped (shutdown, crash)
 * before the outcome reached the host, so the claimant delivers that Job instead of running the task again.
 * `finished`: any other finished Job (another task, no task id, or already reported).
 */
export type ClaimedJobState = "live" | "finished_undelivered" | "finished" | "absent";

/** When the claimant first saw the holder's process Lease, to tell a renewal (alive) from silence (gone). */
export interface HolderLeaseSeen {
  readonly resourceVersion: string;
  readonly at: number;
}

export type ClaimVerdict =
  /** The claim is being deleted: look again shortly, then create. */
  | { readonly kind: "retry"; readonly afterMs: number }
  /** This process holds it: the in-process lock and guard decide between its own runs. */
  | { readonly kind: "ours" }
  /** Its holder's process is alive: `k8s_concurrent_run_blocked` naming `holder`. */
  | { readonly kind: "busy"; readonly holder: string }
  /** Not known yet: read the holder's process Lease again at `untilMs` at the latest. */
  | { readonly kind: "wait"; readonly untilMs: number }
  /**
   * Holder gone, its Job still runs (`finished: false`) or finished with an outcome never delivered for this run's
   * task (`finished: true`): adopt — patch the claim at the version read, naming this process — and deliver that Job.
   */
  | { readonly kind: "adopt"; readonly from: string | null; readonly finished: boolean }
  /** Holder gone, no live Job: replace — `DELETE` with uid and version preconditions, then create. */
  | { readonly kind: "replace"; readonly from: string | null };

/** Twice the Lease's duration by the claimant's clock is gone without watching (a broken clock on one host must not block an agent forever). */
const STALE_FACTOR = 2;

/**
 * What one read of a claim held by someone else (and of its holder's process Lease) means (pure).
 * The holder is gone when its process Lease is absent (ended or shut down: a graceful shutdown deletes it and
 * leaves its Jobs for a successor), names another process, or went unrenewed for its duration while watched
 * (or, by the clock, for twice that). It is alive when the Lease changed while watched. A gone holder's
 * claim is adopted when its Job still runs or finished undelivered for this task, replaced otherwise.
 */
export function claimVerdict(input: {
  readonly claim: ClaimRecord;
  readonly holderLease: LeaseRecord | null;
  readonly job: ClaimedJobState;
  readonly identity: string;
  readonly now: number;
  readonly firstSeen: HolderLeaseSeen | null;
  readonly timing: LeaseTiming;
}): ClaimVerdict {
  const { claim, holderLease, identity, now, firstSeen, timing } = input;
  if (claim.deleting) return { kind: "retry", afterMs: timing.pollMs };
  if (claim.holder === identity) return { kind: "ours" };
  const gone = (): ClaimVerdict => adoptOrReplace(input.job, claim.holder);
  // A claim naming no process Lease was written by hand or by a broken writer: nobody can show it is alive.
  if (claim.holder === null || claim.holder === "" || claim.holderLease === null) return gone();
  if (holderLease === null || holderLease.holderIdentity !== claim.holder) return gone();
  const durationMs = (holderLease.leaseDurationSeconds ?? timing.durationSeconds) * 1000;
  if (holderLease.renewTime !== null && now - holderLease.renewTime >= STALE_FACTOR * durationMs) return gone();
  if (firstSeen === null) return { kind: "wait", untilMs: now + durationMs };
  if (firstSeen.resourceVersion !== holderLease.resourceVersion) return { kind: "busy", holder: claim.holder };
  if (now - firstSeen.at >= durationMs) return gone();
  return { kind: "wait", untilMs: firstSeen.at + durationMs };
}

/** What taking a claim whose holder is gone (`from`; `null` for this process's own leftover) means for its Job. */
export function adoptOrReplace(job: ClaimedJobState, from: string | null): Extract<ClaimVerdict, { kind: "adopt" | "replace" }> {
  if (job === "live") return { kind: "adopt", from, finished: false };
  if (job === "finished_undelivered") return { kind: "adopt", from, finished: true };
  return { kind: "replace", from };
}

/** `<namespace>/<name>` as written into `clipjob.dev/holder-lease`; `null` for anything else. */
export function parseHolderLease(value: string | undefined): ObjectRef | null {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(value ?? "");
  return match ? { namespace: match[1]!, name: match[3]! } : null;
}
