// What the run keeps of a transcript: everything the outcome needs, nothing proportional to its length.

export interface TokenUsage {
  /** Uncached input plus cache-creation input (both are billed as input). */
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  /** The cache-creation part of `inputTokens`, kept for display. */
  readonly cacheCreationInputTokens: number;
  /**
   * True when no result reported the run's totals and these are summed from the assistant messages seen
   * (once per message id): a lower bound, since a streamed message's usage is written before it ends.
   */
  readonly partial?: boolean;
}

export interface ResultEvent {
  readonly subtype: string | null;
  readonly isError: boolean;
  /** The `result` text, if it is a string. */
  readonly text: string | null;
  readonly errors: readonly string[];
  readonly stopReason: string | null;
  /** Why the CLI's loop ended (2.1+): `completed`, `api_error`, `prompt_too_long`, `max_turns`, … */
  readonly terminalReason: string | null;
  /** HTTP status of the API error that ended the run, when one did. */
  readonly apiErrorStatus: number | null;
  /** The API's error type (`authentication_error`, `not_found_error`, `rate_limit_error`, …). */
  readonly apiErrorType: string | null;
  /** The CLI's own API-error kind (`connection_failed`, `usage_limit_reached`, …). */
  readonly apiError: string | null;
  readonly numTurns: number | null;
  readonly sessionId: string | null;
  /** The result event as parsed, with long strings capped (it reaches Paperclip's resultJson). */
  readonly json: Readonly<Record<string, unknown>>;
}

export interface RateLimitNotice {
  readonly status: string | null;
  readonly rateLimitType: string | null;
  /** ISO time the limit resets, when the event says. */
  readonly resetsAt: string | null;
}

/**
 * The API error the CLI reported in a synthetic assistant message (model `<synthetic>`,
 * `is_api_error_message`), which it writes before its result — and which survives when the result does not.
 */
export interface ApiErrorNotice {
  /** HTTP status (`api_error_status`), null for connection failures. */
  readonly status: number | null;
  /** `api_error_type`: the API's error type. */
  readonly errorType: string | null;
  /** `error`: the CLI's class (`server_error`, `rate_limit`, `authentication_failed`, `model_not_found`, `invalid_request`…). */
  readonly error: string | null;
  /** `api_error`: the CLI's detail kind (`connection_failed`, `usage_limit_reached`…). */
  readonly apiError: string | null;
  /** The message text the CLI showed (capped). */
  readonly text: string | null;
}

/** A `system/api_retry` event: the CLI is retrying a failed API request. */
export interface ApiRetryNotice {
  readonly attempt: number | null;
  readonly maxRetries: number | null;
  /** HTTP status of the failed attempt; null for connection failures. */
  readonly errorStatus: number | null;
  /** The CLI's class of the failure (`rate_limit`, `server_error`, `overloaded`, `unknown`…). */
  readonly error: string | null;
  readonly retryDelayMs: number | null;
}

export interface TranscriptSummary {
  readonly sessionId: string | null;
  readonly model: string | null;
  /**
   * This run's tokens: from the last result's `model_usage_since_last_result` (every model), else its
   * `usage`; never `modelUsage`, which covers the whole session on `--resume`. Without a result: summed from
   * the assistant messages and marked `partial`. Null when nothing reported usage.
   */
  readonly usage: TokenUsage | null;
  /** This run's cost in USD: the sum of `model_usage_since_last_result[*].costUSD`; null when the result has none. */
  readonly costUsd: number | null;
  /** The result's `modelUsage` summed: every model, but the whole session's on `--resume`. */
  readonly sessionUsage: TokenUsage | null;
  /** The result's `total_cost_usd`: the whole session's cost on `--resume` (this run's only for a new session). */
  readonly sessionCostUsd: number | null;
  /** The last synthetic API-error message, if any. */
  readonly apiError: ApiErrorNotice | null;
  /** How many `system/api_retry` events were seen, and the last one. */
  readonly apiRetries: number;
  readonly lastApiRetry: ApiRetryNotice | null;
  /** The last compaction status (`system/status`): `compacting`, or the result `failed`/`succeeded`…; null if none. */
  readonly compaction: string | null;
  /** Result text, else the assistant text seen so far (bounded). */
  readonly summary: string;
  readonly result: ResultEvent | null;
  /** An assistant message with stop_reason null and 0 output tokens (degraded upstream), and no result. */
  readonly llmApiEmptyResponse: boolean;
  /** Assistant output tokens were seen (a run that dies now was truncated, not silent). */
  readonly assistantContentSeen: boolean;
  readonly assistantTurns: number;
  readonly lastRateLimit: RateLimitNotice | null;
  /** Counters for forensics; replayed lines are counted like any other line. */
  readonly lines: number;
  readonly nonEmptyLines: number;
  /** UTF-8 bytes of the lines, each counted with one newline. */
  readonly bytes: number;
  /** Lines that are stream-json events (JSON objects with a non-empty string `type`). */
  readonly jsonEvents: number;
  /** Non-blank lines that are not events (stderr, shell noise, untyped JSON). */
  readonly nonJsonLines: number;
  /** Event lines identical to one seen recently (a log replay), ignored after being counted here. */
  readonly replayedEvents: number;
  /** The first non-blank line that is not an event (what a crash usually printed), trimmed and capped. */
  readonly firstTextLine: string | null;
  /** A `system/init` event naming a model was seen — the init-only message needs it. */
  readonly initSeen: boolean;
}
