import type { ClassifyInput } from "./classify-input.js";
import { apiErrorTypeOf, apiStatusOf, claudeFailureCode, failureEvidence, type ClaudeFailureCode, type ClaudeFailureEvidence } from "./claude-failure-evidence.js";
import { extractLoginUrl, isFailureResult, resultFailureText } from "./claude-failure-kinds.js";
import type { ErrorCode, ErrorFamily } from "./error-codes.js";
import { statusForCode } from "./failure-outcome.js";
import {
  LLM_API_ERROR_MESSAGE,
  accessDeniedMessage,
  agentImageMessage,
  notWritableMessage,
  apiHostOf,
  authRequiredMessage,
  cancelledMessage,
  credentialAdvice,
  describeClaudeFailure,
  exitPhrase,
  jobGoneMessage,
  logIncompleteMessage,
  modelUnavailableMessage,
  oomBeforeOutputMessage,
  partialRunMessage,
  plainDetail,
  podCauseSuffix,
  promptTooLongMessage,
  providerQuotaMessage,
  shutdownMessage,
  takenOverMessage,
  stateMismatchMessage,
  timeoutMessage,
  transientUpstreamMessage,
  truncationCause,
  truncationMessage,
  unreachableMessage,
  upstreamUnreachableMessage,
} from "./messages.js";
import { parseRetryNotBefore, withinResetHorizon } from "./retry-time.js";
import { NOT_WRITABLE_EXIT_CODE, NOT_WRITABLE_MARKER } from "../job/claude-command.js";
import { NO_RUN_FACTS } from "./run-facts.js";
import type { RunOutcome } from "./run-outcome.js";
import { signalName } from "./signal-name.js";

/**
 * Transcript + how the run ended + the pod's terminated state → the run's outcome. Pure. The ending
 * decides first (a cancel is a cancel whatever Claude printed); then the result event, when there is
 * one; then the evidence left by a run without one, most specific first. Claude's failures are read from
 * the structured fields first (see CLAUDE_FAILURE_EVIDENCE), text only as a fallback.
 */
export function classifyOutcome(input: ClassifyInput): RunOutcome {
  const base = baseOutcome(input);
  const { ending } = input;
  switch (ending.kind) {
    case "cancelled":
      return failed(base, "cancelled", cancelledMessage(ending.reason));
    case "shutdown":
      return failed(base, "k8s_job_kept_for_reattach", shutdownMessage(input.job), { keptForReattach: true });
    case "taken_over":
      return failed(base, "k8s_concurrent_run_blocked", takenOverMessage(input.job, ending.by), { takenOverBy: ending.by });
    case "deadline":
      return { ...failed(base, "timeout", timeoutMessage(ending.timeoutSec)), timedOut: true };
    case "unreachable":
      return failed(base, "k8s_outcome_unknown", unreachableMessage(input.job, ending.detail));
    case "state_mismatch":
      return failed(base, "k8s_job_state_mismatch", stateMismatchMessage(input.job, ending.detail));
    case "pod_fatal":
      return failed(base, ending.code, `${ending.message}${podCauseSuffix(input.termination)}`);
    case "job_gone":
    case "job_finished":
      return input.transcript.result ? withResult(input, base) : withoutResult(input, base);
  }
}

/**
 * This run's usage and cost: the per-run figures when the CLI wrote them. An older CLI's result has only
 * session-wide `modelUsage` / `total_cost_usd`, which are this run's only when the run started the session;
 * on a resume they are never reported as the run's (usage falls back to the result's `usage`, cost unknown).
 */
function runUsage(input: ClassifyInput): Pick<RunOutcome, "usage" | "costUsd"> {
  const t = input.transcript;
  if (t.result && t.costUsd === null && input.resumedSessionId === null) {
    return { usage: t.sessionUsage ?? t.usage, costUsd: t.sessionCostUsd };
  }
  return { usage: t.usage, costUsd: t.costUsd };
}

