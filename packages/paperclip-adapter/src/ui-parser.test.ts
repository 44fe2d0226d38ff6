import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { uiParserBuildOptions, uiParserBundleProblems } from "../scripts/ui-parser-bundle.mjs";
import { CLIPJOB_LINE_PREFIX, createStdoutParser, parseStdoutLine } from "./ui-parser.js";

const TS = "2026-11-24T00:00:00.000Z";
const j = (value: unknown) => JSON.stringify(value);
const parse = (line: string) => parseStdoutLine(line, TS);

describe("ui-parser: plain text lines", () => {
  it("returns nothing for blank lines", () => {
    expect(parse("")).toEqual([]);
    expect(parse("   \t ")).toEqual([]);
  });

  it("renders non-JSON text as stdout, keeping the line as given", () => {
    expect(parse("hello world")).toEqual([{ kind: "stdout", ts: TS, text: "hello world" }]);
    expect(parse("  indented")).toEqual([{ kind: "stdout", ts: TS, text: "  indented" }]);
  });

  it("renders JSON that is not an object as stdout", () => {
    for (const line of ["[1,2]", "42", "null", '"str"', "{not json", "{}x"]) {
      expect(parse(line)).toEqual([{ kind: "stdout", ts: TS, text: line }]);
    }
  });

  it("renders the adapter's own [clipjob] lines as system entries without the prefix", () => {
    expect(CLIPJOB_LINE_PREFIX).toBe("[clipjob] ");
    expect(parse("[clipjob] pod agent-1 Running on node-a")).toEqual([{ kind: "system", ts: TS, text: "pod agent-1 Running on node-a" }]);
    expect(parse(`${CLIPJOB_LINE_PREFIX}keepalive: job j1 running (30s since last output)`)).toEqual([
      { kind: "system", ts: TS, text: "keepalive: job j1 running (30s since last output)" },
    ]);
    expect(parse("[clipjob]")).toEqual([]);
  });

  it("renders the host's [paperclip] lines as system entries", () => {
    expect(parse('[paperclip] No project or prior session workspace was available. Using fallback workspace "/w".')).toEqual([
      { kind: "system", ts: TS, text: 'No project or prior session workspace was available. Using fallback workspace "/w".' },
    ]);
  });

  it("renders stderr-looking plain lines (merged into the container log) as stderr", () => {
    const lines = [
      "Error: Invalid API key · Please run /login",
      "error: unknown option '--bogus'",
      "TypeError: Cannot read properties of undefined (reading 'x')",
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'x'",
      "(node:1) Warning: something deprecated",
      "Warning: no stdin data received in 3s",
      "npm ERR! code E404",
      "    at Object.<anonymous> (/usr/lib/node_modules/x/cli.js:10:5)",
      "at async main (file:///app/cli.mjs:3:9)",
      "node:internal/modules/cjs/loader:1228",
      "fatal: not a git repository",
      "Traceback (most recent call last):",
    ];
    for (const line of lines) expect(parse(line)).toEqual([{ kind: "stderr", ts: TS, text: line }]);
  });

  it("does not treat ordinary prose mentioning errors as stderr", () => {
    for (const line of ["error handling is done", "Errors: none", "no errors found", "at least one"]) {
      expect(parse(line)[0]?.kind).toBe("stdout");
    }
  });
});

