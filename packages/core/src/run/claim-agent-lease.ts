// Claiming the agent's Lease before the guard, and what a run reports when it cannot: another process's
// run supervises this agent (`k8s_concurrent_run_blocked`, naming the holder), the Lease API refused us
// (RBAC, credentials), or it could not be reached (`k8s_concurrency_guard_unreachable`).

import type { AgentJobSpec } from "../job/agent-job-spec.js";
import { agentLeaseName } from "../job/job-name.js";
import { guardSelector, LABEL_MANAGED_BY, MANAGED_BY_VALUE } from "../job/labels.js";
import type { RunOutcome } from "../outcome/run-outcome.js";
import type { Clock } from "../ports/clock.js";
import type { LeasePort } from "../ports/lease-port.js";
import type { LeaseClaimed } from "./agent-lease.js";
import type { AgentLocks } from "./agent-locks.js";
import { accessFailure, describeError } from "./error-text.js";
import type { RunReporter } from "./run-reporter.js";
import type { RunRequest } from "./run-request.js";

export interface LeaseClaimDeps {
  readonly leases: LeasePort;
  readonly clock: Clock;
  readonly locks: AgentLocks;
}

export type AgentLeaseClaim = { readonly kind: "claimed"; readonly claim: LeaseClaimed } | { readonly kind: "failed"; readonly outcome: RunOutcome };

/** Claims the Lease of `request.agent` in the Job's namespace. Call it inside `locks.withLock(agentId)`. */
export async function claimAgentLease(
  deps: LeaseClaimDeps,
  reporter: RunReporter,
  request: RunRequest,
  spec: AgentJobSpec,
  options: { readonly cancelSignal?: AbortSignal; readonly shutdownSignal?: AbortSignal },
): Promise<AgentLeaseClaim> {
  const ref = { namespace: spec.ref.namespace, name: agentLeaseName(request.agent.id) };
  const lease = `Lease ${ref.namespace}/${ref.name}`;
  const signals = [options.cancelSignal, options.shutdownSignal].filter((s): s is AbortSignal => s !== undefined);
  const result = await deps.locks.leases.claim(deps, {
    ref,
    labels: { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE, ...guardSelector(request.agent.id) },
    ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
    onWait: (holder, renewedAgoMs, waitMs) =>
      reporter.notice(
        "info",
        `Agent ${request.agent.id}: ${lease} is held by ${holder}${ago(renewedAgoMs)}; waiting up to ${Math.ceil(waitMs / 1000)} s to see whether its holder is alive (it renews) or gone (it expires)`,
      ),
  });
  const fail = (code: Parameters<RunReporter["fail"]>[0], message: string, meta?: Record<string, unknown>): AgentLeaseClaim => ({ kind: "failed", outcome: reporter.fail(code, message, meta) });
  switch (result.kind) {
    case "claimed":
      if (result.takenOverFrom !== null) {
        await reporter.notice("warn", `Took over ${lease} from ${result.takenOverFrom}: it went unrenewed for its whole duration, so its holder is gone`);
      }
      result.lost.addEventListener("abort", () => void reporter.notice("warn", `Lost ${lease} to ${String(result.lost.reason)}: renewals failed for longer than its duration`), { once: true });
      return { kind: "claimed", claim: result };
    case "busy":
      return fail(
        "k8s_concurrent_run_blocked",
        `Concurrent run blocked: agent ${request.agent.id} is busy: another clipjob process (${result.holder}) holds ${lease}${ago(result.renewedAgoMs)} and supervises the agent's Job; this run created no Job`,
        { lease: ref.name, holder: result.holder },
      );
    case "cancelled":
      return fail("cancelled", `Run cancelled while waiting for ${lease} (no Job was created)`);
    case "failed": {
      const access = accessFailure(result.error);
      if (access) return fail(access.code, access.message);
      return fail("k8s_concurrency_guard_unreachable", `Concurrency guard unreachable: ${lease} could not be read or written: ${describeError(result.error)}`);
    }
  }
}

function ago(ms: number | null): string {
  return ms === null ? "" : ` (renewed ${Math.max(0, Math.round(ms / 1000))} s ago)`;
}
