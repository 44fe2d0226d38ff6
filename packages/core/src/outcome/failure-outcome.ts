import type { ErrorCode, OutcomeStatus } from "./error-codes.js";
import type { JobDisposition, RunOutcome } from "./run-outcome.js";

// Codes that say the run may still be going on in the cluster: nobody knows yet whether it failed.
const UNKNOWN_OUTCOME_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "k8s_outcome_unknown",
  "k8s_job_state_mismatch",
  "k8s_job_kept_for_reattach",
]);

/** The outcome class an error code implies. */
export function statusForCode(code: ErrorCode): OutcomeStatus {
  if (code === "cancelled") return "cancelled";
  if (code === "timeout") return "timed_out";
  return UNKNOWN_OUTCOME_CODES.has(code) ? "unknown" : "failed";
}

/** A run that ended before (or without) a transcript: bad config, a guard block, a failed submit… */
export function failureOutcome(input: {
  code: ErrorCode;
  message: string;
  errorMeta?: Record<string, unknown>;
  job?: JobDisposition | null;
  durationMs: number;
  exitCode?: number | null;
  sessionId?: string | null;
}): RunOutcome {
  return {
    status: statusForCode(input.code),
    errorCode: input.code,
    errorMessage: input.message,
    errorFamily: null,
    retryNotBefore: null,
    errorMeta: input.errorMeta ?? null,
    exitCode: input.exitCode ?? null,
    signal: null,
    timedOut: input.code === "timeout",
    sessionId: input.sessionId ?? null,
    clearSession: false,
    model: null,
    usage: null,
    costUsd: null,
    summary: "",
    resultJson: null,
    job: input.job ?? null,
    durationMs: input.durationMs,
  };
}