describe("ui-parser: system events", () => {
  it("maps system/init to init", () => {
    expect(parse(j({ type: "system", subtype: "init", model: "claude-opus-5", session_id: "s-1", tools: ["Bash"] }))).toEqual([
      { kind: "init", ts: TS, model: "claude-opus-5", sessionId: "s-1" },
    ]);
  });

  it("defaults init model to unknown and session to empty", () => {
    expect(parse(j({ type: "system", subtype: "init" }))).toEqual([{ kind: "init", ts: TS, model: "unknown", sessionId: "" }]);
    expect(parse(j({ type: "system", subtype: "init", model: 5, session_id: null }))).toEqual([
      { kind: "init", ts: TS, model: "unknown", sessionId: "" },
    ]);
  });

  it("renders compact_boundary as a system entry", () => {
    expect(parse(j({ type: "system", subtype: "compact_boundary", session_id: "s", compact_metadata: { trigger: "auto", pre_tokens: 155000 } }))).toEqual([
      { kind: "system", ts: TS, text: "context compacted (trigger=auto pre_tokens=155000)" },
    ]);
    expect(parse(j({ type: "system", subtype: "compact_boundary" }))).toEqual([{ kind: "system", ts: TS, text: "context compacted" }]);
  });

  it("renders other system subtypes with their scalar fields, dropping ids", () => {
    const [entry] = parse(
      j({ type: "system", subtype: "hook_progress", attempt: 2, max_retries: 10, retry_delay_ms: 1200, error_status: 529, session_id: "s", uuid: "u", nested: { a: 1 } }),
    );
    expect(entry).toEqual({ kind: "system", ts: TS, text: "hook_progress: attempt=2 max_retries=10 retry_delay_ms=1200 error_status=529" });
    // api_retry reads as words: "API 429, retry 2 in 40 s" (with the CLI's class and the retry budget).
    expect(parse(j({ type: "system", subtype: "api_retry", attempt: 2, max_retries: 10, retry_delay_ms: 40_000, error_status: 429, error: "rate_limit" }))).toEqual([
      { kind: "system", ts: TS, text: "API 429 rate_limit, retry 2 of 10 in 40 s" },
    ]);
    expect(parse(j({ type: "system", subtype: "status", message: "Compacting conversation" }))).toEqual([
      { kind: "system", ts: TS, text: "status: Compacting conversation" },
    ]);
    expect(parse(j({ type: "system" }))).toEqual([{ kind: "system", ts: TS, text: "system" }]);
  });

  it("truncates very long scalar values in system entries", () => {
    const [entry] = parse(j({ type: "system", subtype: "hook_response", stdout: "x".repeat(500) }));
    expect(entry?.kind).toBe("system");
    expect((entry as { text: string }).text.length).toBeLessThan(260);
  });
});

describe("ui-parser: assistant messages", () => {
  it("emits one entry per content block", () => {
    const line = j({
      type: "assistant",
      message: {
        id: "m1",
        content: [
          { type: "thinking", thinking: "let me look" },
          { type: "text", text: "Looking at the repo." },
          { type: "tool_use", id: "tu_1", name: "Bash", input: { command: "ls" } },
        ],
      },
    });
    expect(parse(line)).toEqual([
      { kind: "thinking", ts: TS, text: "let me look" },
      { kind: "assistant", ts: TS, text: "Looking at the repo." },
      { kind: "tool_call", ts: TS, name: "Bash", toolUseId: "tu_1", input: { command: "ls" } },
    ]);
  });

  it("fills tool_call defaults and accepts tool_use_id, server and MCP tool blocks", () => {
    const line = j({
      type: "assistant",
      message: {
        content: [
          { type: "tool_use" },
          { type: "tool_use", tool_use_id: "alt", name: "Read", input: null },
          { type: "server_tool_use", id: "srv", name: "web_search", input: { q: "k8s" } },
          { type: "mcp_tool_use", id: "mcp", name: "mcp__paperclip__issues", input: {} },
        ],
      },
    });
    expect(parse(line)).toEqual([
      { kind: "tool_call", ts: TS, name: "unknown", toolUseId: undefined, input: {} },
      { kind: "tool_call", ts: TS, name: "Read", toolUseId: "alt", input: {} },
      { kind: "tool_call", ts: TS, name: "web_search", toolUseId: "srv", input: { q: "k8s" } },
      { kind: "tool_call", ts: TS, name: "mcp__paperclip__issues", toolUseId: "mcp", input: {} },
    ]);
  });

  it("skips empty text/thinking blocks, unknown blocks and non-object blocks", () => {
    const line = j({
      type: "assistant",
      message: { content: [{ type: "text", text: "" }, { type: "thinking", thinking: "" }, { type: "redacted_thinking", data: "x" }, null, 3, "s", { type: "text", text: "ok" }] },
    });
    expect(parse(line)).toEqual([{ kind: "assistant", ts: TS, text: "ok" }]);
  });

  it("accepts string content", () => {
    expect(parse(j({ type: "assistant", message: { content: "plain" } }))).toEqual([{ kind: "assistant", ts: TS, text: "plain" }]);
  });

  it("falls back to stdout when nothing renderable is present", () => {
    for (const line of [j({ type: "assistant" }), j({ type: "assistant", message: { content: [] } }), j({ type: "assistant", message: { content: "" } })]) {
      expect(parse(line)).toEqual([{ kind: "stdout", ts: TS, text: line }]);
    }
  });
});

