// One table of evidence → code for every way a Claude run fails. Each row names the structured fields the
// CLI writes (2.1: the result's `terminal_reason`, `api_error_status`, `api_error_type`, `api_error`; the
// synthetic assistant's `error`/`api_error`; `rate_limit_event`; `system/api_retry`; result subtype and
// `is_error`), and the text patterns that are only a fallback for older CLIs and for stderr. The structured
// pass runs over all rows before the text pass: a field never loses to a phrase.

import type { ApiErrorNotice, ApiRetryNotice, RateLimitNotice, ResultEvent } from "../stream/transcript-summary.js";
import { MAX_TURNS_TEXT, PROVIDER_QUOTA, TRANSIENT_UPSTREAM, LOGIN_REQUIRED, UNKNOWN_SESSION, resultFailureText } from "./claude-failure-kinds.js";
import type { ErrorCode } from "./error-codes.js";

/** Everything the transcript says about a failure, structured fields and failure text apart. */
export interface ClaudeFailureEvidence {
  /** The result, when it is a failure (`is_error` or an `error_*` subtype); null otherwise. */
  readonly result: ResultEvent | null;
  /** The synthetic API-error message (survives when the result does not). */
  readonly apiError: ApiErrorNotice | null;
  readonly lastApiRetry: ApiRetryNotice | null;
  /** The last `rate_limit_event`. */
  readonly rateLimit: RateLimitNotice | null;
  /** Failure text only: the failed result's text and errors, the synthetic message, stderr / non-event lines. */
  readonly text: string;
}

export type ClaudeFailureCode = Extract<
  ErrorCode,
  | "session_unavailable"
  | "max_turns_exhausted"
  | "claude_prompt_too_long"
  | "provider_quota"
  | "claude_access_denied"
  | "claude_auth_required"
  | "claude_model_unavailable"
  | "claude_upstream_unreachable"
  | "claude_transient_upstream"
>;

interface EvidenceRow {
  readonly code: ClaudeFailureCode;
  /** The structured evidence, in words (documentation; the README's table follows it). */
  readonly fields: string;
  readonly structured: (e: ClaudeFailureEvidence) => boolean;
  readonly text: (e: ClaudeFailureEvidence) => boolean;
}

/** The HTTP status of the API error: the result's, else the synthetic message's. */
export function apiStatusOf(e: ClaudeFailureEvidence): number | null {
  return e.result?.apiErrorStatus ?? e.apiError?.status ?? null;
}

export function apiErrorTypeOf(e: ClaudeFailureEvidence): string | null {
  return e.result?.apiErrorType ?? e.apiError?.errorType ?? null;
}

function apiErrorKindOf(e: ClaudeFailureEvidence): string | null {
  return e.result?.apiError ?? e.apiError?.apiError ?? null;
}

