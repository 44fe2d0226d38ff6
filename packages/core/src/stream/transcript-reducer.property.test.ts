// The reader's acceptance property: whatever the chunking (splits inside characters, inside lines, CRLF,
// no final newline), decoder + reducer give exactly the state a naive reader reaches by splitting the
// whole text and JSON.parse-ing every line — which also proves the prefix skip and the bounded buffers
// change nothing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLineDecoder } from "./line-decoder.js";
import { rateLimitNotice } from "./rate-limit-notice.js";
import { apiRetryNotice } from "./stream-json-event.js";
import { resultEventFrom } from "./result-event.js";
import { runUsageFromResult, sessionUsageFromResult, usageFromSnakeCase } from "./result-usage.js";
import { ALL_FIXTURES } from "./testing/fixtures.js";
import { createTranscriptReducer } from "./transcript-reducer.js";
import type { ResultEvent, TranscriptSummary } from "./transcript-summary.js";

const MAX_SUMMARY = 120;
const MAX_JSON = 40;

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | null => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null);

/** Everything in memory, every line fully parsed, unbounded dedup sets: slow and obviously right. */
function naiveSummary(lines: readonly string[]): TranscriptSummary {
  const seenLines = new Set<string>();
  const seenIds = new Set<string>();
  const texts: string[] = [];
  let sessionId: string | null = null;
  let initModel: string | null = null;
  let assistantModel: string | null = null;
  let result: ResultEvent | null = null;
  let resultJson: Json | null = null;
  let empty = false;
  let content = false;
  let turns = 0;
  let rate: TranscriptSummary["lastRateLimit"] = null;
  let apiError: TranscriptSummary["apiError"] = null;
  let retries = 0;
  let lastRetry: TranscriptSummary["lastApiRetry"] = null;
  let compaction: string | null = null;
  const streamed = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, partial: true as const };
  let streamedSeen = false;
  let [nonEmpty, bytes, events, text, replayed] = [0, 0, 0, 0, 0];
  let firstText: string | null = null;
  for (const line of lines) {
    bytes += new TextEncoder().encode(line).length + 1;
    const trimmed = line.trim();
    if (trimmed === "") continue;
    nonEmpty++;
    let event: Json | null = null;
    try {
      event = asObject(JSON.parse(trimmed));
    } catch {
      event = null;
    }
    if (!event || typeof event.type !== "string" || event.type === "") {
      text++;
      firstText ??= trimmed.length > 2000 ? `${trimmed.slice(0, 1999)}…` : trimmed;
      continue;
    }
    events++;
    if (event.type === "user" || event.type === "stream_event") continue;
    if (seenLines.has(trimmed)) {
      replayed++;
      continue;
    }
    seenLines.add(trimmed);
    if (event.type === "system" && event.subtype === "api_retry") {
      retries++;
      lastRetry = apiRetryNotice(event);
    } else if (event.type === "system" && event.subtype === "status") {
      const r = typeof event.compact_result === "string" && event.compact_result ? event.compact_result : null;
      const st = typeof event.status === "string" && event.status ? event.status : null;
      if (r || st) compaction = r ?? st;
    } else if (event.type === "system" && event.subtype === "init") {
      if (typeof event.session_id === "string" && event.session_id) sessionId = event.session_id;
      if (typeof event.model === "string" && event.model) initModel = event.model;
    } else if (event.type === "assistant") {
      if (typeof event.session_id === "string" && event.session_id) sessionId = event.session_id;
      const message = asObject(event.message) ?? {};
      const id = typeof message.id === "string" && message.id ? message.id : null;
      const first = id === null || !seenIds.has(id);
      if (first) turns++;
      if (id) seenIds.add(id);
      const synthetic = message.model === "<synthetic>";
      if (event.is_api_error_message === true || (synthetic && typeof event.error === "string")) {
        const texts = (Array.isArray(message.content) ? message.content : []).map(asObject).flatMap((b) => (b && typeof b.text === "string" ? [b.text] : []));
        const joinedText = texts.join("\n");
        apiError = {
          status: typeof event.api_error_status === "number" ? event.api_error_status : null,
          errorType: typeof event.api_error_type === "string" && event.api_error_type ? event.api_error_type : null,
          error: typeof event.error === "string" && event.error ? event.error : null,
          apiError: typeof event.api_error === "string" && event.api_error ? event.api_error : null,
          text: texts.length === 0 ? null : joinedText.length > MAX_JSON ? `${joinedText.slice(0, MAX_JSON - 1)}…` : joinedText,
        };
      }
      const used = first && !synthetic ? usageFromSnakeCase(message.usage) : null;
      if (used) {
        streamedSeen = true;
        streamed.inputTokens += used.inputTokens;
        streamed.cachedInputTokens += used.cachedInputTokens;
        streamed.outputTokens += used.outputTokens;
        streamed.cacheCreationInputTokens += used.cacheCreationInputTokens;
      }
      if (typeof message.model === "string" && message.model && message.model !== "<synthetic>") assistantModel ??= message.model;
      const usage = asObject(message.usage);
      const out =
        typeof message.output_tokens === "number"
          ? message.output_tokens
          : usage && typeof usage.output_tokens === "number"
            ? usage.output_tokens
            : -1;
      if (message.stop_reason === null && out === 0) empty = true;
      if (out > 0) content = true;
      for (const block of Array.isArray(message.content) ? message.content : []) {
        const b = asObject(block);
        if (b?.type === "text" && typeof b.text === "string" && b.text !== "") texts.push(b.text);
      }
    } else if (event.type === "result") {
      result = resultEventFrom(event, { maxTextChars: MAX_SUMMARY, maxJsonChars: MAX_JSON });
      resultJson = event;
      if (result.sessionId) sessionId = result.sessionId;
    } else if (event.type === "rate_limit_event") {
      rate = rateLimitNotice(event);
    }
  }
  const joined = texts.join("\n\n");
  const assistantText = joined.length <= MAX_SUMMARY ? joined.trim() : `…${joined.slice(-(MAX_SUMMARY - 1)).trim()}`;
  const cost = resultJson?.total_cost_usd;
  return {
    sessionId,
    model: initModel ?? assistantModel,
    usage: resultJson ? runUsageFromResult(resultJson).usage : streamedSeen ? streamed : null,
    costUsd: resultJson ? runUsageFromResult(resultJson).costUsd : null,
    sessionUsage: resultJson ? sessionUsageFromResult(resultJson) : null,
    sessionCostUsd: typeof cost === "number" && Number.isFinite(cost) ? cost : null,
    apiError,
    apiRetries: retries,
    lastApiRetry: lastRetry,
    compaction,
    summary: result?.text?.trim() || assistantText,
    result,
    llmApiEmptyResponse: empty && result === null,
    assistantContentSeen: content,
    assistantTurns: turns,
    lastRateLimit: rate,
    lines: lines.length,
    nonEmptyLines: nonEmpty,
    bytes,
    jsonEvents: events,
    nonJsonLines: text,
    replayedEvents: replayed,
    firstTextLine: firstText,
    initSeen: initModel !== null,
  };
}

