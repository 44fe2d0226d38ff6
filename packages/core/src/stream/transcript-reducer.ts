import { capText } from "./capped-json.js";
import { lineHash } from "./line-hash.js";
import { rateLimitNotice } from "./rate-limit-notice.js";
import { createRecentKeys } from "./recent-keys.js";
import { resultEventFrom } from "./result-event.js";
import { topLevelStrings } from "./top-level-strings.js";
import { objectOrNull, runUsageFromResult, sessionUsageFromResult, usageFromSnakeCase } from "./result-usage.js";
import {
  apiRetryNotice,
  asJsonObject,
  compactionStatus,
  eventMessage,
  isSyntheticApiError,
  parseStreamJsonEvent,
  syntheticApiError,
  type JsonObject,
  type SyntheticApiError,
} from "./stream-json-event.js";
import type { ApiErrorNotice, ApiRetryNotice, RateLimitNotice, ResultEvent, TokenUsage, TranscriptSummary } from "./transcript-summary.js";
import { utf8ByteLength } from "./utf8-byte-length.js";

/** `event`: a JSON object with a non-empty string `type` (a stream-json event); `text`: any other non-blank line. */
export type LineKind = "event" | "text" | "blank";

export interface TranscriptReducer {
  /**
   * One line of the transcript, without its newline. `bytes`: its length in bytes when the caller knows it
   * (the line decoder does); otherwise the line's UTF-8 length is computed. A plain function: it may be
   * passed around unbound (e.g. as the decoder's `LineSink`).
   */
  push(line: string, bytes?: number): LineKind;
  summary(): TranscriptSummary;
}

export const DEFAULT_MAX_SUMMARY_CHARS = 64 * 1024;
export const DEFAULT_MAX_RESULT_JSON_CHARS = 16 * 1024;
export const MAX_FIRST_TEXT_LINE_CHARS = 2000;
/**
 * How many distinct event lines (and assistant message ids) dedup remembers. Replays come from a log
 * stream resuming slightly before where it stopped: seconds of output, at most hundreds of lines. 4096
 * covers that many times over while keeping dedup to a few hundred KiB of numbers and short ids.
 */
export const REPLAY_WINDOW = 4096;

// Events the outcome never reads. The CLI writes `type` first, so they are recognised from their prefix
// and counted without JSON.parse — tool results can be megabytes. A line that merely starts like one and
// ends in `}` is trusted to be one: the CLI writes each event as a single JSON line.
const UNREAD_TYPES: ReadonlySet<string> = new Set(["user", "stream_event"]);

const USER_PREFIX = '{"type":"user"';
const STREAM_EVENT_PREFIX = '{"type":"stream_event"';
/** Where the type's first letter is in a compact event line: after `{"type":"`. */
const TYPE_LETTER_AT = '{"type":"'.length;

// The CLI's `system/init` event, written compact with these members first: the reducer reads only its
// session id and model (topLevelStrings walks its members without building them). Like the unread events,
// a line that starts so is trusted to be one JSON event.
const INIT_PREFIX = '{"type":"system","subtype":"init",';
const INIT_FIELDS = ["type", "subtype", "session_id", "model"] as const;

/** `text` starts like an event the outcome never reads (a `user` or `stream_event` line). */
function isUnreadEvent(text: string): boolean {
  // One prefix comparison at most: the type's first letter says which one it could be.
  const letter = text.charCodeAt(TYPE_LETTER_AT);
  if (letter === 0x75) return text.startsWith(USER_PREFIX);
  if (letter === 0x73) return text.startsWith(STREAM_EVENT_PREFIX);
  return false;
}

