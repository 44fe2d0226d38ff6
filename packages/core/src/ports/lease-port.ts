// coordination.k8s.io/v1 Leases as the cross-process agent guard uses them: read, create, and update or
// delete only the version one has read (optimistic concurrency). The protocol on top (who holds, when a
// holder counts as gone) is core's (run/agent-lease.ts); the port only carries the API server's answers.
import type { ObjectRef } from "./cluster-objects.js";

/** What a holder writes into a Lease's spec. Times are epoch milliseconds (the wire's MicroTime, to the ms). */
export interface LeaseHolding {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: number;
  readonly renewTime: number;
  readonly leaseTransitions: number;
}

/** A Lease as read. Spec fields another writer left empty are `null`. */
export interface LeaseRecord {
  readonly ref: ObjectRef;
  /** The version every conditional write names; the server refuses a write naming an older one (409). */
  readonly resourceVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly holderIdentity: string | null;
  readonly leaseDurationSeconds: number | null;
  readonly acquireTime: number | null;
  readonly renewTime: number | null;
  readonly leaseTransitions: number;
}

/**
 * The expected refusals of a conditional write, as values: `already_exists` (create of a name that exists,
 * HTTP 409 reason AlreadyExists), `conflict` (the Lease changed since it was read: 409 Conflict), and
 * `not_found` (it was deleted since). Someone else won the race in each case; re-read and decide again.
 */
export type LeaseRefusalReason = "already_exists" | "conflict" | "not_found";

export type LeaseWrite = { readonly ok: true; readonly lease: LeaseRecord } | { readonly ok: false; readonly reason: LeaseRefusalReason; readonly message: string };

export type LeaseDelete = { readonly ok: true } | { readonly ok: false; readonly reason: "conflict" | "not_found"; readonly message: string };

/**
 * Leases in a namespace. Refusals that mean "someone else wrote first" are returned as values; every other
 * failure (RBAC, credentials, an unreachable API server) throws `ClusterError`. Reads may be retried by the
 * adapter; writes are never retried blindly (a lost response is resolved by re-reading the holder).
 */
export interface LeasePort {
  /** `null` when no Lease has that name (404). */
  getLease(ref: ObjectRef): Promise<LeaseRecord | null>;
  /** Creates the Lease holding `holding`; `already_exists` when the name is taken. */
  createLease(ref: ObjectRef, holding: LeaseHolding, labels: Readonly<Record<string, string>>): Promise<LeaseWrite>;
  /**
   * Replaces the spec of exactly the version `current` names (its labels are kept): `conflict` if it changed
   * since. A Lease deleted since is created anew (the API server allows create on update for leases).
   */
  updateLease(current: LeaseRecord, holding: LeaseHolding): Promise<LeaseWrite>;
  /** Deletes exactly the version `current` names (a resourceVersion precondition). */
  deleteLease(current: LeaseRecord): Promise<LeaseDelete>;
}
