import type { ClassifyInput } from "./classify-input.js";
import {
  detectLoginRequired,
  detectProviderLimit,
  isFailureResult,
  isMaxTurns,
  isUnknownSession,
  mentionsUnknownSession,
  resultFailureText,
} from "./claude-failure-kinds.js";
import type { ErrorCode } from "./error-codes.js";
import { statusForCode } from "./failure-outcome.js";
import {
  LLM_API_ERROR_MESSAGE,
  cancelledMessage,
  describeClaudeFailure,
  exitPhrase,
  jobGoneMessage,
  partialRunMessage,
  podCauseSuffix,
  shutdownMessage,
  stateMismatchMessage,
  timeoutMessage,
  truncationCause,
  truncationMessage,
  unreachableMessage,
} from "./messages.js";
import type { RunOutcome } from "./run-outcome.js";
import { signalName } from "./signal-name.js";

/**
 * Transcript + how the run ended + the pod's terminated state → the run's outcome. Pure. The ending
 * decides first (a cancel is a cancel whatever Claude printed); then the result event, when there is
 * one; then the evidence left by a run without one, most specific first.
 */
export function classifyOutcome(input: ClassifyInput): RunOutcome {
  const base = baseOutcome(input);
  const { ending } = input;
  switch (ending.kind) {
    case "cancelled":
      return failed(base, "cancelled", cancelledMessage(ending.reason));
    case "shutdown":
      return failed(base, "k8s_job_kept_for_reattach", shutdownMessage(input.job), { keptForReattach: true });
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
    usage: t.usage,
    costUsd: t.costUsd,
    summary: t.summary,
    resultJson: t.result ? t.result.json : { tail: [...input.tail] },
    job: input.job,
    durationMs: input.durationMs,
    ...(input.transcriptGaps && input.transcriptGaps.length > 0 ? { transcriptGaps: [...input.transcriptGaps] } : {}),
  };
}

function failed(base: RunOutcome, code: ErrorCode, message: string, errorMeta?: Record<string, unknown>): RunOutcome {
  return { ...base, status: statusForCode(code), errorCode: code, errorMessage: message, errorMeta: errorMeta ?? null };
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
    return failed(base, "claude_failed", `Claude wrote its result but exited with code ${exitCode}${podCauseSuffix(input.termination)}`);
  }
  const described = describeClaudeFailure(result);
  if (isUnknownSession(result)) {
    return { ...failed(base, "session_unavailable", described ?? resultFailureText(result)), clearSession: true };
  }
  if (isMaxTurns(result)) {
    return { ...failed(base, "max_turns_exhausted", described ?? "Claude used up its max turns"), clearSession: true };
  }
  const fallback = described ?? `Claude reported an error and exited ${exitPhrase(exitCode)}`;
  // The result carries Claude's own words; stderr noise (an MCP server's 401…) must not outvote them.
  const login = detectLoginRequired({ result, lines: [] });
  if (login) return failed(base, "claude_auth_required", fallback, login.loginUrl ? { loginUrl: login.loginUrl } : undefined);
  const limited = providerLimit(input, resultFailureText(result));
  if (limited) return limited(base, fallback);
  return failed(base, "claude_failed", fallback);
}

function withoutResult(input: ClassifyInput, base: RunOutcome): RunOutcome {
  const t = input.transcript;
  const { ending } = input;
  // An exit by signal (>= 128) is the deletion's SIGTERM/SIGKILL (Foreground deletion kills the pod first).
  if (ending.kind === "job_gone" && (base.exitCode === null || base.exitCode >= 128)) {
    return failed(base, "k8s_job_deleted_externally", jobGoneMessage(ending.forensics));
  }
  if (t.llmApiEmptyResponse) return failed(base, "llm_api_error", LLM_API_ERROR_MESSAGE);
  if (t.assistantContentSeen) {
    const cause = truncationCause({ termination: input.termination, podPresence: input.podPresence, podPhase: input.podPhase });
    return failed(base, "claude_truncated", truncationMessage({ model: base.model, cause }));
  }
  const partial = partialRunMessage({
    exitCode: base.exitCode,
    model: t.model,
    firstTextLine: t.firstTextLine,
    initSeen: t.initSeen,
    hasOutput: t.nonEmptyLines > 0,
    termination: input.termination,
  });
  const textLines = plainTextLines(input);
  const text = textLines.join("\n");
  // Only a run that tried to resume can have resumed a stale session; stderr says so before any event.
  if (input.resumedSessionId !== null && mentionsUnknownSession(text)) {
    return { ...failed(base, "session_unavailable", partial), clearSession: true };
  }
  const login = detectLoginRequired({ result: null, lines: textLines });
  if (login) return failed(base, "claude_auth_required", partial, login.loginUrl ? { loginUrl: login.loginUrl } : undefined);
  const limited = providerLimit(input, text);
  if (limited) return limited(base, partial);
  return failed(base, "claude_no_result", partial);
}

/**
 * A provider limit, from the failure text or a `rate_limit_event` that said the request was rejected.
 * The text's own reset time wins; the event's `resetsAt` fills in when the text gives none.
 */
function providerLimit(
  input: ClassifyInput,
  text: string,
): ((base: RunOutcome, message: string) => RunOutcome) | null {
  const notice = input.transcript.lastRateLimit;
  const rejected = notice?.status === "rejected";
  const detected = detectProviderLimit(text, input.nowMs) ?? (rejected ? { family: "provider_quota" as const, retryNotBefore: null } : null);
  if (!detected) return null;
  const code: ErrorCode = detected.family === "provider_quota" ? "provider_quota" : "claude_transient_upstream";
  const retryNotBefore = detected.retryNotBefore ?? (notice?.resetsAt && rejected ? notice.resetsAt : null);
  const errorMeta = notice?.rateLimitType && rejected ? { rateLimitType: notice.rateLimitType } : undefined;
  return (base, message) => ({ ...failed(base, code, message, errorMeta), errorFamily: detected.family, retryNotBefore });
}

/** The lines that are not stream-json events (stderr, shell noise): where pre-init failures show up. */
function plainTextLines(input: ClassifyInput): string[] {
  const lines = input.tail.map((l) => l.trim()).filter((l) => l !== "" && !(l.startsWith("{") && l.endsWith("}")));
  const first = input.transcript.firstTextLine;
  return first !== null && !lines.includes(first) ? [first, ...lines] : lines;
}