function baseOutcome(input: ClassifyInput): RunOutcome {
  const t = input.transcript;
  return {
    status: "succeeded",
    errorCode: null,
    errorMessage: null,
    errorFamily: null,
    retryNotBefore: null,
    errorMeta: null,
    exitCode: input.termination?.exitCode ?? null,
    signal: signalName(input.termination),
    timedOut: false,
    sessionId: t.result?.sessionId ?? t.sessionId ?? input.resumedSessionId,
    clearSession: false,
    model: t.model ?? input.configuredModel,
    ...runUsage(input),
    summary: t.summary,
    resultJson: t.result ? t.result.json : { tail: [...input.tail] },
    job: input.job,
    durationMs: input.durationMs,
    ...(input.transcriptGaps && input.transcriptGaps.length > 0 ? { transcriptGaps: [...input.transcriptGaps] } : {}),
    ...(input.garbledLines && input.garbledLines.length > 0 ? { garbledLines: [...input.garbledLines] } : {}),
  };
}

function failed(base: RunOutcome, code: ErrorCode, message: string, errorMeta?: Record<string, unknown>): RunOutcome {
  // Usage summed from assistant messages (no result) is a lower bound: say so where hosts look.
  const meta = base.usage?.partial ? { ...errorMeta, usagePartial: true } : errorMeta;
  return { ...base, status: statusForCode(code), errorCode: code, errorMessage: message, errorMeta: meta && Object.keys(meta).length > 0 ? meta : null };
}

function withResult(input: ClassifyInput, base: RunOutcome): RunOutcome {
  const result = input.transcript.result!;
  const exitCode = base.exitCode;
  const { ending } = input;
  if (!isFailureResult(result)) {
    if (exitCode === 0) return base;
    // The deletion killed the container after its result (SIGTERM/SIGKILL): the exit code is the kill's.
    if (ending.kind === "job_gone") return failed(base, "k8s_job_deleted_externally", jobGoneMessage(ending.forensics, true));
    if (exitCode === null) {
      if (ending.kind === "job_finished" && ending.jobCondition === "Complete") return base;
      const reason = ending.kind === "job_finished" && ending.jobReason ? ` (${ending.jobReason})` : "";
      return failed(
        base,
        "claude_failed",
        `Claude wrote its result, but the Job failed${reason} before the container's exit code could be read`,
      );
    }
    // A success result and then an exit code of Claude's own (not a signal): something failed at shutdown
    // (an MCP server, a hook). The work is done and reported; the exit code stays as a warning.
    if (exitCode > 0 && exitCode < 128) {
      return {
        ...base,
        errorMeta: {
          warning: `Claude exited with code ${exitCode} after its success result (something failed at shutdown, e.g. an MCP server); the result stands`,
        },
      };
    }
    return failed(base, "claude_failed", `Claude wrote its result but exited with code ${exitCode}${podCauseSuffix(input.termination)}`);
  }
  // The result carries Claude's own words; stderr noise (an MCP server's 401…) must not outvote them.
  const t = input.transcript;
  const evidence = failureEvidence({ result, apiError: t.apiError, lastApiRetry: t.lastApiRetry, rateLimit: t.lastRateLimit, lines: [] });
  const found = claudeFailureCode(evidence);
  const described = describeClaudeFailure({ ...result, text: plainDetail(result.text) || null, errors: result.errors.map(plainDetail) });
  const fallback = described ?? `Claude reported an error and exited ${exitPhrase(exitCode)}`;
  if (!found) return failed(base, "claude_failed", fallback, apiMeta(evidence));
  return claudeFailure(input, base, found.code, evidence, described ?? fallback, described !== null);
}

