// When a Job still counts for the guard. Terminal Jobs never do. A Job being deleted (deletionTimestamp
// set: finalizers or foreground propagation pending) counts only while it still has a live pod — its
// Claude may still be writing to the shared session — and only the run can tell, by listing its pods.

import type { JobSnapshot, PodSnapshot } from "../ports/cluster-objects.js";

export function isJobTerminal(job: JobSnapshot): boolean {
  return job.conditions.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
}

/**
 * How long a suspended Job may stay unstarted before it counts as a leftover: a submit creates its Job
 * suspended and resumes it within a second or two, unless it failed (and its clean-up failed too) or the host
 * died in between.
 */
export const SUSPENDED_LEFTOVER_AFTER_MS = 60_000;

/** Suspended and never run: no pod counted by the Job controller (active, succeeded, failed) and no start time. */
export function isSuspendedUnstarted(job: JobSnapshot): boolean {
  return job.suspended && !isJobTerminal(job) && job.deletionTimestamp === undefined && job.active === 0 && job.succeeded === 0 && job.failed === 0 && job.startTime === undefined;
}

/** True for Jobs whose liveness depends on their pods: being deleted and not terminal, or suspended and unstarted. */
export function needsPodCheck(job: JobSnapshot): boolean {
  return (job.deletionTimestamp !== undefined && !isJobTerminal(job)) || isSuspendedUnstarted(job);
}

/** A pod whose containers may still run: not finished, whether or not it is being deleted (grace period). */
export function isPodLive(pod: PodSnapshot): boolean {
  return pod.phase !== "Succeeded" && pod.phase !== "Failed";
}

export type JobLiveness =
  | "terminal"
  | "live"
  /** Being deleted, but its pod still runs: counts as live, can never be adopted. */
  | "deleting_with_live_pod"
  /** Being deleted and its pods are gone: ignored. */
  | "deleting_without_live_pod"
  /**
   * Suspended, never started, no pod, older than SUSPENDED_LEFTOVER_AFTER_MS: what a failed submit whose
   * clean-up failed too (or a host crash between create and resume) leaves. Never runs; removed by the guard.
   */
  | "suspended_leftover";

/**
 * `livePods` holds the pod check of every Job `needsPodCheck` selected. A Job missing from it is assumed
 * to still have a live pod: the guard must not wave a run through on a check nobody made.
 */
export function jobLiveness(job: JobSnapshot, livePods: ReadonlyMap<string, boolean>, nowMs?: number): JobLiveness {
  if (isJobTerminal(job)) return "terminal";
  if (isSuspendedUnstarted(job) && nowMs !== undefined && livePods.get(job.ref.name) === false) {
    const created = Date.parse(job.creationTimestamp);
    // A younger one may be another process's submit in progress: it counts as live.
    if (!Number.isNaN(created) && nowMs - created >= SUSPENDED_LEFTOVER_AFTER_MS) return "suspended_leftover";
  }
  if (job.deletionTimestamp === undefined) return "live";
  return livePods.get(job.ref.name) === false ? "deleting_without_live_pod" : "deleting_with_live_pod";
}