export function createTranscriptReducer(
  opts: { maxSummaryChars?: number; maxResultJsonChars?: number } = {},
): TranscriptReducer {
  const maxSummaryChars = Math.max(2, opts.maxSummaryChars ?? DEFAULT_MAX_SUMMARY_CHARS);
  const maxResultJsonChars = Math.max(2, opts.maxResultJsonChars ?? DEFAULT_MAX_RESULT_JSON_CHARS);
  const recentEvents = createRecentKeys(REPLAY_WINDOW);
  // Message ids by their hash too: a collision (odds as for lines) would only merge two turns.
  const recentMessageIds = createRecentKeys(REPLAY_WINDOW);

  let sessionId: string | null = null;
  let initModel: string | null = null;
  let assistantModel: string | null = null;
  let initSeen = false;
  // Events where only the last one counts (result, API error notice, rate limit) are kept as parsed and
  // read when a summary asks: a transcript with many of them (retries, one result per turn) reads each
  // once at most, and none of them twice.
  let lastResultEvent: JsonObject | null = null;
  let lastResult: LastResult | null = null;
  // Summed from assistant messages, once per message id: what a run without a result is known to have used.
  const streamed = { input: 0, cached: 0, output: 0, creation: 0, seen: false };
  let lastApiErrorEvent: JsonObject | null = null;
  let lastApiError: { readonly from: JsonObject; readonly notice: ApiErrorNotice | null } | null = null;
  let apiRetries = 0;
  let lastApiRetry: ApiRetryNotice | null = null;
  let compaction: string | null = null;
  let llmApiEmptyResponse = false;
  let assistantContentSeen = false;
  let assistantTurns = 0;
  let lastRateLimitEvent: JsonObject | null = null;
  let lastRateLimit: { readonly from: JsonObject; readonly notice: RateLimitNotice } | null = null;
  let lines = 0;
  let nonEmptyLines = 0;
  let bytes = 0;
  let jsonEvents = 0;
  let nonJsonLines = 0;
  let replayedEvents = 0;
  let firstTextLine: string | null = null;
  // A suffix of all assistant texts joined with "\n\n": at least maxSummaryChars long once that much was
  // seen, compacted when it reaches twice that, so appends stay amortised O(1).
  let assistantText = "";
  let assistantTextLength = 0;

  const appendAssistantText = (text: string): void => {
    const piece = assistantTextLength === 0 ? text : `\n\n${text}`;
    assistantText += piece;
    assistantTextLength += piece.length;
    if (assistantText.length >= 2 * maxSummaryChars) assistantText = assistantText.slice(-maxSummaryChars);
  };

  const onSystem = (event: JsonObject): void => {
    if (event["subtype"] === "api_retry") {
      apiRetries++;
      lastApiRetry = apiRetryNotice(event);
      return;
    }
    if (event["subtype"] === "status") {
      // `status: "compacting"` while it runs; then `status: null` with `compact_result` (`failed`, …).
      const { result, status } = compactionStatus(event);
      if (result || status) compaction = result ?? status;
      return;
    }
    if (event["subtype"] === "init") onInit(event["session_id"], event["model"]);
  };

  const onInit = (sessionIdValue: unknown, modelValue: unknown): void => {
    const id = nonEmptyString(sessionIdValue);
    if (id) sessionId = id;
    const model = nonEmptyString(modelValue);
    if (model) {
      initModel = model;
      initSeen = true;
    }
  };

  /**
   * A compact `system/init` line, read without JSON.parse (its tool, command and plugin lists are most of
   * it and never read): true when handled, false when it must be parsed (not shaped as one, or a repeated
   * `type`/`subtype` member makes it something else).
   */
  const pushInit = (text: string): boolean => {
    const fields = topLevelStrings(text, INIT_FIELDS);
    if (fields === null || fields.type !== "system" || fields.subtype !== "init") return false;
    jsonEvents++;
    if (recentEvents.seen(lineHash(text))) replayedEvents++;
    else onInit(fields.session_id, fields.model);
    return true;
  };

  const onAssistant = (event: JsonObject): void => {
    const id = nonEmptyString(event["session_id"]);
    if (id) sessionId = id;
    const message = eventMessage(event);
    // One API message arrives as several events (one per content block) sharing its id: a turn per id.
    const messageId = nonEmptyString(message["id"]);
    const firstSight = messageId === null || !recentMessageIds.seen(lineHash(messageId));
    if (firstSight) assistantTurns++;
    const model = nonEmptyString(message["model"]);
    // "<synthetic>" marks messages the CLI wrote itself (API error notices), not a model that ran.
    const synthetic = model === "<synthetic>";
    if (model && !synthetic && assistantModel === null) assistantModel = model;
    if (isSyntheticApiError(event, message)) lastApiErrorEvent = event;
    const used = firstSight && !synthetic ? usageFromSnakeCase(message["usage"]) : null;
    if (used) {
      streamed.seen = true;
      streamed.input += used.inputTokens;
      streamed.cached += used.cachedInputTokens;
      streamed.output += used.outputTokens;
      streamed.creation += used.cacheCreationInputTokens;
    }
    const outputTokens = assistantOutputTokens(message);
    if (message["stop_reason"] === null && outputTokens === 0) llmApiEmptyResponse = true;
    if (outputTokens > 0) assistantContentSeen = true;
    // The text blocks, read in place (contentBlocks would build a typed copy of every block).
    const content = message["content"];
    if (Array.isArray(content)) {
      for (const raw of content) {
        const block = asJsonObject(raw);
        if (block && block["type"] === "text" && typeof block["text"] === "string" && block["text"] !== "") appendAssistantText(block["text"]);
      }
    }
  };

  const onResult = (event: JsonObject): void => {
    lastResultEvent = event;
    // As resultEventFrom reads it; the session id's order among init, assistant and result events matters.
    const id = nonEmptyString(event["session_id"]);
    if (id) sessionId = id;
  };

  /** The last result event, read (once per result event). */
  const readResult = (): LastResult | null => {
    if (lastResultEvent === null) return null;
    if (lastResult?.from !== lastResultEvent) {
      const event = lastResultEvent;
      const cost = event["total_cost_usd"];
      lastResult = {
        from: event,
        result: resultEventFrom(event, { maxTextChars: maxSummaryChars, maxJsonChars: maxResultJsonChars }),
        ...runUsageFromResult(event),
        sessionUsage: sessionUsageFromResult(event),
        sessionCostUsd: typeof cost === "number" && Number.isFinite(cost) ? cost : null,
      };
    }
    return lastResult;
  };

  const readApiError = (): ApiErrorNotice | null => {
    if (lastApiErrorEvent === null) return null;
    if (lastApiError?.from !== lastApiErrorEvent) {
      const e = syntheticApiError(lastApiErrorEvent);
      lastApiError = { from: lastApiErrorEvent, notice: e ? apiErrorNotice(e, maxResultJsonChars) : null };
    }
    return lastApiError.notice;
  };

  const readRateLimit = (): RateLimitNotice | null => {
    if (lastRateLimitEvent === null) return null;
    if (lastRateLimit?.from !== lastRateLimitEvent) lastRateLimit = { from: lastRateLimitEvent, notice: rateLimitNotice(lastRateLimitEvent) };
    return lastRateLimit.notice;
  };

  const apply = (event: JsonObject, line: string): void => {
    // Formatted differently (spaces), an unread event still reaches here: treat it as the fast path does.
    if (UNREAD_TYPES.has(event["type"] as string)) return;
    if (recentEvents.seen(lineHash(line))) {
      replayedEvents++;
      return;
    }
    switch (event["type"]) {
      case "system":
        onSystem(event);
        break;
      case "assistant":
        onAssistant(event);
        break;
      case "result":
        onResult(event);
        break;
      case "rate_limit_event":
        lastRateLimitEvent = event;
        break;
    }
  };

  /** A line that is not a compact event (`{…}` with nothing around it): trimmed, then classified. */
  const pushOther = (line: string): LineKind => {
    const trimmed = line.trim();
    if (trimmed === "") return "blank";
    nonEmptyLines++;
    if (trimmed.charCodeAt(0) === 0x7b && trimmed.charCodeAt(trimmed.length - 1) === 0x7d) return pushObject(trimmed);
    return pushText(trimmed);
  };

  const pushObject = (text: string): LineKind => {
    if (isUnreadEvent(text)) {
      jsonEvents++;
      return "event";
    }
    if (text.startsWith(INIT_PREFIX) && pushInit(text)) return "event";
    const event = parseStreamJsonEvent(text);
    if (event === null) return pushText(text);
    jsonEvents++;
    apply(event, text);
    return "event";
  };

  const pushText = (trimmed: string): LineKind => {
    nonJsonLines++;
    if (firstTextLine === null) firstTextLine = capText(trimmed, MAX_FIRST_TEXT_LINE_CHARS);
    return "text";
  };

  const push = (line: string, lineBytes?: number): LineKind => {
    lines++;
    bytes += (lineBytes ?? utf8ByteLength(line)) + 1;
    // The CLI writes each event as one compact line: `{` first and `}` last, so trim has nothing to cut.
    if (line.charCodeAt(0) === 0x7b && line.charCodeAt(line.length - 1) === 0x7d) {
      nonEmptyLines++;
      return pushObject(line);
    }
    return pushOther(line);
  };

  return {
    push,
    summary() {
      const read = readResult();
      const result = read?.result ?? null;
      const usage = read?.usage ?? null;
      const resultText = result?.text?.trim() ?? "";
      return {
        sessionId,
        model: initModel ?? assistantModel,
        usage:
          result !== null || !streamed.seen
            ? usage
            : { inputTokens: streamed.input, cachedInputTokens: streamed.cached, outputTokens: streamed.output, cacheCreationInputTokens: streamed.creation, partial: true },
        costUsd: read?.costUsd ?? null,
        sessionUsage: read?.sessionUsage ?? null,
        sessionCostUsd: read?.sessionCostUsd ?? null,
        apiError: readApiError(),
        apiRetries,
        lastApiRetry,
        compaction,
        summary: resultText !== "" ? resultText : assistantSummary(assistantText, assistantTextLength, maxSummaryChars),
        result,
        llmApiEmptyResponse: llmApiEmptyResponse && result === null,
        assistantContentSeen,
        assistantTurns,
        lastRateLimit: readRateLimit(),
        lines,
        nonEmptyLines,
        bytes,
        jsonEvents,
        nonJsonLines,
        replayedEvents,
        firstTextLine,
        initSeen,
      };
    },
  };
}

