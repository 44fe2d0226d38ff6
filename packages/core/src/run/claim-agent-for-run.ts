// Claiming the agent before the guard, and what a run reports when it cannot: another process's run holds the
// agent (`k8s_concurrent_run_blocked`, naming the holder), a run of this process does, the API refused us (RBAC,
// credentials, a payload too large for a Secret), or it could not be reached (`k8s_concurrency_guard_unreachable`).

import { labelForm } from "../guard/classify-orphan.js";
import { isJobTerminal, isSuspendedUnstarted } from "../guard/job-liveness.js";
import { LABEL_TASK_ID } from "../job/labels.js";
import type { AgentJobSpec } from "../job/agent-job-spec.js";
import { payloadData } from "../job/agent-job-spec.js";
import { agentClaimName } from "../job/job-name.js";
import type { RunOutcome } from "../outcome/run-outcome.js";
import type { ClaimRecord } from "../ports/claim-port.js";
import type { Clock } from "../ports/clock.js";
import { isClusterError } from "../ports/cluster-error.js";
import type { ClusterPort } from "../ports/cluster-port.js";
import type { LeasePort } from "../ports/lease-port.js";
import type { ClaimedJobState } from "./agent-claim.js";
import type { AgentLocks } from "./agent-locks.js";
import { claimAgent, type AgentClaimed } from "./claim-agent.js";
import { accessFailure, describeError } from "./error-text.js";
import type { RunReporter } from "./run-reporter.js";
import type { RunRequest } from "./run-request.js";

export interface ClaimForRunDeps {
  readonly cluster: ClusterPort;
  readonly leases: LeasePort;
  readonly clock: Clock;
  readonly locks: AgentLocks;
}

/** A claim this run holds: `done` must be called once the run has released or kept it. */
export interface RunClaim {
  readonly claim: AgentClaimed;
  readonly done: () => void;
}

export type AgentClaimStep = { readonly kind: "claimed"; readonly held: RunClaim } | { readonly kind: "failed"; readonly outcome: RunOutcome };

/**
 * Creates the claim of `request.agent` in the Job's namespace, holding the run's payload, or takes over a gone
 * holder's. Call it inside `locks.withLock(agentId)`.
 */