function withoutResult(input: ClassifyInput, base: RunOutcome): RunOutcome {
  const t = input.transcript;
  const { ending } = input;
  const facts = input.facts ?? NO_RUN_FACTS;
  // An exit by signal (>= 128) is the deletion's SIGTERM/SIGKILL (Foreground deletion kills the pod first).
  if (ending.kind === "job_gone" && (base.exitCode === null || base.exitCode >= 128)) {
    return failed(base, "k8s_job_deleted_externally", jobGoneMessage(ending.forensics));
  }
  // The log's end was rotated away unread: whatever Claude wrote last (its result, an error) is unknown, so
  // no verdict about Claude can be read from a transcript that stops there.
  const endGap = input.transcriptGaps?.find((g) => g.before === null);
  if (endGap) return failed(base, "k8s_log_incomplete", logIncompleteMessage({ reason: endGap.reason, after: endGap.after, exitCode: base.exitCode }));
  if (t.llmApiEmptyResponse) return failed(base, "llm_api_error", LLM_API_ERROR_MESSAGE);
  const textLines = plainTextLines(input);
  const text = textLines.join("\n");
  const image = agentImageProblem(input, text);
  if (image) return failed(base, "k8s_agent_image_invalid", agentImageMessage(image));
  const unwritable = notWritableDirectory(input, textLines);
  if (unwritable) return failed(base, "k8s_agent_workspace_not_writable", notWritableMessage(unwritable, facts.runAsUser), { notWritable: unwritable });
  if (input.termination?.reason === "OOMKilled" && !t.assistantContentSeen) {
    return failed(base, "claude_truncated", `${oomBeforeOutputMessage(facts.memoryLimit)}${podCauseSuffix(input.termination)}`, { oomKilled: true });
  }
  if (t.assistantContentSeen && !t.apiError) {
    const cause = truncationCause({ termination: input.termination, podPresence: input.podPresence, podPhase: input.podPhase });
    return failed(base, "claude_truncated", truncationMessage({ model: base.model, cause, memoryLimit: facts.memoryLimit }));
  }
  const partial = partialRunMessage({
    exitCode: base.exitCode,
    model: t.model,
    firstTextLine: t.firstTextLine,
    initSeen: t.initSeen,
    hasOutput: t.nonEmptyLines > 0,
    termination: input.termination,
  });
  const evidence = failureEvidence({ result: null, apiError: t.apiError, lastApiRetry: t.lastApiRetry, rateLimit: t.lastRateLimit, lines: textLines });
  const found = claudeFailureCode(evidence) ?? retriedThenDied(evidence);
  // Only a run that tried to resume can have resumed a stale session; stderr says so before any event.
  if (found && !(found.code === "session_unavailable" && input.resumedSessionId === null)) {
    return claudeFailure(input, base, found.code, evidence, partial, true);
  }
  return failed(base, "claude_no_result", partial);
}

/** A run that died while the CLI was retrying a 429/5xx (no result, no message): the API was failing. */
function retriedThenDied(e: ClaudeFailureEvidence): { code: ClaudeFailureCode } | null {
  const status = e.lastApiRetry?.errorStatus ?? null;
  return status !== null && (status === 429 || status >= 500) ? { code: "claude_transient_upstream" } : null;
}

/** The API error's status and type for errorMeta, when the CLI reported one. */
function apiMeta(e: ClaudeFailureEvidence): Record<string, unknown> | undefined {
  const status = apiStatusOf(e);
  const type = apiErrorTypeOf(e);
  if (status === null && type === null) return undefined;
  return { ...(status !== null ? { apiErrorStatus: status } : {}), ...(type !== null ? { apiErrorType: type } : {}) };
}

