// core's RunOutcome → Paperclip's AdapterExecutionResult: the session to keep, usage and cost, and who bills
// the run. Reading the context into a run request is run-request-from-context.ts.
import { sessionCodec, type RunOutcome, type RunWorkspace, type SessionParams } from "@clipjob/core";
import type { AdapterBillingType, AdapterExecutionResult } from "@paperclipai/adapter-utils";
import { isRecord, nonBlank } from "./run-request-from-context.js";

/** Paperclip stores resultJson with the run row; a bigger one is replaced by a preview of its start. */
export const MAX_RESULT_JSON_BYTES = 64 * 1024;

export interface ResultContext {
  readonly workspace: RunWorkspace | null;
  /** The session the run was asked to resume: kept when the run ended before Claude reported one. */
  readonly resumedSession: SessionParams | null;
  readonly billing: Billing;
  /** The prompt bundle this run's Claude was given, recorded with the session. */
  readonly promptBundleKey: string | null;
  /** When the mapping happens; stamps a cancellation's acknowledgement. Default: now. */
  readonly finishedAt?: Date;
}

export function resultFromOutcome(outcome: RunOutcome, { workspace, resumedSession, billing, promptBundleKey, finishedAt }: ResultContext): AdapterExecutionResult {
  const sessionId = outcome.clearSession ? null : (outcome.sessionId ?? resumedSession?.sessionId ?? null);
  const sessionParams = sessionId
    ? sessionCodec.serialize({
        sessionId,
        cwd: workspace?.cwd,
        workspaceId: workspace?.workspaceId,
        repoUrl: workspace?.repoUrl,
        repoRef: workspace?.repoRef,
        promptBundleKey: promptBundleKey ?? undefined,
        lastJobName: outcome.job?.name ?? resumedSession?.lastJobName,
      })
    : null;
  return {
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    timedOut: outcome.timedOut,
    errorCode: outcome.errorCode,
    errorMessage: outcome.errorMessage,
    errorFamily: outcome.errorFamily,
    retryNotBefore: outcome.retryNotBefore,
    ...(outcome.errorMeta ? { errorMeta: { ...outcome.errorMeta } } : {}),
    ...(outcome.usage
      ? { usage: { inputTokens: outcome.usage.inputTokens, outputTokens: outcome.usage.outputTokens, cachedInputTokens: outcome.usage.cachedInputTokens } }
      : {}),
    usageBasis: "per_run",
    provider: "anthropic",
    biller: billing.biller,
    billingType: billing.billingType,
    model: outcome.model,
    costUsd: outcome.costUsd,
    summary: outcome.summary,
    resultJson: withCancellation(capResultJson(outcome.resultJson), outcome, finishedAt ?? new Date()),
    sessionId,
    sessionParams,
    sessionDisplayId: sessionCodec.getDisplayId(sessionParams),
    clearSession: outcome.clearSession,
  };
}

/**
 * A board cancel of an in-process adapter is confirmed by Paperclip (2026.916.1, heartbeat service's cancel)
 * only when the finished run's resultJson carries `executionCancellation: { state: "acknowledged" }`; without
 * it the cancel request answers 409 "provider termination could not be verified". We acknowledge only what we
 * verified: the run was cancelled and its Job was deleted, or no Job was ever created. A Job left behind (its
 * delete failed) is not acknowledged, so Paperclip keeps telling the operator to look.
 */
function withCancellation(json: Record<string, unknown> | null, outcome: RunOutcome, at: Date): Record<string, unknown> | null {
  if (outcome.errorCode !== "cancelled") return json;
  if (outcome.job !== null && outcome.job.kept) return json;
  return { ...(json ?? {}), executionCancellation: { state: "acknowledged", acknowledgedAt: at.toISOString() } };
}

export function capResultJson(json: Readonly<Record<string, unknown>> | null): Record<string, unknown> | null {
  if (json === null) return null;
  const text = JSON.stringify(json);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= MAX_RESULT_JSON_BYTES) return { ...json };
  return { truncated: true, originalBytes: bytes, preview: Buffer.from(text, "utf8").subarray(0, MAX_RESULT_JSON_BYTES - 1024).toString("utf8") };
}

// ---- who bills the run --------------------------------------------------------------------------

// As Paperclip's own Claude adapter reports it: Bedrock is metered by AWS; an API key the agent can use is
// metered by Anthropic; otherwise the agent runs on a Claude subscription.
export interface Billing {
  readonly biller: "anthropic" | "aws_bedrock";
  readonly billingType: AdapterBillingType;
}

export function usesBedrock(env: Readonly<Record<string, unknown>>): boolean {
  const flag = nonBlank(env["CLAUDE_CODE_USE_BEDROCK"])?.toLowerCase();
  return flag === "1" || flag === "true" || nonBlank(env["ANTHROPIC_BEDROCK_BASE_URL"]) !== null;
}

/**
 * `configEnv` is adapterConfig.env (any accepted form); `hostEnv` the adapter process's env, which agent pods
 * inherit Anthropic and Bedrock settings from.
 */
export function billingOf(configEnv: unknown, hostEnv: Readonly<Record<string, string | undefined>>): Billing {
  const configured = isRecord(configEnv) ? configEnv : {};
  const literal = Object.fromEntries(Object.entries(configured).map(([k, v]) => [k, isRecord(v) ? v["value"] : v]));
  if (usesBedrock({ ...hostEnv, ...literal })) return { biller: "aws_bedrock", billingType: "metered_api" };
  const hasApiKey = Object.hasOwn(configured, "ANTHROPIC_API_KEY") || nonBlank(hostEnv["ANTHROPIC_API_KEY"]) !== null;
  return { biller: "anthropic", billingType: hasApiKey ? "api" : "subscription" };
}