const unicodeText = fc.string({ unit: "grapheme", maxLength: 60 });
const noiseLine = unicodeText.map((s) => s.replace(/[\r\n]/g, " "));
const messageId = fc.constantFrom("msg_a", "msg_b", "msg_c", "msg_d");

const eventArb: fc.Arbitrary<Json> = fc.oneof(
  fc.record({ type: fc.constant("system"), subtype: fc.constantFrom("init", "status"), session_id: fc.constantFrom("s1", "s2"), model: fc.constantFrom("m-1", "m-2", "") }),
  fc.record({
    type: fc.constant("system"),
    subtype: fc.constant("api_retry"),
    attempt: fc.nat(5),
    max_retries: fc.constant(5),
    retry_delay_ms: fc.nat(60_000),
    error_status: fc.constantFrom(null, 429, 500, 529),
    error: fc.constantFrom("rate_limit", "server_error", "unknown"),
  }),
  fc.record({ type: fc.constant("system"), subtype: fc.constant("status"), status: fc.constantFrom(null, "compacting"), compact_result: fc.constantFrom(undefined, "failed", "succeeded") }),
  fc.record({
    type: fc.constant("assistant"),
    message: fc.record({ id: fc.uuid(), model: fc.constant("<synthetic>"), stop_reason: fc.constant("stop_sequence"), content: fc.constant([{ type: "text", text: "API Error: 500 Internal server error" }]) }),
    error: fc.constantFrom("server_error", "rate_limit", "authentication_failed"),
    is_api_error_message: fc.constant(true),
    api_error_status: fc.constantFrom(401, 429, 500),
    api_error_type: fc.constantFrom("api_error", "rate_limit_error"),
    api_error: fc.constantFrom(undefined, "connection_failed"),
  }),
  fc.record({
    type: fc.constant("assistant"),
    session_id: fc.constantFrom("s1", "s3"),
    message: fc.record({
      id: messageId,
      model: fc.constantFrom("m-a", "<synthetic>"),
      stop_reason: fc.constantFrom(null, "end_turn", "tool_use"),
      usage: fc.record({ output_tokens: fc.integer({ min: 0, max: 3 }), input_tokens: fc.nat(100), cache_read_input_tokens: fc.nat(100), cache_creation_input_tokens: fc.nat(100) }),
      content: fc.array(
        fc.oneof(
          fc.record({ type: fc.constant("text"), text: unicodeText }),
          fc.record({ type: fc.constant("tool_use"), id: fc.constant("toolu_1"), input: fc.record({ command: unicodeText }) }),
        ),
        { maxLength: 3 },
      ),
    }),
    uuid: fc.uuid(),
  }),
  fc.record({
    type: fc.constant("user"),
    message: fc.record({ content: fc.array(fc.record({ type: fc.constant("tool_result"), content: fc.string({ unit: "grapheme", maxLength: 400 }) }), { maxLength: 2 }) }),
  }),
  fc.record({ type: fc.constant("stream_event"), event: fc.record({ delta: unicodeText }) }),
  fc.record({
    type: fc.constant("result"),
    subtype: fc.constantFrom("success", "error_max_turns", "error_during_execution"),
    is_error: fc.boolean(),
    result: unicodeText,
    session_id: fc.constantFrom("s1", "s4"),
    total_cost_usd: fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constant("n/a")),
    num_turns: fc.nat(20),
    errors: fc.array(fc.oneof(unicodeText, fc.record({ message: unicodeText })), { maxLength: 2 }),
    usage: fc.record({ input_tokens: fc.nat(1e6), cache_creation_input_tokens: fc.nat(1e4), cache_read_input_tokens: fc.nat(1e5), output_tokens: fc.nat(1e4) }),
    model_usage_since_last_result: fc.option(
      fc.dictionary(fc.constantFrom("m-a", "m-b"), fc.record({ inputTokens: fc.nat(1e5), outputTokens: fc.nat(1e4), cacheReadInputTokens: fc.nat(1e5), cacheCreationInputTokens: fc.nat(1e4), costUSD: fc.double({ min: 0, max: 1, noNaN: true }) })),
      { nil: undefined },
    ),
    modelUsage: fc.option(
      fc.dictionary(fc.constantFrom("m-a", "m-b"), fc.record({ inputTokens: fc.nat(1e5), outputTokens: fc.nat(1e4), cacheReadInputTokens: fc.nat(1e5), cacheCreationInputTokens: fc.nat(1e4), costUSD: fc.double({ min: 0, max: 1, noNaN: true }) })),
      { nil: undefined },
    ),
  }),
  fc.record({ type: fc.constant("rate_limit_event"), rate_limit_info: fc.record({ status: fc.constantFrom("allowed", "rejected"), resetsAt: fc.integer({ min: 1.7e9, max: 1.8e9 }), rateLimitType: fc.constant("five_hour") }) }),
);