/** The outcome of a Claude failure the evidence table named: its message, family, retry time and session fate. */
function claudeFailure(
  input: ClassifyInput,
  base: RunOutcome,
  code: ClaudeFailureCode,
  e: ClaudeFailureEvidence,
  fallback: string,
  fallbackSaysWhy: boolean,
): RunOutcome {
  const t = input.transcript;
  const facts = input.facts ?? NO_RUN_FACTS;
  const status = apiStatusOf(e);
  const errorType = apiErrorTypeOf(e);
  const detail = plainDetail(e.apiError?.text ?? (e.result ? resultFailureText(e.result) : e.text.split("\n")[0]));
  const meta = apiMeta(e);
  const withFamily = (outcome: RunOutcome, family: ErrorFamily, retryNotBefore: string | null): RunOutcome => ({ ...outcome, errorFamily: family, retryNotBefore });
  switch (code) {
    case "session_unavailable":
    case "max_turns_exhausted": {
      const message = code === "max_turns_exhausted" && !fallbackSaysWhy ? "Claude used up its max turns" : fallback;
      return { ...failed(base, code, message), clearSession: true };
    }
    case "claude_prompt_too_long":
      return { ...failed(base, code, promptTooLongMessage(t.compaction), meta), clearSession: true };
    case "provider_quota": {
      const notice = t.lastRateLimit?.status === "rejected" ? t.lastRateLimit : null;
      // The notice's epoch is bounded like a parsed one: a misread number must not hold retries for centuries.
      const noticed = notice?.resetsAt != null && withinResetHorizon(Date.parse(notice.resetsAt), input.nowMs) !== null ? notice.resetsAt : null;
      const retryNotBefore = noticed ?? parseRetryNotBefore(e.text, input.nowMs);
      const rateLimitType = notice?.rateLimitType ?? null;
      const message = providerQuotaMessage({ rateLimitType, retryNotBefore, nowMs: input.nowMs, detail });
      return withFamily(failed(base, code, message, { ...meta, ...(rateLimitType ? { rateLimitType } : {}) }), "provider_quota", retryNotBefore);
    }
    case "claude_access_denied":
      return failed(base, code, accessDeniedMessage({ status, errorType, detail, model: base.model, advice: credentialAdvice(facts.credentials, facts.envFromSecrets) }), meta);
    case "claude_auth_required": {
      const loginUrl = extractLoginUrl(e.text);
      const message = authRequiredMessage({ status, errorType, detail, advice: credentialAdvice(facts.credentials, facts.envFromSecrets) });
      return failed(base, code, message, { ...meta, ...(loginUrl ? { loginUrl } : {}) });
    }
    case "claude_model_unavailable":
      return failed(base, code, modelUnavailableMessage({ model: base.model, status, errorType }), meta);
    case "claude_upstream_unreachable": {
      const host = apiHostOf(facts.anthropicBaseUrl, e.text);
      return withFamily(failed(base, code, upstreamUnreachableMessage({ host, detail, retries: t.apiRetries }), meta), "transient_upstream", null);
    }
    case "claude_transient_upstream": {
      const host = apiHostOf(facts.anthropicBaseUrl, e.text);
      const dropped = status === null && (e.result?.apiError ?? e.apiError?.apiError) === "connection_failed";
      const message = transientUpstreamMessage({ status: status ?? e.lastApiRetry?.errorStatus ?? null, errorType, detail, retries: t.apiRetries, host, dropped });
      return withFamily(failed(base, code, message, meta), "transient_upstream", parseRetryNotBefore(e.text, input.nowMs));
    }
  }
}

/**
 * The agent image cannot run the command: the container never produced an event and the shell said
 * `claude` is missing (exit 127), or the runtime could not start `sh` at all (StartError, exit 128).
 */
function agentImageProblem(input: ClassifyInput, text: string): { missing: string | null; exitCode: number | null; detail: string } | null {
  if (input.transcript.jsonEvents > 0) return null;
  const term = input.termination;
  const exitCode = term?.exitCode ?? null;
  const startError = term?.reason === "StartError" || term?.reason === "ContainerCannotRun";
  if (startError || exitCode === 128) {
    const message = term?.message ?? text;
    if (!startError && !/executable file not found|no such file or directory|not found/i.test(message)) return null;
    const missing = /exec: "?([^":\s]+)"?: executable file not found/.exec(message)?.[1] ?? /exec: "?([^":\s]+)"?: no such file/.exec(message)?.[1] ?? null;
    return { missing, exitCode, detail: plainDetail(message).slice(0, 200) };
  }
  if (exitCode === 127) {
    const named = /(?:^|\s|:)([\w./-]+): (?:command )?not found/.exec(text)?.[1] ?? null;
    return { missing: named ?? "claude", exitCode, detail: plainDetail(text.split("\n")[0]) };
  }
  return null;
}

/** The directory the container command's writability check named (exit NOT_WRITABLE_EXIT_CODE), if it stopped there. */
function notWritableDirectory(input: ClassifyInput, textLines: readonly string[]): string | null {
  if (input.transcript.jsonEvents > 0 || input.termination?.exitCode !== NOT_WRITABLE_EXIT_CODE) return null;
  const line = textLines.find((l) => l.startsWith(NOT_WRITABLE_MARKER));
  return line === undefined ? null : line.slice(NOT_WRITABLE_MARKER.length).trim() || null;
}

/** The lines that are not stream-json events (stderr, shell noise): where pre-init failures show up. */
function plainTextLines(input: ClassifyInput): string[] {
  const lines = input.tail.map((l) => l.trim()).filter((l) => l !== "" && !(l.startsWith("{") && l.endsWith("}")));
  const first = input.transcript.firstTextLine;
  return first !== null && !lines.includes(first) ? [first, ...lines] : lines;
}
