// Paperclip's execute(ctx) for claude_k8s: map the context to a RunRequest, run it through core on the
// cluster the config names, map the outcome back. It never throws: anything unexpected becomes
// `adapter_internal_error` with its message, so Paperclip always records a classified result.
import { hostname } from "node:os";
import { failureOutcome, parseConfig, runAgentJob, type ClipjobConfig, type ErrorCode, type RunOutcome } from "@clipjob/core";
import type { AdapterExecutionContext, AdapterExecutionResult } from "@paperclipai/adapter-utils";
import type { AdapterRoot } from "../composition/adapter-root.js";
import { promptBundleForRun, type PromptBundleSources } from "../prompt-bundle/run-prompt-bundle.js";
import { isRecord, readRunContext, runRequestFromContext } from "./run-request-from-context.js";
import type { HostSignals } from "./host-signals.js";
import { hostLetsGo, processTimer, type TakeoverTimer } from "./host-takeover.js";
import { invocationMeta } from "./invocation-meta.js";
import { billingOf, resultFromOutcome, type Billing } from "./result-from-outcome.js";
import { NOTICE_PREFIX, NOTICE_STREAM, RunReporter } from "./run-reporter.js";
import { splitStopSignal } from "./stop-signals.js";
import { unknownConfigKeyWarnings } from "./unknown-config-keys.js";

export interface ExecuteDependencies {
  readonly root: AdapterRoot;
  readonly signals: HostSignals;
  /** The adapter process's env (billing reads the model credentials agents inherit from it). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where skills and instructions are materialised for runs on a real cluster. */
  readonly promptBundle: PromptBundleSources;
  /** Bounds the wait of a run kept on host shutdown; a real, unref'd timer by default. */
  readonly takeoverTimer?: TakeoverTimer;
}

export async function executeRun(deps: ExecuteDependencies, ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const startedAt = Date.now();
  try {
    return await executeUnsafe(deps, ctx);
  } catch (error) {
    const message = `Unexpected adapter error: ${error instanceof Error ? error.message : String(error)}`;
    await safeNotice(ctx, `adapter_internal_error: ${message}`);
    const outcome = failureOutcome({ code: "adapter_internal_error", message, durationMs: Date.now() - startedAt });
    return resultFromOutcome(outcome, { workspace: null, resumedSession: null, billing: safeBilling(ctx, deps.env), promptBundleKey: null });
  }
}

