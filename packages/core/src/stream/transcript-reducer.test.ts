import { describe, expect, it } from "vitest";
import {
  AUTH_REQUIRED,
  EMPTY_LLM_RESPONSE,
  FIXTURE_MODEL,
  FIXTURE_SESSION_ID,
  INIT_ONLY_EXIT_1,
  MAX_TURNS,
  RATE_LIMITED,
  STALE_SESSION,
  STALE_SESSION_ID,
  SUCCESS_WITH_TOOL_USE,
  TRUNCATED,
  type TranscriptFixture,
} from "./testing/fixtures.js";
import { createTranscriptReducer, MAX_FIRST_TEXT_LINE_CHARS, REPLAY_WINDOW, type LineKind } from "./index.js";
import type { TranscriptSummary } from "./transcript-summary.js";

type Opts = Parameters<typeof createTranscriptReducer>[0];

function reduce(lines: readonly string[], opts?: Opts): TranscriptSummary {
  const reducer = createTranscriptReducer(opts);
  for (const line of lines) reducer.push(line);
  return reducer.summary();
}

const j = (event: Record<string, unknown>): string => JSON.stringify(event);
const assistantText = (id: string, text: string, outputTokens = 5, uuid = `${id}-${text}`): string =>
  j({ type: "assistant", message: { id, content: [{ type: "text", text }], stop_reason: null, usage: { output_tokens: outputTokens } }, uuid });
const result = (fields: Record<string, unknown>): string => j({ type: "result", subtype: "success", is_error: false, ...fields });

describe("transcript reducer on the recorded-style fixtures", () => {
  const cases: [TranscriptFixture, Partial<TranscriptSummary>][] = [
    [
      SUCCESS_WITH_TOOL_USE,
      {
        sessionId: FIXTURE_SESSION_ID,
        model: FIXTURE_MODEL,
        // An older CLI's result (no model_usage_since_last_result): this run's usage is the main model's
        // `usage`; modelUsage (both models) and total_cost_usd are kept as the session's, which they are on
        // a resume. Classification uses them for a run that started a new session.
        usage: { inputTokens: 12 + 1200, cachedInputTokens: 28000, outputTokens: 310, cacheCreationInputTokens: 1200 },
        sessionUsage: { inputTokens: 12 + 1200 + 300, cachedInputTokens: 28000, outputTokens: 350, cacheCreationInputTokens: 1200 },
        costUsd: null,
        sessionCostUsd: 0.0421,
        summary: "Fixed the parser: closing quotes are kept; all 42 tests pass.",
        assistantTurns: 2,
        assistantContentSeen: true,
        llmApiEmptyResponse: false,
        jsonEvents: 6,
        nonJsonLines: 0,
        initSeen: true,
      },
    ],
    [
      TRUNCATED,
      {
        result: null,
        // Killed before its result: what the assistant messages reported, marked partial (cost unknown).
        usage: { inputTokens: 1204, cachedInputTokens: 14000, outputTokens: 58, cacheCreationInputTokens: 1200, partial: true },
        costUsd: null,
        summary: "Refactoring the scheduler now; this touches 14 files.",
        assistantContentSeen: true,
        assistantTurns: 1,
      },
    ],
    [INIT_ONLY_EXIT_1, { initSeen: true, model: FIXTURE_MODEL, assistantContentSeen: false, firstTextLine: null, summary: "", jsonEvents: 1 }],
    [AUTH_REQUIRED, { model: FIXTURE_MODEL, assistantContentSeen: false, llmApiEmptyResponse: false }],
    [STALE_SESSION, { sessionId: STALE_SESSION_ID, model: null, initSeen: false, summary: "" }],
    [MAX_TURNS, { assistantTurns: 1 }],
    [EMPTY_LLM_RESPONSE, { llmApiEmptyResponse: true, assistantContentSeen: false, firstTextLine: "Error: The model returned an empty response", nonJsonLines: 1 }],
    [
      RATE_LIMITED,
      { lastRateLimit: { status: "rejected", rateLimitType: "five_hour", resetsAt: "2026-01-01T00:00:00.000Z" }, summary: "Claude AI usage limit reached|1767225600" },
    ],
  ];
  it.each(cases.map(([f, expected]) => [f.name, f, expected] as const))("%s", (_name, fixture, expected) => {
    expect(reduce(fixture.lines)).toMatchObject(expected);
  });

  it("keeps the result event's fields", () => {
    expect(reduce(MAX_TURNS.lines).result).toMatchObject({ subtype: "error_max_turns", isError: true, stopReason: "max_turns", numTurns: 2, text: null });
    expect(reduce(STALE_SESSION.lines).result?.errors).toEqual([`No conversation found with session ID: ${STALE_SESSION_ID}`]);
  });
});