const REFUSED = /\b(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b|connection refused|getaddrinfo|unable to connect to api/i;
const DROPPED = /\b(?:ECONNRESET|ETIMEDOUT|EPIPE|ECONNABORTED|UND_ERR_SOCKET)\b|socket hang up|connection (?:dropped|reset|closed)|usually temporary|request timed out/i;
/** An older CLI's words for a failing API: `API Error: 500 {"type":"error","error":{"type":"api_error",…}}`. */
const SERVER_ERROR_TEXT = /\bAPI Error:?\s*(?:408|429|5\d\d)\b|"type"\s*:\s*"(?:api_error|overloaded_error|rate_limit_error)"|\binternal server error\b/i;
const UNRECOGNIZED_MODEL_TAG = /\[claude-code:unrecognized_model\]/;
const transientStatus = (s: number | null): boolean => s === 429 || s === 408 || (s !== null && s >= 500 && s <= 599);

export const CLAUDE_FAILURE_EVIDENCE: readonly EvidenceRow[] = [
  {
    code: "session_unavailable",
    fields: "none: a result `error_during_execution` whose errors say `No conversation found with session ID` (also on stderr)",
    structured: () => false,
    text: (e) => UNKNOWN_SESSION.some((re) => re.test(e.text)),
  },
  {
    code: "max_turns_exhausted",
    fields: "`terminal_reason: max_turns`, subtype `error_max_turns`, or `stop_reason: max_turns`",
    structured: (e) => e.result?.terminalReason === "max_turns" || e.result?.subtype === "error_max_turns" || e.result?.stopReason?.toLowerCase() === "max_turns",
    text: (e) => e.result !== null && MAX_TURNS_TEXT.test(e.text),
  },
  {
    code: "claude_prompt_too_long",
    fields: "`terminal_reason: prompt_too_long` (after a failed compaction on a long session)",
    structured: (e) => e.result?.terminalReason === "prompt_too_long",
    text: (e) => /\bprompt is too long\b/i.test(e.text),
  },
  {
    code: "provider_quota",
    fields: "`rate_limit_event` with `status: rejected`, or `api_error: usage_limit_reached`",
    structured: (e) => e.rateLimit?.status === "rejected" || apiErrorKindOf(e) === "usage_limit_reached",
    text: (e) => PROVIDER_QUOTA.some((re) => re.test(e.text)),
  },
  {
    code: "claude_access_denied",
    fields: "`api_error_status: 403` or `api_error_type: permission_error`",
    structured: (e) => apiStatusOf(e) === 403 || apiErrorTypeOf(e) === "permission_error",
    text: (e) => /\bAPI Error:?\s*403\b|\b403\b[^\n]{0,80}\b(?:forbidden|permission|access)\b|\bdoes not have access\b|\bpermission_error\b/i.test(e.text),
  },
  {
    code: "claude_auth_required",
    fields: "`api_error_status: 401`, `api_error_type: authentication_error`, or the synthetic `error: authentication_failed` without a status",
    structured: (e) =>
      apiStatusOf(e) === 401 || apiErrorTypeOf(e) === "authentication_error" || (apiStatusOf(e) === null && e.apiError?.error === "authentication_failed"),
    text: (e) => LOGIN_REQUIRED.some((re) => re.test(e.text)),
  },
  {
    code: "claude_model_unavailable",
    fields: "`api_error_status: 404` with `not_found_error`, the synthetic `error: model_not_found`, or stderr `[claude-code:unrecognized_model]`",
    structured: (e) =>
      (apiStatusOf(e) === 404 && apiErrorTypeOf(e) === "not_found_error") || e.apiError?.error === "model_not_found" || UNRECOGNIZED_MODEL_TAG.test(e.text),
    text: (e) => /\bissue with the selected model\b|\bmodel\b[^\n]{0,60}\b(?:not found|does not exist|not_found_error)\b|\bunknown model\b/i.test(e.text),
  },
  {
    code: "claude_upstream_unreachable",
    fields: "`api_error: connection_failed` with a refusal (ECONNREFUSED, ENOTFOUND, EAI_AGAIN, EHOSTUNREACH, ENETUNREACH)",
    structured: (e) => apiErrorKindOf(e) === "connection_failed" && REFUSED.test(e.text),
    text: (e) => REFUSED.test(e.text),
  },
  {
    code: "claude_transient_upstream",
    fields:
      "`api_error_status` 429, 408 or 5xx (529 overloaded); `api_error_type` rate_limit_error / overloaded_error / api_error; `api_error: connection_failed`; the synthetic `error` server_error / rate_limit / overloaded",
    structured: (e) =>
      transientStatus(apiStatusOf(e)) ||
      ["rate_limit_error", "overloaded_error", "api_error"].includes(apiErrorTypeOf(e) ?? "") ||
      apiErrorKindOf(e) === "connection_failed" ||
      ["server_error", "rate_limit", "overloaded"].includes(e.apiError?.error ?? ""),
    text: (e) => TRANSIENT_UPSTREAM.some((re) => re.test(e.text)) || DROPPED.test(e.text) || SERVER_ERROR_TEXT.test(e.text),
  },
];

/** The code the evidence proves, and whether structured fields or only text patterns proved it. */
export function claudeFailureCode(e: ClaudeFailureEvidence): { code: ClaudeFailureCode; via: "structured" | "text" } | null {
  for (const row of CLAUDE_FAILURE_EVIDENCE) if (row.structured(e)) return { code: row.code, via: "structured" };
  for (const row of CLAUDE_FAILURE_EVIDENCE) if (row.text(e)) return { code: row.code, via: "text" };
  return null;
}

/** Builds the evidence; `lines` are the run's non-event lines (stderr and the like). */
export function failureEvidence(input: {
  readonly result: ResultEvent | null;
  readonly apiError: ApiErrorNotice | null;
  readonly lastApiRetry: ApiRetryNotice | null;
  readonly rateLimit: RateLimitNotice | null;
  readonly lines: readonly string[];
}): ClaudeFailureEvidence {
  const texts = [input.result ? resultFailureText(input.result) : "", input.apiError?.text ?? "", ...input.lines];
  const unique = [...new Set(texts.map((t) => t.trim()).filter((t) => t !== ""))];
  return { result: input.result, apiError: input.apiError, lastApiRetry: input.lastApiRetry, rateLimit: input.rateLimit, text: unique.join("\n") };
}