export async function claimAgentForRun(
  deps: ClaimForRunDeps,
  reporter: RunReporter,
  request: RunRequest,
  spec: AgentJobSpec,
  options: { readonly cancelSignal?: AbortSignal; readonly shutdownSignal?: AbortSignal },
): Promise<AgentClaimStep> {
  const ref = { namespace: spec.ref.namespace, name: agentClaimName(request.agent.id) };
  const claimText = `claim Secret ${ref.namespace}/${ref.name}`;
  const fail = (code: Parameters<RunReporter["fail"]>[0], message: string, meta?: Record<string, unknown>): AgentClaimStep => ({ kind: "failed", outcome: reporter.fail(code, message, meta) });

  // A run of this process holds it: supervising its Job, that is the same agent twice at once; finishing, it is
  // about to release, so wait for that (the in-process lock keeps everyone else behind us meanwhile).
  const local = deps.locks.claimHolder(ref.namespace, ref.name);
  if (local !== undefined) {
    if (deps.locks.supervisingRun(ref.namespace, local.jobName) !== undefined) {
      return fail("k8s_concurrent_run_blocked", `Concurrent run blocked: Job ${local.jobName} is still running for this agent (run ${local.runId})`, { jobs: [local.jobName] });
    }
    await local.done;
  }

  const signals = [options.cancelSignal, options.shutdownSignal].filter((s): s is AbortSignal => s !== undefined);
  let announcedWait = false;
  const result = await claimAgent({ claims: deps.cluster, leases: deps.leases, clock: deps.clock }, deps.locks.processLease(ref.namespace), {
    ref,
    runId: request.runId,
    jobName: spec.ref.name,
    labels: { ...spec.labels },
    data: payloadData(spec.payload),
    jobState: (claim) => claimedJobState(deps.cluster, claim, request.taskId ?? null),
    ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
    onWait: async (holder, waitMs) => {
      if (announcedWait) return;
      announcedWait = true;
      await reporter.notice("info", `Agent ${request.agent.id}: ${claimText} is held by ${holder}; waiting up to ${Math.ceil(waitMs / 1000)} s to see whether its holder is alive (its process Lease is renewed) or gone (it expires)`);
    },
  });
  switch (result.kind) {
    case "claimed": {
      if (result.adoptedFrom !== null) {
        const job = result.adoptedFinished ? `its Job ${result.claim.jobName ?? "?"} finished for this task and its outcome was never delivered, so this run delivers it` : "its Job is still running";
        await reporter.notice("warn", `Took over ${claimText} from ${result.adoptedFrom}: its process Lease went unrenewed for its whole duration (or is gone), so its holder is gone; ${job}`);
      }
      if (result.replacedFrom !== null) await reporter.notice("warn", `Replaced ${claimText} of ${result.replacedFrom}: its holder is gone and its Job is not running`);
      return { kind: "claimed", held: { claim: result, done: deps.locks.holdClaim(ref.namespace, ref.name, request.runId, spec.ref.name) } };
    }
    case "busy":
      return fail(
        "k8s_concurrent_run_blocked",
        `Concurrent run blocked: agent ${request.agent.id} is busy: another clipjob process (${result.holder}) holds ${claimText} and is alive (its process Lease is renewed); this run created no Job`,
        { claim: ref.name, holder: result.holder },
      );
    case "cancelled":
      return fail("cancelled", `Run cancelled while waiting for ${claimText} (no Job was created)`);
    case "failed": {
      const error = result.error;
      if (isClusterError(error) && error.code === "too_large") return fail("k8s_payload_too_large", `The run payload was refused as too large: ${error.message}`);
      const access = accessFailure(error);
      if (access) return fail(access.code, access.message);
      if (isClusterError(error) && !error.transient && /secret/i.test(error.operation)) {
        return fail("k8s_prompt_secret_create_failed", `Failed to create the run payload Secret (the agent's claim) ${ref.namespace}/${ref.name}: ${error.message}`);
      }
      return fail("k8s_concurrency_guard_unreachable", `Concurrency guard unreachable: the agent's ${claimText} or this process's Lease could not be read or written: ${describeError(error)}`);
    }
  }
}

/**
 * What the Job a claim was made for is doing (one read, only when a claim is contended). A finished Job of this
 * run's task under a claim not marked reported is undelivered: the claim is deleted when a run has delivered
 * its Job's outcome (marked reported when that delete failed), so a claim still there over a finished Job means
 * its holder stopped before it could deliver (docs/constant-cost-agent-claim.md, "Delivering a finished orphan").
 */
async function claimedJobState(cluster: ClusterPort, claim: ClaimRecord, taskId: string | null): Promise<ClaimedJobState> {
  if (claim.jobName === null) return "absent";
  const job = await cluster.getJob({ namespace: claim.ref.namespace, name: claim.jobName });
  if (job === null || job.deletionTimestamp !== undefined) return "absent";
  // A suspended Job that never started is a leftover the guard removes: nothing of it is worth adopting.
  if (isSuspendedUnstarted(job)) return "finished";
  if (!isJobTerminal(job)) return "live";
  const task = labelForm(taskId);
  return !claim.reported && task !== null && job.labels[LABEL_TASK_ID] === task ? "finished_undelivered" : "finished";
}

/**
 * After `fenced` aborted: is the claim still this run's (same uid, naming this process)? `false` when another
 * process adopted or replaced it; `null` when it could not be read.
 */
export async function claimStillHeld(cluster: ClusterPort, claim: ClaimRecord, identity: string): Promise<boolean | null> {
  try {
    const now = await cluster.getClaim(claim.ref);
    return now !== null && now.uid === claim.uid && now.holder === identity;
  } catch {
    return null;
  }
}
