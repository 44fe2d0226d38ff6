// The agent claim as the API server keeps it — the run's payload Secret under a per-agent name, created once
// per run before its Job (docs/architecture.md, "Across processes"). The protocol on top (who holds it, when a
// holder is gone) is core's (run/agent-claim.ts, run/claim-agent.ts); the port carries only the API server's
// answers.
import type { ObjectRef } from "./cluster-objects.js";

/** Annotations naming who holds a claim. */
export const ANNOTATION_CLAIM_HOLDER = "clipjob.dev/holder";
export const ANNOTATION_CLAIM_HOLDER_LEASE = "clipjob.dev/holder-lease";
export const ANNOTATION_CLAIM_JOB = "clipjob.dev/job";
export const ANNOTATION_CLAIM_RUN = "paperclip.io/run-id";
/** Set (`"true"`) when the claim outlives a run that delivered its Job's outcome (a failed release). */
export const ANNOTATION_CLAIM_REPORTED = "clipjob.dev/reported";

/** Who writes a claim: the process (identity and process Lease), and the run and Job it is for. */
export interface ClaimHolder {
  readonly holder: string;
  readonly holderLease: ObjectRef;
  readonly runId: string;
  readonly jobName: string;
}

/** The claim as read. */
export interface ClaimRecord {
  readonly ref: ObjectRef;
  /** Every conditional write (adopt `PUT`, replace `DELETE` preconditions) names this uid and version. */
  readonly uid: string;
  readonly resourceVersion: string;
  /** The holder process's identity (`clipjob.dev/holder`); `null` when the annotation is missing. */
  readonly holder: string | null;
  /** The holder's process Lease (`clipjob.dev/holder-lease`); `null` when missing or unparsable. */
  readonly holderLease: ObjectRef | null;
  /** The Job the claim was made for (`clipjob.dev/job`); `null` when missing. */
  readonly jobName: string | null;
  /** `metadata.deletionTimestamp` is set: its holder released it and the garbage collector is at work. */
  readonly deleting: boolean;
  /** `clipjob.dev/reported` is set: the outcome of its finished Job was delivered; nobody delivers it again. */
  readonly reported: boolean;
}

/**
 * The expected refusals, as values: `already_exists` (create of a taken name: 409 AlreadyExists), `conflict`
 * (changed since read: 409 Conflict, also a failed delete precondition), `not_found` (deleted since). Someone
 * else wrote first in each case: re-read and decide again.
 */
export type ClaimWrite =
  | { readonly ok: true; readonly claim: ClaimRecord }
  | { readonly ok: false; readonly reason: "already_exists" | "conflict" | "not_found"; readonly message: string };

export type ClaimDelete = { readonly ok: true } | { readonly ok: false; readonly reason: "conflict" | "not_found"; readonly message: string };

/**
 * Claims (Secrets) in a namespace. Refusals that mean "someone else wrote first" are values; every other failure
 * throws `ClusterError`. Writes are never retried blindly.
 */
export interface ClaimPort {
  /** `null` when no object has that name (404). */
  getClaim(ref: ObjectRef): Promise<ClaimRecord | null>;
  /**
   * Creates the claim holding `data` (the run's payload, values as text); `already_exists` when the name is
   * taken. Throws `ClusterError` `too_large` when the data exceeds a Secret's 1 MiB (before any request).
   */
  createClaim(ref: ObjectRef, holder: ClaimHolder, labels: Readonly<Record<string, string>>, data: Readonly<Record<string, string>>): Promise<ClaimWrite>;
  /**
   * Rewrites the holder annotations of exactly the version `current` names (a merge patch carrying its
   * resourceVersion, which no other incarnation of the name shares: `conflict` if it changed since); the data
   * and uid stay, so a running Job keeps its payload.
   */
  adoptClaim(current: ClaimRecord, holder: ClaimHolder): Promise<ClaimWrite>;
  /**
   * Sets `clipjob.dev/reported: "true"` on exactly the version `current` names (a merge
   * patch carrying its resourceVersion): `conflict` if it changed since (someone took it over).
   */
  markClaimReported(current: ClaimRecord): Promise<ClaimWrite>;
  /**
   * Deletes exactly `current` (uid and resourceVersion preconditions): `conflict` if it changed since. The Job it
   * owns is collected with it (`Background`, the default) or left without the reference (`Orphan`: a retained Job).
   */
  deleteClaim(current: ClaimRecord, propagation?: "Background" | "Orphan"): Promise<ClaimDelete>;
}
