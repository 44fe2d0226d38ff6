// What the run keeps of a transcript: everything the outcome needs, nothing proportional to its length.

export interface TokenUsage {
  /** Uncached input plus cache-creation input (both are billed as input). */
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  /** The cache-creation part of `inputTokens`, kept for display. */
  readonly cacheCreationInputTokens: number;
}

export interface ResultEvent {
  readonly subtype: string | null;
  readonly isError: boolean;
  /** The `result` text, if it is a string. */
  readonly text: string | null;
  readonly errors: readonly string[];
  readonly stopReason: string | null;
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

export interface TranscriptSummary {
  readonly sessionId: string | null;
  readonly model: string | null;
  /** From the last result (summed `modelUsage` when present, else `usage`); null without a result. */
  readonly usage: TokenUsage | null;
  readonly costUsd: number | null;
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
