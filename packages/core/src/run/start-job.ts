// Getting a Job to supervise, inside the per-agent lock: the guard (this agent's live Jobs: proceed,
// reattach an orphan, or block), then submit a new Job or adopt the orphan.

import type { ClipjobConfig } from "../config/clipjob-config.js";
import { decideGuard, needsPodCheck } from "../guard/index.js";
import { isJobTerminal } from "../guard/job-liveness.js";
import type { AgentJobSpec } from "../job/agent-job-spec.js";
import { guardSelector } from "../job/labels.js";
import type { ErrorCode } from "../outcome/error-codes.js";
import type { JobDisposition, RunOutcome } from "../outcome/run-outcome.js";
import { isClusterError } from "../ports/cluster-error.js";
import type { JobSnapshot } from "../ports/cluster-objects.js";
import type { ClusterPort } from "../ports/cluster-port.js";
import type { Clock } from "../ports/clock.js";
import type { AgentLocks } from "./agent-locks.js";
import { claimStillHeld } from "./claim-agent-for-run.js";
import type { AgentClaimed } from "./claim-agent.js";
import { accessFailure, describeError } from "./error-text.js";
import type { RunReporter } from "./run-reporter.js";
import type { RunRequest } from "./run-request.js";

export type StartResult =
  | { readonly kind: "started"; readonly job: JobSnapshot; readonly reattached: boolean; readonly release: () => void }
  | { readonly kind: "failed"; readonly outcome: RunOutcome };

export interface StartPorts {
  readonly cluster: ClusterPort;
  readonly clock: Clock;
  readonly locks: AgentLocks;
}

/** The agent claim this run holds, as `startJob` needs it: its payload is the Job's, and it may be taken over. */
export interface StartClaim {
  readonly claim: AgentClaimed;
}

const REMOVE_ATTEMPTS = 6;

/**
 * Runs the guard and then submits or adopts. Call it inside `locks.withLock(agentId)`. A started result
 * carries `release`, which ends this run's claim on the Job (call it when supervision stops).
 * Reads are not retried here: retrying transient reads is the cluster adapter's job (see `ClusterPort`).
 */
