import { describe, expect, it } from "vitest";
import {
  apiRetryNotice,
  compactionStatus,
  contentBlocks,
  describeApiRetry,
  parseStreamJsonEvent,
  rateLimitInfo,
  resultRunCostUsd,
  syntheticApiError,
} from "./stream-json-event.js";

describe("the stream-json event model", () => {
  it("an event is a JSON object with a non-empty string type; anything else is not one", () => {
    expect(parseStreamJsonEvent('{"type":"result","x":1}')).toEqual({ type: "result", x: 1 });
    for (const line of ['{"type":""}', '{"type":5}', '{"x":1}', "[1]", "null", "{oops", "plain text"]) {
      expect(parseStreamJsonEvent(line), line).toBeNull();
    }
  });

  it("content blocks are narrowed by type; a block whose fields do not fit is `other`, a non-object is left out", () => {
    const event = {
      message: {
        content: [
          { type: "text", text: "hi" },
          { type: "text", text: 5 },
          { type: "thinking", thinking: "hmm" },
          { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } },
          { type: "mcp_tool_use", tool_use_id: "t2", name: "" },
          { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "ok" }], is_error: true },
          "stray",
        ],
      },
    };
    expect(contentBlocks(event)).toEqual([
      { type: "text", text: "hi" },
      { type: "other", block: { type: "text", text: 5 } },
      { type: "thinking", thinking: "hmm" },
      { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } },
      { type: "mcp_tool_use", id: "t2", name: null, input: undefined },
      { type: "tool_result", toolUseId: "t1", content: [{ type: "text", text: "ok" }], isError: true },
    ]);
    expect(contentBlocks({ message: { content: "a plain string" } })).toEqual([]);
    expect(contentBlocks({})).toEqual([]);
  });

  it("a synthetic API error is read from is_api_error_message, or model <synthetic> with an error; a real message is none", () => {
    const flagged = { is_api_error_message: true, api_error_status: 529, api_error_type: "overloaded_error", message: { content: [{ type: "text", text: "Overloaded" }, { type: "text", text: "" }] } };
    expect(syntheticApiError(flagged)).toEqual({ status: 529, errorType: "overloaded_error", error: null, apiError: null, texts: ["Overloaded", ""] });
    expect(syntheticApiError({ error: "rate_limit", message: { model: "<synthetic>", content: [] } })).toMatchObject({ error: "rate_limit", texts: [] });
    expect(syntheticApiError({ message: { model: "<synthetic>", content: [] } })).toBeNull();
    expect(syntheticApiError({ error: "x", message: { model: "claude-opus-4-7" } })).toBeNull();
  });

  it("api_retry, compaction, rate limit and a result's run cost", () => {
    const retry = apiRetryNotice({ attempt: 2, max_retries: 10, error_status: 429, error: "rate_limit", retry_delay_ms: 40_000 });
    expect(describeApiRetry(retry)).toBe("API 429 rate_limit, retry 2 of 10 in 40 s");
    expect(describeApiRetry(apiRetryNotice({ retry_delay_ms: 1500 }))).toBe("API error, retry in 1.5 s");
    expect(compactionStatus({ status: "compacting" })).toEqual({ result: null, error: null, status: "compacting" });
    expect(compactionStatus({ compact_result: "failed", compact_error: "exhausted" })).toEqual({ result: "failed", error: "exhausted", status: null });
    expect(rateLimitInfo({ rate_limit_info: { status: "rejected" } })).toEqual({ status: "rejected" });
    expect(rateLimitInfo({ status: "allowed" })).toEqual({ status: "allowed" });
    expect(resultRunCostUsd({ total_cost_usd: 0.5, model_usage_since_last_result: { a: { costUSD: 0.1 }, b: { costUSD: 0.2 } } })).toBeCloseTo(0.3);
    expect(resultRunCostUsd({ total_cost_usd: 0.5 })).toBe(0.5);
    expect(resultRunCostUsd({})).toBeNull();
  });
});
