// The guard decision (docs/architecture.md, "The run", step 2), given this agent's Jobs. Rules, in order:
//  1. Terminal Jobs, and Jobs being deleted whose pods are gone, are ignored; suspended Jobs that never
//     started and have sat unstarted for a minute are our own leftovers (a failed submit whose clean-up failed,
//     a host crash between create and resume): removed before the submit. Nothing left: proceed.
//  2. A live Job carrying this run's id IS this run (e.g. execute retried after a host restart): adopt it,
//     whatever reattachOrphanedJobs says — blocking would block this run forever, and a second Job for
//     one run cannot even be created (the name is derived from the run id).
//  3. A Job being deleted whose pod still runs blocks: it cannot be adopted, and a new run beside it would
//     share its session.
//  4. Live Jobs of other runs (orphans), newest first: with reattach off, any blocks. Otherwise each is
//     classified; if any orphan blocks, the run blocks — even when a newer orphan could be adopted, since
//     adopting one would leave the blocking one running beside this run. If none blocks, the newest is
//     adopted (older adoptable ones keep running and are matched again by the next guard).
// A blocking Job is called what is known of it: a live Job of this agent, started at its creation time by
// the process its `clipjob.dev/started-by` annotation names (and its run). From the Job alone nobody can tell
// whether that process still supervises it (another clipjob process, a second Paperclip replica) or is gone
// (a true orphan), so the message does not guess "orphaned".

import { ANNOTATION_STARTED_BY, LABEL_RUN_ID, LABEL_TASK_ID, MAX_STARTED_BY_CHARS } from "../job/labels.js";
import type { JobSnapshot } from "../ports/cluster-objects.js";
import { classifyOrphan, labelForm, orphanBlockCode, type ExpectedRun, type OrphanBlockCode, type OrphanClassification } from "./classify-orphan.js";
import { jobLiveness } from "./job-liveness.js";

export type GuardDecision =
  /** Submit a new Job, after deleting `leftovers` (suspended Jobs of this agent that never started). */
  | { readonly kind: "proceed"; readonly leftovers: readonly JobSnapshot[] }
  | { readonly kind: "reattach"; readonly job: JobSnapshot; readonly sameRun: boolean }
  | { readonly kind: "block"; readonly code: OrphanBlockCode; readonly message: string; readonly jobs: string[] };

export interface GuardInput {
  readonly jobs: readonly JobSnapshot[];
  /** Pod check of every Job `needsPodCheck` selected, by Job name. */
  readonly livePods: ReadonlyMap<string, boolean>;
  readonly expected: ExpectedRun;
  readonly reattachOrphanedJobs: boolean;
  /** Now, epoch ms: without it no suspended Job is taken for a leftover. */
  readonly nowMs?: number;
}

export function decideGuard(input: GuardInput): GuardDecision {
  const { expected } = input;
  const classified = newestFirst(input.jobs).map((job) => ({ job, liveness: jobLiveness(job, input.livePods, input.nowMs) }));
  const counted = classified.filter((j) => j.liveness === "live" || j.liveness === "deleting_with_live_pod");
  const leftovers = classified.filter((j) => j.liveness === "suspended_leftover").map((j) => j.job);
  if (counted.length === 0) return { kind: "proceed", leftovers };

  const runLabel = labelForm(expected.runId);
  const isThisRun = (job: JobSnapshot): boolean => runLabel !== null && job.labels[LABEL_RUN_ID] === runLabel;

  const own = counted.find((j) => j.liveness === "live" && isThisRun(j.job));
  if (own) return { kind: "reattach", job: own.job, sameRun: true };

  const deleting = counted.filter((j) => j.liveness === "deleting_with_live_pod").map((j) => j.job.ref.name);
  if (deleting.length > 0) {
    return block(
      "k8s_concurrent_run_blocked",
      `Concurrent run blocked: Job ${deleting[0]} is being deleted but its pod is still running${more(deleting)}; a new run can start once it has stopped`,
      deleting,
    );
  }

  const orphans = counted.map((j) => j.job);
  if (!input.reattachOrphanedJobs) {
    const names = orphans.map((j) => j.ref.name);
    return block(
      "k8s_concurrent_run_blocked",
      `Concurrent run blocked: ${describeLiveJob(orphans[0]!)} is still running${more(names)} (reattachOrphanedJobs is off)`,
      names,
    );
  }

  const blocking: { job: JobSnapshot; classification: Exclude<OrphanClassification, "reattach"> }[] = [];
  for (const job of orphans) {
    const classification = classifyOrphan(job, expected);
    if (classification !== "reattach") blocking.push({ job, classification });
  }
  const first = blocking[0];
  if (first) {
    const names = blocking.map((o) => o.job.ref.name);
    const reason =
      first.classification === "block_task_unknown"
        ? `has unknown task context (the Job or this run carries no task id), so it cannot be matched to this run`
        : first.classification === "block_task_mismatch"
          ? `is running a different task (${first.job.labels[LABEL_TASK_ID] ?? "?"})`
          : "has a mismatched session";
    return block(orphanBlockCode(first.classification), `Concurrent run blocked: ${describeLiveJob(first.job)} ${reason}${more(names)}`, names);
  }
  return { kind: "reattach", job: orphans[0]!, sameRun: false };
}

/** "live Job ac-… of this agent (started 2026-…Z by clipjob CLI, pid 42 on dev-1; run r-1)". */
export function describeLiveJob(job: JobSnapshot): string {
  // Anyone who may edit the Job may write the annotation: only its first 256 characters, without control
  // characters, reach the message (and the terminal or run log that shows it); a blank one names nobody.
  // eslint-disable-next-line no-control-regex
  const by = job.annotations[ANNOTATION_STARTED_BY]?.slice(0, MAX_STARTED_BY_CHARS).replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").trim() || undefined;
  const run = job.labels[LABEL_RUN_ID];
  const who = [by, run !== undefined ? `run ${run}` : undefined].filter((part) => part !== undefined).join("; ");
  return `live Job ${job.ref.name} of this agent (started ${job.creationTimestamp}${who !== "" ? ` by ${who}` : ""})`;
}

function block(code: OrphanBlockCode, message: string, jobs: string[]): GuardDecision {
  return { kind: "block", code, message, jobs };
}

function more(names: readonly string[]): string {
  return names.length > 1 ? ` (and ${names.length - 1} more: ${names.slice(1).join(", ")})` : "";
}

function newestFirst(jobs: readonly JobSnapshot[]): JobSnapshot[] {
  const time = (job: JobSnapshot): number => {
    const t = Date.parse(job.creationTimestamp);
    return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
  };
  return [...jobs].sort((a, b) => time(b) - time(a) || (a.ref.name < b.ref.name ? 1 : a.ref.name > b.ref.name ? -1 : 0));
}