export async function startJob(ports: StartPorts, reporter: RunReporter, request: RunRequest, planned: AgentJobSpec, config: ClipjobConfig, held: StartClaim, cancelSignal?: AbortSignal): Promise<StartResult> {
  // The Job's pods read the payload from the claim, which the run created before the guard.
  const spec: AgentJobSpec = { ...planned, payloadSecret: held.claim.claim.ref.name };
  const failed = (code: ErrorCode, message: string, meta?: Record<string, unknown>): StartResult => ({ kind: "failed", outcome: reporter.fail(code, message, meta) });
  await reporter.phase("guarding");
  const selector = guardSelector(request.agent.id);
  if (!selector) return failed("k8s_agent_id_invalid", `Agent ID "${request.agent.id}" cannot be sanitized to a valid Kubernetes label`);
  let jobs: JobSnapshot[];
  const livePods = new Map<string, boolean>();
  try {
    jobs = await ports.cluster.listJobs(spec.ref.namespace, selector);
    for (const job of jobs) {
      if (!needsPodCheck(job)) continue;
      const pods = await ports.cluster.listPods(job.ref);
      livePods.set(job.ref.name, pods.some((p) => !p.deletionTimestamp || p.phase === "Running" || p.phase === "Pending"));
    }
  } catch (error) {
    const access = accessFailure(error);
    if (access) return failed(access.code, access.message);
    return failed("k8s_concurrency_guard_unreachable", `Concurrency guard unreachable: ${describeError(error)}`);
  }

  const decision = decideGuard({
    jobs,
    livePods,
    expected: { runId: request.runId, taskId: request.taskId ?? null, sessionId: request.session?.sessionId ?? null },
    reattachOrphanedJobs: config.reattachOrphanedJobs,
    nowMs: ports.clock.now(),
  });
  if (decision.kind === "block") return failed(decision.code, decision.message, { jobs: decision.jobs });
  const claim = (job: JobSnapshot) => ports.locks.supervise(job.ref.namespace, job.ref.name, request.runId);
  if (decision.kind === "reattach") {
    const owner = ports.locks.supervisingRun(decision.job.ref.namespace, decision.job.ref.name);
    if (owner !== undefined && owner !== request.runId) {
      // Not an orphan: a live run of this very process is supervising it (two heartbeats at once).
      const message = `Concurrent run blocked: Job ${decision.job.ref.name} is still running for this agent (run ${owner})`;
      return failed("k8s_concurrent_run_blocked", message, { jobs: [decision.job.ref.name] });
    }
    await reporter.phase("reattaching");
    const job = await adopt(ports.cluster, reporter, decision.job, spec);
    await reporter.notice("info", `Reattached to Job ${job.ref.name} from an earlier run (${decision.job.labels["paperclip.io/run-id"] ?? "unknown run"})`);
    return { kind: "started", job, reattached: true, release: claim(job) };
  }

  for (const leftover of decision.leftovers) await removeLeftover(ports.cluster, reporter, leftover);
  const claimed = held.claim;
  const claimText = `claim Secret ${claimed.claim.ref.namespace}/${claimed.claim.ref.name}`;
  // The adopted claim's Job finished for this task and nobody delivered it (its holder stopped first): deliver it
  // — its transcript from the pod log, its outcome from its termination — instead of running the task again.
  if (claimed.adoptedFinished) {
    const finished = await finishedOrphan(ports.cluster, claimed);
    if (finished !== null) {
      await reporter.phase("reattaching");
      const job = await adopt(ports.cluster, reporter, finished, spec);
      await reporter.notice("info", `Reattached to Job ${job.ref.name} from an earlier run (${finished.labels["paperclip.io/run-id"] ?? "unknown run"}), which finished before its outcome was delivered: delivering its transcript and result instead of running the task again`);
      return { kind: "started", job, reattached: true, release: claim(job) };
    }
  }
  // Fenced: other processes may have judged this one gone and taken the claim; a Job is created only under a
  // claim that is still ours.
  if (claimed.fenced.aborted && (await claimStillHeld(ports.cluster, claimed.claim, ports.locks.identity)) !== true) {
    return failed("k8s_concurrent_run_blocked", `Concurrent run blocked: this process's Lease was declared gone (${String(claimed.fenced.reason)}) and the agent's ${claimText} is no longer this run's; this run created no Job`);
  }
  // An adopted claim holds the payload of the run that made it: this run's goes in before its Job is created.
  if (claimed.adopted) {
    try {
      if (!(await claimed.refill())) {
        return failed("k8s_concurrent_run_blocked", `Concurrent run blocked: the agent's ${claimText} was taken by another process while this run replaced its payload; this run created no Job`);
      }
    } catch (error) {
      const access = accessFailure(error);
      if (access) return failed(access.code, access.message);
      return failed("k8s_concurrency_guard_unreachable", `Concurrency guard unreachable: the agent's ${claimText} could not be rewritten with this run's payload: ${describeError(error)}`);
    }
  }
  await reporter.phase("submitting");
  try {
    // Owned by the claim as it is now (a refill above made a new one): collected with it.
    const job = await ports.cluster.submit({ ...spec, payloadSecretUid: claimed.claim.uid }, cancelSignal);
    await reporter.notice("info", `Created Job ${job.ref.name} in namespace ${job.ref.namespace} (deadline: ${spec.activeDeadlineSeconds ? `${spec.activeDeadlineSeconds}s` : "none"})`);
    return { kind: "started", job, reattached: false, release: claim(job) };
  } catch (error) {
    const leftover = await removeFailedSubmit(ports, reporter, spec);
    const outcome = submitFailure(reporter, error, cancelSignal);
    return { kind: "failed", outcome: leftover ? { ...outcome, job: leftover } : outcome };
  }
}