async function executeUnsafe(deps: ExecuteDependencies, ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const startedAt = Date.now();
  const stops = splitStopSignal(ctx.signal, deps.signals);
  try {
    // Opt in to signal-based cancellation before any provider work: a board cancel then aborts at once.
    await ctx.onCancellationReady?.();
    const { rawConfig, hostEnv, sanitized, workspace, resumedSession } = readRunContext(ctx);
    for (const warning of unknownConfigKeyWarnings(rawConfig)) await safeNotice(ctx, `warning: ${warning}`);
    const billing = billingOf(rawConfig["env"], deps.env);
    let promptBundleKey: string | null = null;
    const finish = async (outcome: RunOutcome): Promise<AdapterExecutionResult> => {
      await reportVerdict(ctx, outcome);
      // Kept because the host is going down: Paperclip records the run's end itself (see host-takeover.ts).
      if (outcome.errorCode === "k8s_job_kept_for_reattach") await hostLetsGo(ctx.signal, { timer: deps.takeoverTimer ?? processTimer });
      return resultFromOutcome(outcome, { workspace, resumedSession, billing, promptBundleKey });
    };
    const early = (code: ErrorCode, message: string, errorMeta?: Record<string, unknown>): Promise<AdapterExecutionResult> =>
      finish(failureOutcome({ code, message, ...(errorMeta ? { errorMeta } : {}), durationMs: Date.now() - startedAt }));

    const parsed = parseConfig(sanitized.config);
    if (!parsed.ok) return await early("config_invalid", parsed.error.message, { fields: parsed.error.fields });
    const config = parsed.value;
    const opened = await deps.root.openScope(config);
    if (!opened.ok) {
      const field = opened.error.code === "kubeconfig_context_missing" ? "kubeContext" : "kubeconfig";
      return await early("config_invalid", `${field}: ${opened.error.message}`, { fields: [{ field, problem: opened.error.message }], kubeconfigError: opened.error.code });
    }
    const scope = opened.value;
    const simulation = scope.simulation;
    const bundle = await promptBundleForRun({ scope, config, rawConfig: sanitized.config, companyId: ctx.agent.companyId, sources: deps.promptBundle });
    promptBundleKey = bundle.key;
    const runConfig = runConfigFor(sanitized.config, {
      image: simulation && config.image === null ? simulation.imageFor(config.simulatedScenario) : null,
      dropInstructions: bundle.dropInstructions,
    });
    const request = { ...runRequestFromContext({ ctx, config: runConfig, hostEnv }), promptBundle: bundle.ref, startedBy: STARTED_BY };
    const reporter = new RunReporter(ctx, (spec, promptMetrics) =>
      invocationMeta({
        spec,
        promptMetrics,
        timeoutSec: config.timeoutSec,
        reattachOrphanedJobs: config.reattachOrphanedJobs,
        simulatedScenario: simulation ? config.simulatedScenario : null,
        extraNotes: [...sanitized.notes, ...bundle.notes],
      }),
    );
    if (simulation) await reporter.notice(evaluationNotice(config));
    for (const warning of bundle.warnings) await reporter.notice(`warning: ${warning}`);
    const outcome = await runAgentJob(scope.runDependencies, request, {
      observer: reporter,
      cancelSignal: stops.cancel,
      shutdownSignal: stops.shutdown,
    });
    return await finish(outcome);
  } finally {
    stops.dispose();
  }
}

/** Who supervises this process's Jobs, as the guard of another process names it (in a pod, the host name is the pod's). */
const STARTED_BY = `Paperclip, pid ${process.pid} on ${hostname()}`;

/** adapterConfig as the run should see it: the simulated image filled in, unreadable instructions left out. */
function runConfigFor(config: Record<string, unknown>, { image, dropInstructions }: { image: string | null; dropInstructions: boolean }): Record<string, unknown> {
  const { instructionsFilePath: _dropped, ...withoutInstructions } = config;
  return { ...(dropInstructions ? withoutInstructions : config), ...(image !== null ? { image } : {}) };
}

function evaluationNotice(config: ClipjobConfig): string {
  return `EVALUATION MODE: this run uses the simulated cluster (scenario "${config.simulatedScenario}"), not Kubernetes and not Claude`;
}

/** One line saying how the run ended and what became of its Job, for whoever reads the log later. */
async function reportVerdict(ctx: AdapterExecutionContext, outcome: RunOutcome): Promise<void> {
  const lines: string[] = [];
  if (outcome.job) {
    const ref = `${outcome.job.namespace}/${outcome.job.name}`;
    lines.push(outcome.job.kept ? `Job ${ref} kept (${outcome.job.keptBecause ?? "retained"})` : `Job ${ref} deleted`);
  }
  if (outcome.errorCode) lines.push(`${outcome.errorCode}: ${outcome.errorMessage ?? ""}`);
  for (const line of lines) await safeNotice(ctx, line);
}

async function safeNotice(ctx: AdapterExecutionContext, message: string): Promise<void> {
  try {
    await ctx.onLog(NOTICE_STREAM, `${NOTICE_PREFIX}${message}\n`);
  } catch {
    // The log is the host's; failing to write one line must not lose the run's result.
  }
}

function safeBilling(ctx: AdapterExecutionContext, env: Readonly<Record<string, string | undefined>>): Billing {
  try {
    return billingOf(isRecord(ctx.config) ? ctx.config["env"] : undefined, env);
  } catch {
    return { biller: "anthropic", billingType: "unknown" };
  }
}