// A transcript is events (compact or with spaces), noise, blanks and replays of earlier lines.
const transcriptArb = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: eventArb.map((e) => JSON.stringify(e)) },
      { weight: 1, arbitrary: eventArb.map((e) => ` ${JSON.stringify(e, null, 1).replace(/\n/g, " ")}`) },
      { weight: 2, arbitrary: noiseLine },
      { weight: 1, arbitrary: fc.constantFrom("", "   ", "{not json}", '{"type":""}', "[1,2]", '{"no_type":1}') },
      { weight: 2, arbitrary: fc.nat().map((n) => ({ replay: n })) },
    ),
    { maxLength: 40 },
  )
  .map((items) => {
    const lines: string[] = [];
    for (const item of items) {
      if (typeof item === "string") lines.push(item);
      else if (lines.length > 0) lines.push(lines[item.replay % lines.length]!);
    }
    return lines;
  });

const encodeTranscript = (lines: readonly string[], crlf: boolean, finalNewline: boolean): Uint8Array => {
  // A last line that is empty exists only if a newline ends it.
  const ended = finalNewline || lines[lines.length - 1] === "";
  const text = lines.join(crlf ? "\r\n" : "\n") + (ended && lines.length > 0 ? (crlf ? "\r\n" : "\n") : "");
  return new TextEncoder().encode(text);
};

