// Claude Code's stream-json events (`claude --print --output-format stream-json --verbose`): one typed model
// read by everything that looks inside them — core's transcript reducer (outcomes), the CLI's transcript
// formatter and the Paperclip plugin's ui-parser (bundled into a worker, so this module imports nothing).
//
// The CLI writes one JSON object per line with a string `type`; its fields vary by version, so every
// reader below checks what it reads and answers null (or leaves a block out) rather than trusting a shape.
// Field names are the CLI's (snake_case on the wire, camelCase where the CLI writes camelCase).

import type { ApiRetryNotice } from "./transcript-summary.js";

/** A JSON object as parsed: fields unknown until read. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Event types the readers know; any other string is kept as an event of that type. */
export type KnownStreamJsonType = "system" | "assistant" | "user" | "result" | "rate_limit_event" | "stream_event" | "error";

/** One stream-json event: a JSON object whose `type` is a non-empty string. */
export interface StreamJsonEvent extends JsonObject {
  readonly type: string;
}

/** A content block of an assistant or user message, narrowed by `type`; `other` is any block not read here. */
export type ContentBlock =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "thinking"; readonly thinking: string }
  | {
      readonly type: "tool_use" | "server_tool_use" | "mcp_tool_use";
      /** The tool's name; null when missing or empty. */
      readonly name: string | null;
      /** `id` (or, in some CLI versions, `tool_use_id`); null when missing. */
      readonly id: string | null;
      readonly input: unknown;
    }
  | {
      readonly type: "tool_result";
      /** Null when missing or empty. */
      readonly toolUseId: string | null;
      /** A string, or an array of parts (`{type:"text",text}`, images…), as the CLI wrote it. */
      readonly content: unknown;
      readonly isError: boolean;
    }
  | { readonly type: "other"; readonly block: JsonObject };

/** An API error the CLI reported as a synthetic assistant message (model `<synthetic>`). */
export interface SyntheticApiError {
  /** HTTP status, e.g. 529; null when not given. */
  readonly status: number | null;
  /** `api_error_type`, e.g. "overloaded_error". */
  readonly errorType: string | null;
  /** `error`, the CLI's own classification, e.g. "rate_limit". */
  readonly error: string | null;
  /** `api_error`. */
  readonly apiError: string | null;
  /** The texts of the message's content blocks, in order (empty ones included). */
  readonly texts: readonly string[];
}

/** A `system/status` event about compaction: running (`compacting`) or ended (`compact_result`). */
export interface CompactionStatus {
  /** `compact_result`, e.g. "success" or "failed"; null while compacting. */
  readonly result: string | null;
  readonly error: string | null;
  /** `status`, e.g. "compacting". */
  readonly status: string | null;
}

/** `line` as a stream-json event: a JSON object with a non-empty string `type`; null for anything else. */
export function parseStreamJsonEvent(line: string): StreamJsonEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const event = asJsonObject(value);
  return event && typeof event["type"] === "string" && event["type"] !== "" ? (event as StreamJsonEvent) : null;
}

/** `value` when it is a JSON object (not null, not an array). */
export function asJsonObject(value: unknown): JsonObject | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : null;
}

/** The `message` of an assistant or user event; `{}` when missing. */
export function eventMessage(event: JsonObject): JsonObject {
  return asJsonObject(event["message"]) ?? {};
}

/** The content blocks of an event's message (none when the content is a plain string or missing). */
export function contentBlocks(event: JsonObject): ContentBlock[] {
  const content = eventMessage(event)["content"];
  if (!Array.isArray(content)) return [];
  const blocks: ContentBlock[] = [];
  for (const raw of content) {
    const block = asJsonObject(raw);
    if (block) blocks.push(contentBlock(block));
  }
  return blocks;
}