describe("ui-parser: user messages", () => {
  it("maps text blocks and string content to user entries", () => {
    expect(parse(j({ type: "user", message: { content: [{ type: "text", text: "do it" }] } }))).toEqual([{ kind: "user", ts: TS, text: "do it" }]);
    expect(parse(j({ type: "user", message: { content: "prompt" } }))).toEqual([{ kind: "user", ts: TS, text: "prompt" }]);
  });

  it("maps tool_result blocks with string or array content", () => {
    const line = j({
      type: "user",
      message: {
        content: [
          { type: "tool_result", tool_use_id: "tu_1", content: "file.txt" },
          { type: "tool_result", tool_use_id: "tu_2", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }], is_error: true },
          { type: "tool_result", tool_use_id: "tu_3", content: [{ type: "image", source: {} }, null] },
          { type: "tool_result", content: { odd: true } },
          { type: "tool_result", tool_use_id: "tu_5" },
        ],
      },
      tool_use_result: { stdout: "file.txt" },
    });
    expect(parse(line)).toEqual([
      { kind: "tool_result", ts: TS, toolUseId: "tu_1", content: "file.txt", isError: false },
      { kind: "tool_result", ts: TS, toolUseId: "tu_2", content: "a\nb", isError: true },
      { kind: "tool_result", ts: TS, toolUseId: "tu_3", content: "[image]", isError: false },
      { kind: "tool_result", ts: TS, toolUseId: "", content: '{"odd":true}', isError: false },
      { kind: "tool_result", ts: TS, toolUseId: "tu_5", content: "", isError: false },
    ]);
  });

  it("only is_error === true marks an error", () => {
    const [entry] = parse(j({ type: "user", message: { content: [{ type: "tool_result", tool_use_id: "x", content: "", is_error: "true" }] } }));
    expect(entry).toMatchObject({ kind: "tool_result", isError: false });
  });

  it("falls back to stdout when nothing renderable is present", () => {
    const line = j({ type: "user", message: { content: [{ type: "text", text: "" }, { type: "image" }] } });
    expect(parse(line)).toEqual([{ kind: "stdout", ts: TS, text: line }]);
    expect(parse(j({ type: "user" }))[0]?.kind).toBe("stdout");
  });
});

describe("ui-parser: result", () => {
  it("maps a successful result", () => {
    const line = j({
      type: "result",
      subtype: "success",
      is_error: false,
      result: "All done.",
      total_cost_usd: 0.0123,
      usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 30, cache_creation_input_tokens: 40 },
      session_id: "s-1",
    });
    expect(parse(line)).toEqual([
      { kind: "result", ts: TS, text: "All done.", inputTokens: 10, outputTokens: 20, cachedTokens: 30, costUsd: 0.0123, subtype: "success", isError: false, errors: [] },
    ]);
  });

  it("maps an error result, converting each error to a string and dropping empty ones", () => {
    const line = j({
      type: "result",
      subtype: "error_during_execution",
      is_error: true,
      errors: ["plain", { message: "msg" }, { error: "err" }, { code: "E1" }, { other: 1 }, "", {}, null, 7],
    });
    const [entry] = parse(line);
    expect(entry).toMatchObject({ kind: "result", subtype: "error_during_execution", isError: true, text: "" });
    expect((entry as { errors: string[] }).errors).toEqual(["plain", "msg", "err", "E1", '{"other":1}', "{}"]);
  });

  it("defaults missing or non-finite numbers to 0 and missing strings to empty", () => {
    const line = '{"type":"result","usage":{"input_tokens":"12","output_tokens":null},"total_cost_usd":1e999}';
    expect(parse(line)).toEqual([
      { kind: "result", ts: TS, text: "", inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0, subtype: "", isError: false, errors: [] },
    ]);
  });
});

