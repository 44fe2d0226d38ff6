import { describe, expect, it } from "vitest";
import { TranscriptFormatter } from "./transcript-formatter.js";

const json = (value: unknown) => JSON.stringify(value);
const assistant = (...content: unknown[]) => json({ type: "assistant", message: { role: "assistant", content } });
const toolResult = (id: string, content: unknown, isError = false) =>
  json({ type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: id, content, is_error: isError }] } });

describe("TranscriptFormatter", () => {
  it.each([
    {
      name: "system/init as one line with session, model and tools",
      line: json({ type: "system", subtype: "init", session_id: "s-1", model: "claude-sonnet-4-5", tools: ["Bash", "Read"], cwd: "/paperclip" }),
      expected: [{ style: "system", text: "● Claude started: session s-1 · model claude-sonnet-4-5 · 2 tools · cwd /paperclip" }],
    },
    {
      name: "assistant text as written",
      line: assistant({ type: "text", text: "Let me look.\nThen fix it." }),
      expected: [{ style: "assistant", text: "Let me look.\nThen fix it." }],
    },
    {
      name: "thinking collapsed to one dim line",
      line: assistant({ type: "thinking", thinking: "First,\n\nI should   inspect the workspace.", signature: "x" }),
      expected: [{ style: "thinking", text: "∴ thinking (41 chars): First, I should inspect the workspace." }],
    },
    {
      name: "a tool call with the input field that says what it does",
      line: assistant({ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls -la", description: "List files" } }),
      expected: [{ style: "tool", text: "→ Bash  ls -la" }],
    },
    {
      name: "a tool call with an unknown input shape as compact JSON",
      line: assistant({ type: "tool_use", id: "t1", name: "Custom", input: { a: 1 } }),
      expected: [{ style: "tool", text: '→ Custom  {"a":1}' }],
    },
    {
      name: "a rate limit with its reset time",
      line: json({ type: "rate_limit_event", rate_limit_info: { status: "rejected", resetsAt: 1767232800, rateLimitType: "five_hour" } }),
      expected: [{ style: "error", text: "⚠ rate limit: five_hour, rejected, resets 2026-01-01T02:00:00.000Z" }],
    },
    {
      name: "a non-JSON line passed through dimmed",
      line: "npm notice New minor version",
      expected: [{ style: "dim", text: "│ npm notice New minor version" }],
    },
    {
      name: "an unknown event as its type",
      line: json({ type: "stream_event", subtype: "delta" }),
      expected: [{ style: "dim", text: "· stream_event/delta" }],
    },
    {
      name: "a blank line as nothing",
      line: "   ",
      expected: [],
    },
  ])("renders $name", ({ line, expected }) => {
    expect(new TranscriptFormatter().format("stdout", line)).toEqual(expected);
  });

  it("names a tool result after its call and shows a few lines of it", () => {
    const f = new TranscriptFormatter();
    f.format("stdout", assistant({ type: "tool_use", id: "t9", name: "Read", input: { file_path: "/a.txt" } }));
    const text = Array.from({ length: 10 }, (_, i) => `line ${i}`).join("\n");
    expect(f.format("stdout", toolResult("t9", [{ type: "text", text }]))).toEqual([
      { style: "toolResult", text: `← Read: 10 lines, ${text.length} chars` },
      { style: "dim", text: "    line 0" },
      { style: "dim", text: "    line 1" },
      { style: "dim", text: "    line 2" },
      { style: "dim", text: "    … 7 more lines" },
    ]);
  });

  it("marks a failed tool result", () => {
    const f = new TranscriptFormatter();
    f.format("stdout", assistant({ type: "tool_use", id: "t2", name: "Bash", input: { command: "false" } }));
    expect(f.format("stdout", toolResult("t2", "exit 1", true))).toEqual([{ style: "toolError", text: "✗ Bash failed: exit 1" }]);
  });

  it("cuts a long one-line tool result", () => {
    const [first] = new TranscriptFormatter().format("stdout", toolResult("unknown", "x".repeat(10_000)));
    expect(first!.text.startsWith("← tool: xxx")).toBe(true);
    expect(first!.text.length).toBeLessThan(200);
  });

  it("renders a successful result with turns, time and cost, then its text", () => {
    const line = json({ type: "result", subtype: "success", is_error: false, num_turns: 3, duration_ms: 5100, total_cost_usd: 0.01234, result: "Done." });
    expect(new TranscriptFormatter().format("stdout", line)).toEqual([
      { style: "result", text: "■ result: success · 3 turns · 5.1s · $0.0123" },
      { style: "assistant", text: "Done." },
    ]);
  });

  it("does not repeat the final assistant message as the result text", () => {
    const f = new TranscriptFormatter();
    f.format("stdout", assistant({ type: "text", text: "All tests pass." }));
    const line = json({ type: "result", subtype: "success", is_error: false, result: "All tests pass." });
    expect(f.format("stdout", line)).toEqual([{ style: "result", text: "■ result: success" }]);
  });

  it("renders an error result with its errors", () => {
    const line = json({ type: "result", subtype: "error_during_execution", is_error: true, errors: ["No conversation found", { message: "second" }] });
    expect(new TranscriptFormatter().format("stdout", line)).toEqual([
      { style: "error", text: "■ result: error_during_execution" },
      { style: "error", text: "  No conversation found" },
      { style: "error", text: "  second" },
    ]);
  });

  it("strips terminal control sequences from container output", () => {
    const hostile = assistant({ type: "text", text: "safe\u001b]0;pwned\u0007\u001b[2Jtext" });
    const [shown] = new TranscriptFormatter().format("stdout", hostile);
    expect(shown!.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(shown!.text).toBe("safe]0;pwned[2Jtext");
  });

  it("treats the run's non-event stream as raw text even when it looks like JSON", () => {
    expect(new TranscriptFormatter().format("stderr", '{"type":"result"}')).toEqual([{ style: "dim", text: '│ {"type":"result"}' }]);
  });
});

// Shapes recorded from the real CLI (packages/claude-corpus, claude 2.1.328).
describe("TranscriptFormatter: API retries, compaction and the CLI's API-error notices", () => {
  const f = () => new TranscriptFormatter();

  it("api_retry reads as 'API 429 rate_limit, retry 2 of 10 in 40 s'", () => {
    const l = json({ type: "system", subtype: "api_retry", attempt: 2, max_retries: 10, retry_delay_ms: 40_000, error_status: 429, error: "rate_limit", session_id: "s", uuid: "u" });
    expect(f().format("stdout", l)).toEqual([{ style: "warn", text: "⟳ API 429 rate_limit, retry 2 of 10 in 40 s" }]);
    const dropped = json({ type: "system", subtype: "api_retry", attempt: 1, max_retries: 2, retry_delay_ms: 539, error_status: null, error: "unknown" });
    expect(f().format("stdout", dropped)).toEqual([{ style: "warn", text: "⟳ API unknown, retry 1 of 2 in 0.5 s" }]);
  });

  it("compaction status as it happens", () => {
    expect(f().format("stdout", json({ type: "system", subtype: "status", status: "compacting", compact_output_chars: 0 }))).toEqual([{ style: "system", text: "⋯ compacting the conversation…" }]);
    expect(f().format("stdout", json({ type: "system", subtype: "status", status: null, compact_result: "failed", compact_error: "exhausted" }))).toEqual([
      { style: "warn", text: "⋯ compaction failed (exhausted)" },
    ]);
  });

  it("the synthetic API-error message is an error line, not Claude's words", () => {
    const l = json({
      type: "assistant",
      message: { id: "7f6d", model: "<synthetic>", role: "assistant", content: [{ type: "text", text: "API Error: 500 Internal server error." }], usage: { input_tokens: 0, output_tokens: 0 } },
      error: "server_error",
      is_api_error_message: true,
      api_error_status: 500,
      api_error_type: "api_error",
    });
    expect(f().format("stdout", l)).toEqual([{ style: "error", text: "✗ API error 500 api_error: API Error: 500 Internal server error." }]);
  });

  it("a resumed run's result shows this run's cost, not the session total", () => {
    const l = json({
      type: "result",
      subtype: "success",
      is_error: false,
      num_turns: 1,
      duration_ms: 1200,
      total_cost_usd: 0.026784,
      model_usage_since_last_result: { "claude-opus-5-5": { costUSD: 0.013392 } },
      result: "Second answer.",
    });
    expect(f().format("stdout", l)[0]).toEqual({ style: "result", text: "■ result: success · 1 turns · 1.2s · $0.0134" });
  });
});
