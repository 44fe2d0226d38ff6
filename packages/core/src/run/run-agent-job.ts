// The use case: one heartbeat run through plan → guard → submit/adopt → supervise (await start, stream,
// settle) → classify → clean up (docs/architecture.md, "The run"). Every wait is bounded and nothing throws
// out of here: every failure is a classified outcome.

import { parseConfig } from "../config/parse-config.js";
import { planAgentJob } from "../job/plan-agent-job.js";
import { runFactsOf } from "../outcome/run-facts.js";
import type { RunOutcome } from "../outcome/run-outcome.js";
import type { Clock } from "../ports/clock.js";
import type { ClusterPort } from "../ports/cluster-port.js";
import { NO_HOST_FACTS, type HostFacts, type HostPort } from "../ports/host-port.js";
import type { LeasePort } from "../ports/lease-port.js";
import type { LogPort } from "../ports/log-port.js";
import type { AgentLocks } from "./agent-locks.js";
import { claimAgentForRun, claimStillHeld } from "./claim-agent-for-run.js";
import { describeError } from "./error-text.js";
import type { RunObserver } from "./progress.js";
import { RunReporter } from "./run-reporter.js";
import type { RunRequest } from "./run-request.js";
import { startJob } from "./start-job.js";
import { superviseJob } from "./supervise-run.js";

export interface RunDependencies {
  readonly cluster: ClusterPort;
  readonly logs: LogPort;
  readonly host: HostPort;
  /** The process Lease every agent claim of this process names (one agent, one Job across processes). */
  readonly leases: LeasePort;
  readonly clock: Clock;
  /** Namespace used when neither the config nor the host pod names one. */
  readonly defaultNamespace: string;
  /** Shared by every run of the process (one instance per composition root). */
  readonly locks: AgentLocks;
}

export interface RunOptions {
  readonly observer?: RunObserver;
  /** Explicit cancel: the Job is deleted and the run returns `cancelled`. */
  readonly cancelSignal?: AbortSignal;
  /** Host shutdown: the run stops waiting and leaves the Job running for the next run to reattach. */
  readonly shutdownSignal?: AbortSignal;
}

/** Runs one heartbeat as a Kubernetes Job. Never throws: every failure is a classified outcome. */
export async function runAgentJob(deps: RunDependencies, request: RunRequest, options: RunOptions = {}): Promise<RunOutcome> {
  const reporter = new RunReporter(deps.clock, options.observer ?? {});
  try {
    return await runUnsafe(deps, reporter, request, options);
  } catch (error) {
    return reporter.fail("adapter_internal_error", `Unexpected adapter error: ${describeError(error)}`);
  } finally {
    await reporter.phase("done");
  }
}

async function runUnsafe(deps: RunDependencies, reporter: RunReporter, request: RunRequest, options: RunOptions): Promise<RunOutcome> {
  await reporter.phase("planning");
  const parsed = parseConfig(request.config);
  if (!parsed.ok) return reporter.fail("config_invalid", parsed.error.message, { fields: parsed.error.fields });
  const config = parsed.value;

  const host = await hostFacts(deps.host, reporter);
  const plan = planAgentJob({ request, config, host, defaultNamespace: deps.defaultNamespace, promptBundle: request.promptBundle ?? null });
  if (!plan.ok) return reporter.fail(plan.error.code, plan.error.message, plan.error.field ? { field: plan.error.field } : undefined);
  const spec = plan.value;
  await reporter.safely(() => reporter.observer.onPlan?.(spec, { promptChars: spec.payload.prompt.length }));

  if (options.cancelSignal?.aborted || options.shutdownSignal?.aborted) return reporter.fail("cancelled", "Run cancelled before the Job was created");

  const start = await deps.locks.withLock(request.agent.id, async () => {
    const claim = await claimAgentForRun(deps, reporter, request, spec, options);
    if (claim.kind === "failed") return claim;
    const { held } = claim;
    const started = await startJob(deps, reporter, request, spec, config, held, options.cancelSignal);
    if (started.kind === "failed") {
      // An adopted claim belongs to a Job that still runs (the guard blocked on it): it stays for its next run.
      await (held.claim.adopted ? held.claim.keep() : held.claim.release());
      held.done();
      return started;
    }
    return { ...started, held };
  });
  if (start.kind === "failed") return start.outcome;
  const { job, reattached, held } = start;
  // The claim was created (or taken over) inside the agent lock; it is released when this run stops supervising:
  // deleted when its Job is gone or finished, kept while the Job runs on without this run (shutdown, unknown).
  const takenOver = new AbortController();
  const onFenced = (): void => {
    void (async () => {
      const still = await claimStillHeld(deps.cluster, held.claim.claim, deps.locks.identity);
      if (still === true) {
        await reporter.notice("warn", `This process's Lease lapsed (${String(held.claim.fenced.reason)}), but the agent's claim is still this run's: supervision goes on`);
        return;
      }
      takenOver.abort(still === false ? "another clipjob process" : "unknown (the claim could not be read after this process's Lease lapsed)");
    })();
  };
  held.claim.fenced.addEventListener("abort", onFenced, { once: true });
  if (held.claim.fenced.aborted) onFenced();
  let keepClaim = true;
  let retained = false;
  try {
    await reporter.safely(() =>
      reporter.observer.onJob?.({ namespace: job.ref.namespace, name: job.ref.name, reattached, spec: reattached ? null : spec }),
    );
    // A Job this run created under its claim, or the one it adopted with the claim, is owned by the claim.
    const ownedByClaim = !reattached || (held.claim.adopted && held.claim.claim.jobName === job.ref.name);
    const outcome = await superviseJob(deps, reporter, { ...options, takeoverSignal: takenOver.signal }, { job, reattached, config, resumedSessionId: request.session?.sessionId ?? null, facts: runFactsOf({ ...spec, payloadSecret: held.claim.claim.ref.name }), ownedByClaim });
    keepClaim = claimOutlivesRun(outcome);
    retained = outcome.job?.keptBecause === "retain";
    return outcome;
  } finally {
    held.claim.fenced.removeEventListener("abort", onFenced);
    start.release();
    // A retained Job outlives its claim: the claim goes with Orphan propagation, which only drops the reference.
    await (keepClaim ? held.claim.keep() : held.claim.release(retained ? "Orphan" : "Background"));
    held.done();
  }
}

/**
 * The claim holds the payload its Job's pods read: it stays while the Job may still start or run without this
 * run (shutdown, outcome unknown, state mismatch, taken over). A finished, deleted or retained Job no longer
 * needs it; a Job whose delete failed is left to its TTL and, if it still runs, to the next claimant's guard.
 */
export function claimOutlivesRun(outcome: RunOutcome): boolean {
  const because = outcome.job?.kept === true ? outcome.job.keptBecause : undefined;
  return because === "shutdown" || because === "outcome_unknown" || because === "state_mismatch" || because === "taken_over";
}

async function hostFacts(host: HostPort, reporter: RunReporter): Promise<HostFacts> {
  try {
    return await host.describeHost();
  } catch (error) {
    await reporter.notice("warn", `Host pod introspection failed; nothing is inherited from it: ${describeError(error)}`);
    return NO_HOST_FACTS;
  }
}
