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
  const reducer = new StreamJsonReducer(Math.max(2, opts.maxSummaryChars ?? DEFAULT_MAX_SUMMARY_CHARS), Math.max(2, opts.maxResultJsonChars ?? DEFAULT_MAX_RESULT_JSON_CHARS));
  // `push` is handed around unbound (as the decoder's LineSink): bound once here.
  return { push: reducer.push.bind(reducer), summary: () => reducer.summary() };
}

// A class, not closures: its methods are the same functions for every reducer, so the code the JIT made for
// them outlives any one reducer (closures made per reducer start cold again in each new one, e.g. each run).
class StreamJsonReducer {
  private readonly recentEvents = createRecentKeys(REPLAY_WINDOW);
  // Message ids by their hash too: a collision (odds as for lines) would only merge two turns.
  private readonly recentMessageIds = createRecentKeys(REPLAY_WINDOW);
  private sessionId: string | null = null;
  private initModel: string | null = null;
  private assistantModel: string | null = null;
  private initSeen = false;
  // Events where only the last one counts (result, API error notice, rate limit) are kept as parsed and
  // read when a summary asks: a transcript with many of them (retries, one result per turn) reads each
  // once at most, and none of them twice.
  private lastResultEvent: JsonObject | null = null;
  private lastResult: LastResult | null = null;
  // Summed from assistant messages, once per message id: what a run without a result is known to have used.
  private readonly streamed = { input: 0, cached: 0, output: 0, creation: 0, seen: false };
  private lastApiErrorEvent: JsonObject | null = null;
  private lastApiError: { readonly from: JsonObject; readonly notice: ApiErrorNotice | null } | null = null;
  private apiRetries = 0;
  private lastApiRetry: ApiRetryNotice | null = null;
  private compaction: string | null = null;
  private llmApiEmptyResponse = false;
  private assistantContentSeen = false;
  private assistantTurns = 0;
  private lastRateLimitEvent: JsonObject | null = null;
  private lastRateLimit: { readonly from: JsonObject; readonly notice: RateLimitNotice } | null = null;
  private lines = 0;
  private nonEmptyLines = 0;
  private bytes = 0;
  private jsonEvents = 0;
  private nonJsonLines = 0;
  private replayedEvents = 0;
  private firstTextLine: string | null = null;
  // A suffix of all assistant texts joined with "\n\n": at least maxSummaryChars long once that much was
  // seen, compacted when it reaches twice that, so appends stay amortised O(1).
  private assistantText = "";
  private assistantTextLength = 0;

  constructor(
    private readonly maxSummaryChars: number,
    private readonly maxResultJsonChars: number,
  ) {}

  push(line: string, lineBytes?: number): LineKind {
    this.lines++;
    this.bytes += (lineBytes ?? utf8ByteLength(line)) + 1;
    // The CLI writes each event as one compact line: `{` first and `}` last, so trim has nothing to cut.
    if (line.charCodeAt(0) === 0x7b && line.charCodeAt(line.length - 1) === 0x7d) {
      this.nonEmptyLines++;
      return this.pushObject(line);
    }
    return this.pushOther(line);
  }

  summary(): TranscriptSummary {
    const read = this.readResult();
    const result = read?.result ?? null;
    const usage = read?.usage ?? null;
    const resultText = result?.text?.trim() ?? "";
    const streamed = this.streamed;
    return {
      sessionId: this.sessionId,
      model: this.initModel ?? this.assistantModel,
      usage:
        result !== null || !streamed.seen
          ? usage
          : { inputTokens: streamed.input, cachedInputTokens: streamed.cached, outputTokens: streamed.output, cacheCreationInputTokens: streamed.creation, partial: true },
      costUsd: read?.costUsd ?? null,
      sessionUsage: read?.sessionUsage ?? null,
      sessionCostUsd: read?.sessionCostUsd ?? null,
      apiError: this.readApiError(),
      apiRetries: this.apiRetries,
      lastApiRetry: this.lastApiRetry,
      compaction: this.compaction,
      summary: resultText !== "" ? resultText : assistantSummary(this.assistantText, this.assistantTextLength, this.maxSummaryChars),
      result,
      llmApiEmptyResponse: this.llmApiEmptyResponse && result === null,
      assistantContentSeen: this.assistantContentSeen,
      assistantTurns: this.assistantTurns,
      lastRateLimit: this.readRateLimit(),
      lines: this.lines,
      nonEmptyLines: this.nonEmptyLines,
      bytes: this.bytes,
      jsonEvents: this.jsonEvents,
      nonJsonLines: this.nonJsonLines,
      replayedEvents: this.replayedEvents,
      firstTextLine: this.firstTextLine,
      initSeen: this.initSeen,
    };
  }

  /** A line that is not a compact event (`{…}` with nothing around it): trimmed, then classified. */
  private pushOther(line: string): LineKind {
    const trimmed = line.trim();
    if (trimmed === "") return "blank";
    this.nonEmptyLines++;
    if (trimmed.charCodeAt(0) === 0x7b && trimmed.charCodeAt(trimmed.length - 1) === 0x7d) return this.pushObject(trimmed);
    return this.pushText(trimmed);
  }

  private pushObject(text: string): LineKind {
    if (isUnreadEvent(text)) {
      this.jsonEvents++;
      return "event";
    }
    if (text.startsWith(INIT_PREFIX) && this.pushInit(text)) return "event";
    const event = parseStreamJsonEvent(text);
    if (event === null) return this.pushText(text);
    this.jsonEvents++;
    this.apply(event, text);
    return "event";
  }

  private pushText(trimmed: string): LineKind {
    this.nonJsonLines++;
    if (this.firstTextLine === null) this.firstTextLine = capText(trimmed, MAX_FIRST_TEXT_LINE_CHARS);
    return "text";
  }

