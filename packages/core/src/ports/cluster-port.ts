import type { AgentJobSpec } from "../job/agent-job-spec.js";
import type { ClaimPort } from "./claim-port.js";
import type { JobRef, JobSnapshot, LabelSelector, ObjectRef, PodSnapshot, PropagationPolicy } from "./cluster-objects.js";

/**
 * Events of a Job watch. A watch resumes from its last resourceVersion and relists after expiry inside the
 * adapter; a relist surfaces as `modified` with the current object. A Job that vanished is an event.
 */
export type JobWatchEvent =
  | { readonly type: "added" | "modified"; readonly job: JobSnapshot }
  | { readonly type: "deleted"; readonly job: JobSnapshot | null };

export type PodWatchEvent = { readonly type: "added" | "modified" | "deleted"; readonly pod: PodSnapshot };

/**
 * Jobs, their pods and the agent claims (the payload Secrets a run creates before its Job). Every method
 * throws `ClusterError` on failure. Reads may be retried by the adapter (with backoff, honouring
 * Retry-After); writes are never retried blindly.
 */
export interface ClusterPort extends ClaimPort {
  /**
   * Creates the Job. When `spec.payloadSecret` names the run's claim (which holds the payload already), that is
   * one create of the Job, which starts at once. Otherwise the Job and its per-run payload are created atomically
   * from the caller's point of view: a failed or interrupted submit leaves neither behind (the Job is created
   * suspended, the payload Secret is owned by it, then the Job is resumed; any failure deletes what was created).
   */
  submit(spec: AgentJobSpec, signal?: AbortSignal): Promise<JobSnapshot>;

  /** `null` when the Job does not exist (404). */
  getJob(ref: ObjectRef): Promise<JobSnapshot | null>;

  listJobs(namespace: string, selector: LabelSelector): Promise<JobSnapshot[]>;

  /** Merge-patches labels; a `null` value removes the label. Missing labels are fine (unlike JSON-patch replace). */
  relabel(ref: JobRef, labels: Readonly<Record<string, string | null>>): Promise<JobSnapshot>;

  /** Deletes the Job; pods and the payload follow by garbage collection. Resolves `false` if it was already gone. */
  deleteJob(ref: ObjectRef, propagation: PropagationPolicy): Promise<boolean>;

  listPods(job: ObjectRef): Promise<PodSnapshot[]>;

  /** Ends when `signal` aborts. Throws `ClusterError` when the watch cannot be (re)established. */
  watchJob(ref: ObjectRef, signal: AbortSignal): AsyncIterable<JobWatchEvent>;

  watchPods(job: ObjectRef, signal: AbortSignal): AsyncIterable<PodWatchEvent>;
}