/** The joined assistant text, or its last `max` characters (marked with a leading "…") when longer. */
function assistantSummary(suffix: string, totalLength: number, max: number): string {
  if (totalLength <= max) return suffix.trim();
  return `…${suffix.slice(suffix.length - (max - 1)).trim()}`;
}

/** The last result event and what the summary reads from it. */
interface LastResult {
  readonly from: JsonObject;
  readonly result: ResultEvent;
  readonly usage: TokenUsage | null;
  readonly costUsd: number | null;
  readonly sessionUsage: TokenUsage | null;
  readonly sessionCostUsd: number | null;
}

/** The reducer's record of a synthetic API error: its fields, and its texts joined (capped). */
function apiErrorNotice(e: SyntheticApiError, maxChars: number): ApiErrorNotice {
  const { texts, ...fields } = e;
  return { ...fields, text: texts.length > 0 ? capText(texts.join("\n"), maxChars) : null };
}

/** Output tokens as the CLI reports them: on the message itself, else in its usage; -1 when unknown. */
function assistantOutputTokens(message: JsonObject): number {
  if (typeof message["output_tokens"] === "number") return message["output_tokens"];
  const usage = objectOrNull(message["usage"]);
  return usage && typeof usage["output_tokens"] === "number" ? usage["output_tokens"] : -1;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