function contentBlock(block: JsonObject): ContentBlock {
  const type = block["type"];
  if (type === "text" && typeof block["text"] === "string") return { type, text: block["text"] };
  if (type === "thinking" && typeof block["thinking"] === "string") return { type, thinking: block["thinking"] };
  if (type === "tool_use" || type === "server_tool_use" || type === "mcp_tool_use") {
    const id = typeof block["id"] === "string" ? block["id"] : typeof block["tool_use_id"] === "string" ? block["tool_use_id"] : null;
    return { type, name: nonEmpty(block["name"]), id, input: block["input"] };
  }
  if (type === "tool_result") {
    return { type, toolUseId: nonEmpty(block["tool_use_id"]), content: block["content"], isError: block["is_error"] === true };
  }
  return { type: "other", block };
}

/** Whether an assistant event is a synthetic API error (`is_api_error_message`, or model `<synthetic>` with an `error`). */
export function isSyntheticApiError(event: JsonObject, message: JsonObject = eventMessage(event)): boolean {
  return event["is_api_error_message"] === true || (message["model"] === "<synthetic>" && typeof event["error"] === "string");
}

/** The API error of a synthetic assistant message (`is_api_error_message`, or model `<synthetic>` with an `error`). */
export function syntheticApiError(event: JsonObject): SyntheticApiError | null {
  const message = eventMessage(event);
  if (!isSyntheticApiError(event, message)) return null;
  const content = Array.isArray(message["content"]) ? message["content"] : [];
  const texts = content.map(asJsonObject).flatMap((b) => (b && typeof b["text"] === "string" ? [b["text"]] : []));
  return {
    status: finite(event["api_error_status"]),
    errorType: nonEmpty(event["api_error_type"]),
    error: nonEmpty(event["error"]),
    apiError: nonEmpty(event["api_error"]),
    texts,
  };
}

/** Reads a `system/api_retry` event. */
export function apiRetryNotice(event: JsonObject): ApiRetryNotice {
  return {
    attempt: finite(event["attempt"]),
    maxRetries: finite(event["max_retries"]),
    errorStatus: finite(event["error_status"]),
    error: nonEmpty(event["error"]),
    retryDelayMs: finite(event["retry_delay_ms"]),
  };
}

/** "API 429 rate_limit, retry 2 of 10 in 40 s" (delays under 10 s with one decimal). */
export function describeApiRetry(notice: ApiRetryNotice): string {
  const what = [notice.errorStatus === null ? "" : String(notice.errorStatus), notice.error ?? ""].filter((p) => p !== "").join(" ") || "error";
  const attempt = notice.attempt === null ? "" : ` ${notice.attempt}`;
  const of = notice.maxRetries === null ? "" : ` of ${notice.maxRetries}`;
  const ms = notice.retryDelayMs;
  const delay = ms === null ? "" : ` in ${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `API ${what}, retry${attempt}${of}${delay}`;
}

/** Reads a `system/status` event: `status: "compacting"` while it runs, then `compact_result` (and `compact_error`). */
export function compactionStatus(event: JsonObject): CompactionStatus {
  return { result: nonEmpty(event["compact_result"]), error: nonEmpty(event["compact_error"]), status: nonEmpty(event["status"]) };
}

/** A `rate_limit_event`'s fields: under `rate_limit_info`, or at the top level in older CLIs. */
export function rateLimitInfo(event: JsonObject): JsonObject {
  return asJsonObject(event["rate_limit_info"]) ?? event;
}

/**
 * This run's cost in USD from a `result` event: `model_usage_since_last_result`'s `costUSD` summed over
 * models (on `--resume` the only per-run figure), else `total_cost_usd` (a new session's); null when neither.
 */
export function resultRunCostUsd(event: JsonObject): number | null {
  const since = asJsonObject(event["model_usage_since_last_result"]);
  if (since) {
    let sum = 0;
    for (const m of Object.values(since)) sum += finite(asJsonObject(m)?.["costUSD"]) ?? 0;
    return sum;
  }
  return finite(event["total_cost_usd"]);
}

function finite(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