describe("line kinds and counters", () => {
  it.each<[string, LineKind]>([
    ['{"type":"system","subtype":"init"}', "event"],
    ['  { "type" : "result" }  ', "event"],
    ['{"type":"user","message":{}}', "event"],
    ['{"type":"user" broken}', "event"],
    ["", "blank"],
    ["  \t", "blank"],
    ["plain stderr text", "text"],
    ['{"type":""}', "text"],
    ['{"kind":"no type"}', "text"],
    ["[1,2,3]", "text"],
    ["{not json}", "text"],
    ['"a json string"', "text"],
  ])("%j is %s", (line, kind) => {
    expect(createTranscriptReducer().push(line)).toBe(kind);
  });

  it("counts lines, non-empty lines and UTF-8 bytes (one newline each)", () => {
    expect(reduce(["ab", "", "é😀"])).toMatchObject({ lines: 3, nonEmptyLines: 2, bytes: 3 + 1 + (2 + 4 + 1) });
  });

  it("keeps the first text line, trimmed and capped", () => {
    expect(reduce(["  first  ", "second"]).firstTextLine).toBe("first");
    const long = reduce(["x".repeat(5000)]).firstTextLine!;
    expect(long).toHaveLength(MAX_FIRST_TEXT_LINE_CHARS);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("results", () => {
  it("the last result wins", () => {
    const s = reduce([result({ result: "first", total_cost_usd: 1 }), result({ result: "second", total_cost_usd: 2 })]);
    expect(s).toMatchObject({ summary: "second", sessionCostUsd: 2 });
  });

  it("detects a result whatever its whitespace", () => {
    expect(reduce(['{ "type" : "result",\t"result": "spaced" }']).summary).toBe("spaced");
  });

  it("uses result.usage when there is no modelUsage", () => {
    const s = reduce([result({ usage: { input_tokens: 10, cache_creation_input_tokens: 5, cache_read_input_tokens: 7, output_tokens: 3 }, modelUsage: {} })]);
    expect(s.usage).toEqual({ inputTokens: 15, cachedInputTokens: 7, outputTokens: 3, cacheCreationInputTokens: 5 });
  });

  it.each([
    ["no usage at all", {}, null],
    ["non-numeric counts count as 0", { usage: { input_tokens: "12", output_tokens: -4, cache_read_input_tokens: Infinity } }, { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0 }],
  ])("usage with %s", (_name, fields, expected) => {
    expect(reduce([result(fields)]).usage).toEqual(expected);
  });

  it.each([
    ["a number", 0.5, 0.5],
    ["a string", "0.5", null],
    ["missing", undefined, null],
  ])("session cost when total_cost_usd is %s", (_name, cost, expected) => {
    const s = reduce([result({ total_cost_usd: cost })]);
    expect(s.sessionCostUsd).toBe(expected);
    // Without model_usage_since_last_result the run's own cost is unknown (total_cost_usd may be the session's).
    expect(s.costUsd).toBeNull();
  });

  it("this run's usage and cost come from model_usage_since_last_result, never from the session-wide modelUsage (resumed run)", () => {
    const s = reduce([
      result({
        total_cost_usd: 0.026784,
        usage: { input_tokens: 13, cache_creation_input_tokens: 1500, cache_read_input_tokens: 25000, output_tokens: 42 },
        modelUsage: { "claude-opus-5-5": { inputTokens: 26, outputTokens: 84, cacheReadInputTokens: 50000, cacheCreationInputTokens: 3000, costUSD: 0.026784 } },
        model_usage_since_last_result: {
          "claude-opus-5-5": { inputTokens: 13, outputTokens: 42, cacheReadInputTokens: 25000, cacheCreationInputTokens: 1500, costUSD: 0.013392 },
          "claude-haiku-4-5": { inputTokens: 100, outputTokens: 10, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUSD: 0.0001 },
        },
      }),
    ]);
    expect(s.usage).toEqual({ inputTokens: 1613, cachedInputTokens: 25000, outputTokens: 52, cacheCreationInputTokens: 1500 });
    expect(s.costUsd).toBeCloseTo(0.013492, 9);
    expect(s.sessionCostUsd).toBe(0.026784);
  });

  it("an empty model_usage_since_last_result means this run used nothing (a resumed run that failed at once)", () => {
    const s = reduce([result({ total_cost_usd: 0.01532, modelUsage: { m: { inputTokens: 20, costUSD: 0.01532 } }, model_usage_since_last_result: {} })]);
    expect(s.usage).toEqual({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0 });
    expect(s.costUsd).toBe(0);
  });

  it("without a result, usage is summed from assistant messages once per message id and marked partial", () => {
    const msg = (id: string, usage: Record<string, number>, model = "claude-opus-5-5") =>
      JSON.stringify({ type: "assistant", message: { id, model, role: "assistant", content: [{ type: "text", text: "x" }], usage } });
    const s = reduce([
      msg("msg_1", { input_tokens: 100, cache_creation_input_tokens: 50, cache_read_input_tokens: 1000, output_tokens: 7 }),
      msg("msg_1", { input_tokens: 100, cache_creation_input_tokens: 50, cache_read_input_tokens: 1000, output_tokens: 7 }),
      msg("msg_2", { input_tokens: 200, output_tokens: 3 }),
      msg("synthetic-1", { input_tokens: 999, output_tokens: 999 }, "<synthetic>"),
    ]);
    expect(s.usage).toEqual({ inputTokens: 350, cachedInputTokens: 1000, outputTokens: 10, cacheCreationInputTokens: 50, partial: true });
    expect(s.costUsd).toBeNull();
  });

  it("reads api_retry, compaction status and the synthetic API-error message", () => {
    const s = reduce([
      JSON.stringify({ type: "system", subtype: "api_retry", attempt: 1, max_retries: 2, retry_delay_ms: 539, error_status: 500, error: "server_error" }),
      JSON.stringify({ type: "system", subtype: "api_retry", attempt: 2, max_retries: 2, retry_delay_ms: 1150, error_status: 529, error: "overloaded" }),
      JSON.stringify({ type: "system", subtype: "status", status: "compacting", compact_output_chars: 0 }),
      JSON.stringify({ type: "system", subtype: "status", status: null, compact_result: "failed", compact_error: "exhausted" }),
      JSON.stringify({
        type: "assistant",
        message: { id: "u-1", model: "<synthetic>", content: [{ type: "text", text: "API Error: 529 Overloaded." }], usage: { input_tokens: 0, output_tokens: 0 } },
        error: "server_error",
        is_api_error_message: true,
        api_error_status: 529,
        api_error_type: "overloaded_error",
      }),
    ]);
    expect(s.apiRetries).toBe(2);
    expect(s.lastApiRetry).toEqual({ attempt: 2, maxRetries: 2, errorStatus: 529, error: "overloaded", retryDelayMs: 1150 });
    expect(s.compaction).toBe("failed");
    expect(s.apiError).toEqual({ status: 529, errorType: "overloaded_error", error: "server_error", apiError: null, text: "API Error: 529 Overloaded." });
  });

  it("falls back to the assistant text when the result has no text", () => {
    expect(reduce([assistantText("m1", "hello"), assistantText("m2", "world"), result({ result: "  " })]).summary).toBe("hello\n\nworld");
  });

  it("reads error entries as text: strings, message / error / code, else JSON; empty ones dropped", () => {
    const s = reduce([result({ errors: ["  plain ", { message: "msg" }, { error: "err" }, { code: "E1" }, { other: 1 }, "", 42] })]);
    expect(s.result?.errors).toEqual(["plain", "msg", "err", "E1", '{"other":1}', "42"]);
  });

  it("caps long strings in the kept result json and its text", () => {
    const s = reduce([result({ result: "r".repeat(100), nested: { deep: ["s".repeat(100)] } })], { maxResultJsonChars: 10, maxSummaryChars: 20 });
    expect(s.result?.json).toMatchObject({ result: `${"r".repeat(9)}…`, nested: { deep: [`${"s".repeat(9)}…`] } });
    expect(s.result?.text).toBe(`${"r".repeat(19)}…`);
  });

  it("replaces hostile nesting instead of recursing into it", () => {
    const deep = `${'{"a":'.repeat(2000)}1${"}".repeat(2000)}`;
    const s = reduce([`{"type":"result","nested":${deep}}`]);
    expect(JSON.stringify(s.result?.json)).toContain("[nested too deep]");
  });

  it("a result clears the empty-response flag", () => {
    expect(reduce([EMPTY_LLM_RESPONSE.lines[1]!, result({ result: "ok" })]).llmApiEmptyResponse).toBe(false);
  });
});

describe("assistant messages", () => {
  it("counts one turn per message id and concatenates the text of its block events", () => {
    const s = reduce([assistantText("m1", "part one"), assistantText("m1", "part two"), assistantText("m2", "next")]);
    expect(s).toMatchObject({ assistantTurns: 2, summary: "part one\n\npart two\n\nnext", assistantContentSeen: true });
  });

  it("counts every message without an id as a turn", () => {
    expect(reduce([j({ type: "assistant", message: { content: [] } }), j({ type: "assistant", message: {} }), j({ type: "assistant" })]).assistantTurns).toBe(3);
  });

  it.each([
    ["stop_reason null and 0 output tokens (usage)", { stop_reason: null, usage: { output_tokens: 0 } }, true],
    ["stop_reason null and 0 output tokens (on the message)", { stop_reason: null, output_tokens: 0 }, true],
    ["stop_reason set", { stop_reason: "end_turn", usage: { output_tokens: 0 } }, false],
    ["unknown output tokens", { stop_reason: null }, false],
  ])("empty-response flag: %s", (_name, message, expected) => {
    expect(reduce([j({ type: "assistant", message })]).llmApiEmptyResponse).toBe(expected);
  });

  it("takes the model from the first real assistant message when there was no init", () => {
    expect(reduce([j({ type: "assistant", message: { model: "<synthetic>" } }), j({ type: "assistant", message: { model: "m-x" } })]).model).toBe("m-x");
  });

  it("keeps the last maxSummaryChars of a long assistant text, marked as cut", () => {
    const lines = Array.from({ length: 50 }, (_v, i) => assistantText(`m${i}`, `text-${i}`));
    const s = reduce(lines, { maxSummaryChars: 20 });
    expect(s.summary).toHaveLength(20);
    expect(s.summary.startsWith("…")).toBe(true);
    expect(s.summary.endsWith("text-49")).toBe(true);
  });
});

describe("replays", () => {
  it("counts a replayed event once and ignores it", () => {
    const lines = [assistantText("m1", "a"), assistantText("m2", "b"), result({ result: "done", total_cost_usd: 1 })];
    const s = reduce([...lines, ...lines]);
    expect(s).toMatchObject({ assistantTurns: 2, replayedEvents: 3, jsonEvents: 6, summary: "done" });
  });

  it("an old result replayed after a newer one does not win", () => {
    const older = result({ result: "older" });
    expect(reduce([older, result({ result: "newer" }), older]).summary).toBe("newer");
  });

  it("forgets events older than the window (memory stays bounded)", () => {
    const first = assistantText("m0", "first");
    const filler = Array.from({ length: REPLAY_WINDOW }, (_v, i) => j({ type: "rate_limit_event", n: i }));
    expect(reduce([first, ...filler, first]).replayedEvents).toBe(0);
  });
});

describe("init and rate limits", () => {
  it("init gives session and model; an init without a model is not an init for the init-only check", () => {
    expect(reduce([j({ type: "system", subtype: "init", session_id: "s", model: "m" })])).toMatchObject({ sessionId: "s", model: "m", initSeen: true });
    expect(reduce([j({ type: "system", subtype: "init", session_id: "s" })]).initSeen).toBe(false);
    expect(reduce([j({ type: "system", subtype: "status", model: "m" })]).initSeen).toBe(false);
  });

  it("reads an init line as JSON.parse would even when a repeated member changes what it is", () => {
    const init = '{"type":"system","subtype":"init","session_id":"s","tools":["Bash","{\\"model\\":\\"x\\"}"],"model":"m"';
    expect(reduce([`${init}}`])).toMatchObject({ sessionId: "s", model: "m", initSeen: true, jsonEvents: 1 });
    expect(reduce([`${init},"model":"m2","session_id":"s2"}`])).toMatchObject({ sessionId: "s2", model: "m2" });
    expect(reduce([`${init},"type":"user"}`])).toMatchObject({ sessionId: null, model: null, jsonEvents: 1 });
    expect(reduce([`${init},"subtype":"status","status":"compacting"}`])).toMatchObject({ sessionId: null, compaction: "compacting" });
    expect(reduce([`${init},}`])).toMatchObject({ sessionId: null, jsonEvents: 0, nonJsonLines: 1 });
  });

  it.each([
    ["epoch seconds", { rate_limit_info: { resetsAt: 1767225600 } }, "2026-01-01T00:00:00.000Z"],
    ["epoch ms", { rate_limit_info: { resetsAt: 1767225600000 } }, "2026-01-01T00:00:00.000Z"],
    ["ISO string, top-level fields", { resetsAt: "2026-01-01T01:00:00+01:00" }, "2026-01-01T00:00:00.000Z"],
    ["numeric string", { resetsAt: "1767225600" }, "2026-01-01T00:00:00.000Z"],
    ["garbage", { resetsAt: "soon" }, null],
    ["missing", {}, null],
  ])("rate limit reset time from %s", (_name, fields, expected) => {
    expect(reduce([j({ type: "rate_limit_event", ...fields })]).lastRateLimit?.resetsAt).toBe(expected);
  });
});
