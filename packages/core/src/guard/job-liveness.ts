// When a Job still counts for the guard. Terminal Jobs never do. A Job being deleted (deletionTimestamp
// set: finalizers or foreground propagation pending) counts only while it still has a live pod — its
// Claude may still be writing to the shared session — and only the run can tell, by listing its pods.

import type { JobSnapshot, PodSnapshot } from "../ports/cluster-objects.js";

export function isJobTerminal(job: JobSnapshot): boolean {
  return job.conditions.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
}

/** True for Jobs whose liveness depends on their pods: being deleted and not terminal. */
export function needsPodCheck(job: JobSnapshot): boolean {
  return job.deletionTimestamp !== undefined && !isJobTerminal(job);
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
  | "deleting_without_live_pod";

/**
 * `livePods` holds the pod check of every Job `needsPodCheck` selected. A Job missing from it is assumed
 * to still have a live pod: the guard must not wave a run through on a check nobody made.
 */
export function jobLiveness(job: JobSnapshot, livePods: ReadonlyMap<string, boolean>): JobLiveness {
  if (isJobTerminal(job)) return "terminal";
  if (job.deletionTimestamp === undefined) return "live";
  return livePods.get(job.ref.name) === false ? "deleting_without_live_pod" : "deleting_with_live_pod";
}