/**
 * Decoder → reducer over `data` cut at `cuts`: by default as the bench and a byte stream use it (`feed`, each
 * line with the byte length the decoder counted); `viaPush` hands the reducer bare strings instead.
 */
function readChunked(data: Uint8Array, cuts: readonly number[], viaPush = false): TranscriptSummary {
  const decoder = createLineDecoder();
  const reducer = createTranscriptReducer({ maxSummaryChars: MAX_SUMMARY, maxResultJsonChars: MAX_JSON });
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  let start = 0;
  for (const p of [...points, data.length]) {
    if (viaPush) for (const line of decoder.push(data.subarray(start, p))) reducer.push(line);
    else decoder.feed(data.subarray(start, p), reducer.push);
    start = p;
  }
  if (viaPush) for (const line of decoder.end()) reducer.push(line);
  else decoder.finish(reducer.push);
  return reducer.summary();
}

/** The naive reader keeps the full result json; the real one caps it. Compare like with like. */
const comparable = (s: TranscriptSummary): unknown => ({ ...s, result: s.result ? { ...s.result, json: undefined } : null });

describe("stream reader (decoder + reducer) under any chunking", () => {
  it("reaches the naive full-parse state for generated transcripts", () => {
    fc.assert(
      fc.property(transcriptArb, fc.array(fc.nat(), { maxLength: 16 }), fc.boolean(), fc.boolean(), (lines, cuts, crlf, finalNewline) => {
        const data = encodeTranscript(lines, crlf, finalNewline);
        const chunked = readChunked(data, cuts);
        expect(comparable(chunked)).toEqual(comparable(naiveSummary(lines)));
        expect(chunked).toEqual(readChunked(data, []));
        expect(readChunked(data, cuts, true)).toEqual(chunked);
      }),
      { numRuns: 400 },
    );
  });

  it.each(ALL_FIXTURES.map((f) => [f.name, f] as const))("gives identical state for every chunking of the %s fixture", (_name, fixture) => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.boolean(), (cuts, crlf) => {
        const data = encodeTranscript(fixture.lines, crlf, true);
        expect(readChunked(data, cuts)).toEqual(readChunked(data, []));
        expect(comparable(readChunked(data, cuts))).toEqual(comparable(naiveSummary(fixture.lines)));
      }),
      { numRuns: 100 },
    );
  });
});