  /**
   * A compact `system/init` line, read without JSON.parse (its tool, command and plugin lists are most of
   * it and never read): true when handled, false when it must be parsed (not shaped as one, or a repeated
   * `type`/`subtype` member makes it something else).
   */
  private pushInit(text: string): boolean {
    const fields = topLevelStrings(text, INIT_FIELDS);
    if (fields === null || fields.type !== "system" || fields.subtype !== "init") return false;
    this.jsonEvents++;
    if (this.recentEvents.seen(lineHash(text))) this.replayedEvents++;
    else this.onInit(fields.session_id, fields.model);
    return true;
  }

  private apply(event: JsonObject, line: string): void {
    // Formatted differently (spaces), an unread event still reaches here: treat it as the fast path does.
    if (UNREAD_TYPES.has(event["type"] as string)) return;
    if (this.recentEvents.seen(lineHash(line))) {
      this.replayedEvents++;
      return;
    }
    switch (event["type"]) {
      case "system":
        this.onSystem(event);
        break;
      case "assistant":
        this.onAssistant(event);
        break;
      case "result":
        this.onResult(event);
        break;
      case "rate_limit_event":
        this.lastRateLimitEvent = event;
        break;
    }
  }

  private onSystem(event: JsonObject): void {
    if (event["subtype"] === "api_retry") {
      this.apiRetries++;
      this.lastApiRetry = apiRetryNotice(event);
      return;
    }
    if (event["subtype"] === "status") {
      // `status: "compacting"` while it runs; then `status: null` with `compact_result` (`failed`, …).
      const { result, status } = compactionStatus(event);
      if (result || status) this.compaction = result ?? status;
      return;
    }
    if (event["subtype"] === "init") this.onInit(event["session_id"], event["model"]);
  }

  private onInit(sessionIdValue: unknown, modelValue: unknown): void {
    const id = nonEmptyString(sessionIdValue);
    if (id) this.sessionId = id;
    const model = nonEmptyString(modelValue);
    if (model) {
      this.initModel = model;
      this.initSeen = true;
    }
  }

  private onAssistant(event: JsonObject): void {
    const id = nonEmptyString(event["session_id"]);
    if (id) this.sessionId = id;
    const message = eventMessage(event);
    // One API message arrives as several events (one per content block) sharing its id: a turn per id.
    const messageId = nonEmptyString(message["id"]);
    const firstSight = messageId === null || !this.recentMessageIds.seen(lineHash(messageId));
    if (firstSight) this.assistantTurns++;
    const model = nonEmptyString(message["model"]);
    // "<synthetic>" marks messages the CLI wrote itself (API error notices), not a model that ran.
    const synthetic = model === "<synthetic>";
    if (model && !synthetic && this.assistantModel === null) this.assistantModel = model;
    if (isSyntheticApiError(event, message)) this.lastApiErrorEvent = event;
    const used = firstSight && !synthetic ? usageFromSnakeCase(message["usage"]) : null;
    if (used) {
      const streamed = this.streamed;
      streamed.seen = true;
      streamed.input += used.inputTokens;
      streamed.cached += used.cachedInputTokens;
      streamed.output += used.outputTokens;
      streamed.creation += used.cacheCreationInputTokens;
    }
    const outputTokens = assistantOutputTokens(message);
    if (message["stop_reason"] === null && outputTokens === 0) this.llmApiEmptyResponse = true;
    if (outputTokens > 0) this.assistantContentSeen = true;
    // The text blocks, read in place (contentBlocks would build a typed copy of every block).
    const content = message["content"];
    if (Array.isArray(content)) {
      for (const raw of content) {
        const block = asJsonObject(raw);
        if (block && block["type"] === "text" && typeof block["text"] === "string" && block["text"] !== "") this.appendAssistantText(block["text"]);
      }
    }
  }

  private appendAssistantText(text: string): void {
    const piece = this.assistantTextLength === 0 ? text : `\n\n${text}`;
    this.assistantText += piece;
    this.assistantTextLength += piece.length;
    if (this.assistantText.length >= 2 * this.maxSummaryChars) this.assistantText = this.assistantText.slice(-this.maxSummaryChars);
  }

  private onResult(event: JsonObject): void {
    this.lastResultEvent = event;
    // As resultEventFrom reads it; the session id's order among init, assistant and result events matters.
    const id = nonEmptyString(event["session_id"]);
    if (id) this.sessionId = id;
  }

  /** The last result event, read (once per result event). */
  private readResult(): LastResult | null {
    const event = this.lastResultEvent;
    if (event === null) return null;
    if (this.lastResult?.from !== event) {
      const cost = event["total_cost_usd"];
      this.lastResult = {
        from: event,
        result: resultEventFrom(event, { maxTextChars: this.maxSummaryChars, maxJsonChars: this.maxResultJsonChars }),
        ...runUsageFromResult(event),
        sessionUsage: sessionUsageFromResult(event),
        sessionCostUsd: typeof cost === "number" && Number.isFinite(cost) ? cost : null,
      };
    }
    return this.lastResult;
  }

  private readApiError(): ApiErrorNotice | null {
    const event = this.lastApiErrorEvent;
    if (event === null) return null;
    if (this.lastApiError?.from !== event) {
      const e = syntheticApiError(event);
      this.lastApiError = { from: event, notice: e ? apiErrorNotice(e, this.maxResultJsonChars) : null };
    }
    return this.lastApiError.notice;
  }

  private readRateLimit(): RateLimitNotice | null {
    const event = this.lastRateLimitEvent;
    if (event === null) return null;
    if (this.lastRateLimit?.from !== event) this.lastRateLimit = { from: event, notice: rateLimitNotice(event) };
    return this.lastRateLimit.notice;
  }
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