/** The adopted claim's finished Job, still there and still finished; `null` (a new Job is created) otherwise. */
async function finishedOrphan(cluster: ClusterPort, claimed: AgentClaimed): Promise<JobSnapshot | null> {
  const name = claimed.claim.jobName;
  if (name === null) return null;
  try {
    const job = await cluster.getJob({ namespace: claimed.claim.ref.namespace, name });
    return job !== null && job.deletionTimestamp === undefined && isJobTerminal(job) ? job : null;
  } catch {
    // Unreadable now: a new Job under the refilled claim is what the run did before it could deliver orphans.
    return null;
  }
}

/**
 * A suspended Job of this agent that never started can never run: it is what a failed submit (whose
 * clean-up failed too) or a host crash between create and resume left. Delete it so it stops counting.
 */
async function removeLeftover(cluster: ClusterPort, reporter: RunReporter, job: JobSnapshot): Promise<void> {
  try {
    await cluster.deleteJob(job.ref, "Background");
    await reporter.notice("info", `Removed Job ${job.ref.name}: suspended since ${job.creationTimestamp} and never started (left by a submit that did not finish)`);
  } catch (error) {
    if (isClusterError(error) && error.code === "not_found") return;
    await reporter.notice("warn", `Suspended leftover Job ${job.ref.name} could not be removed (it never runs): ${describeError(error)}`);
  }
}

/** Relabels an orphan to this run so the next guard sees it as ours, not as another orphan. */
async function adopt(cluster: ClusterPort, reporter: RunReporter, orphan: JobSnapshot, spec: AgentJobSpec): Promise<JobSnapshot> {
  const labels: Record<string, string | null> = {};
  for (const key of ["paperclip.io/run-id", "paperclip.io/session-id", "paperclip.io/task-id"]) {
    labels[key] = spec.labels[key] ?? null;
  }
  // Keep the orphan's task label when we have none: it is what identified the orphan as ours.
  if (labels["paperclip.io/task-id"] === null) delete labels["paperclip.io/task-id"];
  try {
    return await cluster.relabel(orphan.ref, labels);
  } catch (error) {
    await reporter.notice("warn", `Could not relabel reattached Job ${orphan.ref.name}: ${describeError(error)}`);
    return orphan;
  }
}

/**
 * The port rolls a failed submit back, but its rollback can fail too (the API that broke the submit may
 * still be broken). A suspended Job never finishes, so nothing would ever collect it: look for it by its
 * planned name and delete it, retrying — a delete is idempotent, unlike the create. Returns the Job that
 * could not be removed, if any, so the outcome says so.
 */
async function removeFailedSubmit(ports: StartPorts, reporter: RunReporter, spec: AgentJobSpec): Promise<JobDisposition | null> {
  let delay = 1_000;
  for (let attempt = 1; attempt <= REMOVE_ATTEMPTS; attempt += 1) {
    try {
      const job = await ports.cluster.getJob(spec.ref);
      if (job === null) return null;
      await ports.cluster.deleteJob(job.ref, "Background");
      return null;
    } catch (error) {
      if (attempt === REMOVE_ATTEMPTS) {
        await reporter.notice("warn", `Job ${spec.ref.name} from the failed submit could not be removed: ${describeError(error)}`);
        break;
      }
      await ports.clock.sleep(delay);
      delay = Math.min(delay * 2, 15_000);
    }
  }
  return { namespace: spec.ref.namespace, name: spec.ref.name, reattached: false, kept: true, keptBecause: "delete_failed" };
}

function submitFailure(reporter: RunReporter, error: unknown, cancelSignal?: AbortSignal): RunOutcome {
  const access = accessFailure(error);
  if (access) return reporter.fail(access.code, access.message);
  if (isClusterError(error)) {
    if (error.code === "too_large") return reporter.fail("k8s_payload_too_large", `The run payload was refused as too large: ${error.message}`);
    if (/secret/i.test(error.operation)) return reporter.fail("k8s_prompt_secret_create_failed", `Failed to create the run payload Secret: ${error.message}`);
  }
  if (cancelSignal?.aborted) return reporter.fail("cancelled", "Run cancelled while the Job was being created (nothing was left behind)");
  return reporter.fail("k8s_job_create_failed", `Failed to create Kubernetes Job: ${describeError(error)}`);
}
