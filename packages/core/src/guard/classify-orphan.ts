// Whether a live Job of an earlier run may be adopted by this one: only when both
// sides know the task and it is the same, and the sessions do not contradict each other.

import { LABEL_SESSION_ID, LABEL_TASK_ID, sanitizeLabelValue } from "../job/labels.js";
import type { JobSnapshot } from "../ports/cluster-objects.js";

export interface ExpectedRun {
  readonly runId: string;
  readonly taskId: string | null;
  readonly sessionId: string | null;
}

export type OrphanClassification = "reattach" | "block_task_unknown" | "block_task_mismatch" | "block_session_mismatch";

export type OrphanBlockCode = "k8s_concurrent_run_blocked" | "k8s_orphan_task_unknown" | "k8s_orphan_session_mismatch";

/** Labels hold sanitised ids, so the expected ids are sanitised the same way before comparing. */
export function classifyOrphan(job: JobSnapshot, expected: ExpectedRun): OrphanClassification {
  const expectedTask = labelForm(expected.taskId);
  const jobTask = job.labels[LABEL_TASK_ID] ?? null;
  if (expectedTask === null || jobTask === null) return "block_task_unknown";
  if (expectedTask !== jobTask) return "block_task_mismatch";
  const expectedSession = labelForm(expected.sessionId);
  const jobSession = job.labels[LABEL_SESSION_ID] ?? null;
  // One side without a session is a run that has not learned it yet: same task, reconcile by adopting.
  if (expectedSession !== null && jobSession !== null && expectedSession !== jobSession) return "block_session_mismatch";
  return "reattach";
}

export function orphanBlockCode(classification: Exclude<OrphanClassification, "reattach">): OrphanBlockCode {
  switch (classification) {
    case "block_task_unknown":
      return "k8s_orphan_task_unknown";
    case "block_task_mismatch":
      return "k8s_concurrent_run_blocked";
    case "block_session_mismatch":
      return "k8s_orphan_session_mismatch";
  }
}

export function labelForm(id: string | null): string | null {
  return id === null ? null : sanitizeLabelValue(id);
}