describe("ui-parser: rate limits, errors, partial messages, unknown events", () => {
  it("renders rate_limit_event (rate_limit_info) as a system entry with type, status and reset time", () => {
    const line = j({ type: "rate_limit_event", rate_limit_info: { status: "allowed_warning", rateLimitType: "five_hour", resetsAt: 1795500000, utilization: 0.91 }, session_id: "s" });
    expect(parse(line)).toEqual([
      { kind: "system", ts: TS, text: `rate limit: type=five_hour status=allowed_warning resets=${new Date(1795500000 * 1000).toISOString()} utilization=0.91` },
    ]);
  });

  it("accepts top-level rate-limit fields, millisecond epochs and missing values", () => {
    expect(parse(j({ type: "rate_limit_event", status: "rejected", rateLimitType: "seven_day", resetsAt: 1795500000000, overageStatus: "rejected" }))).toEqual([
      { kind: "system", ts: TS, text: `rate limit: type=seven_day status=rejected resets=${new Date(1795500000000).toISOString()} overage=rejected` },
    ]);
    expect(parse(j({ type: "rate_limit_event" }))).toEqual([{ kind: "system", ts: TS, text: "rate limit: type=unknown status=unknown" }]);
    expect(parse(j({ type: "rate_limit_event", rate_limit_info: { status: "allowed", resetsAt: "bogus" } }))).toEqual([
      { kind: "system", ts: TS, text: "rate limit: type=unknown status=allowed" },
    ]);
  });

  it("renders JSON error events as stderr", () => {
    expect(parse(j({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }))).toEqual([{ kind: "stderr", ts: TS, text: "Overloaded" }]);
    expect(parse(j({ type: "error", message: "boom" }))).toEqual([{ kind: "stderr", ts: TS, text: "boom" }]);
    const bare = j({ type: "error" });
    expect(parse(bare)).toEqual([{ kind: "stderr", ts: TS, text: bare }]);
  });

  it("suppresses partial-message stream events (the full assistant message follows)", () => {
    expect(parse(j({ type: "stream_event", event: { type: "content_block_delta", delta: { type: "text_delta", text: "Hel" } } }))).toEqual([]);
  });

  it("renders unknown JSON events raw as stdout", () => {
    for (const line of [j({ type: "control_request", request: {} }), j({ foo: 1 }), j({ type: 5 })]) {
      expect(parse(line)).toEqual([{ kind: "stdout", ts: TS, text: line }]);
    }
  });

  it("tolerates surrounding whitespace on JSON lines", () => {
    expect(parse(`  ${j({ type: "system", subtype: "init", model: "m", session_id: "s" })}  `)).toEqual([{ kind: "init", ts: TS, model: "m", sessionId: "s" }]);
  });

  it("never throws, whatever it is given", () => {
    const weird: unknown[] = [undefined, null, 12, { toString: () => "{" }, "{".repeat(10000), "\u0000", "\uD800"];
    for (const value of weird) expect(() => parseStdoutLine(value as string, TS)).not.toThrow();
  });

  it("passes the timestamp through to every entry", () => {
    const entries = parseStdoutLine(j({ type: "assistant", message: { content: [{ type: "text", text: "a" }, { type: "tool_use", id: "t", name: "n" }] } }), "T1");
    expect(entries.map((e) => e.ts)).toEqual(["T1", "T1"]);
  });
});

describe("ui-parser: createStdoutParser", () => {
  const toolUse = j({ type: "assistant", message: { content: [{ type: "tool_use", id: "tu_9", name: "Grep", input: { pattern: "x" } }] } });
  const toolResult = j({ type: "user", message: { content: [{ type: "tool_result", tool_use_id: "tu_9", content: "hit" }] } });

  it("adds the tool name to tool_result entries it saw the tool_use of", () => {
    const parser = createStdoutParser();
    parser.parseLine(toolUse, TS);
    expect(parser.parseLine(toolResult, TS)).toEqual([{ kind: "tool_result", ts: TS, toolUseId: "tu_9", toolName: "Grep", content: "hit", isError: false }]);
  });

  it("forgets tool names on reset and behaves like parseStdoutLine otherwise", () => {
    const parser = createStdoutParser();
    parser.parseLine(toolUse, TS);
    parser.reset();
    expect(parser.parseLine(toolResult, TS)).toEqual(parseStdoutLine(toolResult, TS));
    expect(parser.parseLine("[clipjob] hi", TS)).toEqual([{ kind: "system", ts: TS, text: "hi" }]);
  });

  it("keeps parseStdoutLine stateless", () => {
    parseStdoutLine(toolUse, TS);
    expect(parseStdoutLine(toolResult, TS)[0]).not.toHaveProperty("toolName");
  });

  it("bounds the remembered tool ids", () => {
    const parser = createStdoutParser();
    for (let i = 0; i < 2100; i++) {
      parser.parseLine(j({ type: "assistant", message: { content: [{ type: "tool_use", id: `id${i}`, name: `T${i}` }] } }), TS);
    }
    const first = parser.parseLine(j({ type: "user", message: { content: [{ type: "tool_result", tool_use_id: "id0", content: "" }] } }), TS)[0];
    const last = parser.parseLine(j({ type: "user", message: { content: [{ type: "tool_result", tool_use_id: "id2099", content: "" }] } }), TS)[0];
    expect(first).not.toHaveProperty("toolName");
    expect(last).toMatchObject({ toolName: "T2099" });
  });
});

describe("ui-parser: sandbox constraints", () => {
  it("imports only core's stream-json event model, which has no runtime imports, and uses no Node/DOM globals", () => {
    const source = readFileSync(new URL("./ui-parser.ts", import.meta.url), "utf8");
    const imports = [...source.matchAll(/^\s*import\s[\s\S]*?from\s+"([^"]+)"/gm)].map((m) => m[1]);
    expect(imports).toEqual(["@clipjob/core/stream-json"]);
    const model = readFileSync(fileURLToPath(import.meta.resolve("@clipjob/core/stream-json")), "utf8");
    expect(model).not.toMatch(/^\s*import\s(?!type\s)/m);
    for (const text of [source, model]) {
      expect(text).not.toMatch(/\brequire\s*\(/);
      expect(text).not.toMatch(/\b(?:process|window|document|fetch|Buffer)\b\s*[.(]/);
    }
  });

  it("bundles (as scripts/build-ui-parser.mjs does) into CommonJS with no import or require, and evaluates the way the worker does", async () => {
    const { build } = await import("esbuild");
    const out = await build(uiParserBuildOptions({ write: false, logLevel: "silent" }));
    const bundle = out.outputFiles![0]!.text;
    expect(uiParserBundleProblems(bundle)).toEqual([]);
    expect(uiParserBundleProblems(`${bundle}\nrequire("x");`)).toEqual(["contains require("]);
    const mod: { exports: Record<string, unknown> } = { exports: {} };
    new Function("exports", "module", "self", "globalThis", `"use strict";\n${bundle}`)(mod.exports, mod, {}, {});
    const parseLine = mod.exports["parseStdoutLine"] as typeof parseStdoutLine;
    const kinds = [
      { type: "system", subtype: "init", model: "claude-opus-4-7", session_id: "s-1" },
      { type: "assistant", message: { content: [{ type: "text", text: "Looking" }, { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }] } },
      { type: "user", message: { content: [{ type: "tool_result", tool_use_id: "t1", content: "README.md" }] } },
      { type: "system", subtype: "api_retry", attempt: 2, max_retries: 10, error_status: 429, error: "rate_limit", retry_delay_ms: 40000 },
      { type: "result", subtype: "success", result: "Done", total_cost_usd: 0.01, usage: { input_tokens: 10, output_tokens: 5 } },
    ].flatMap((e) => parseLine(JSON.stringify(e), TS));
    expect(kinds.map((e) => e.kind)).toEqual(["init", "assistant", "tool_call", "tool_result", "system", "result"]);
    expect(kinds[4]).toMatchObject({ text: "API 429 rate_limit, retry 2 of 10 in 40 s" });
  });
});
