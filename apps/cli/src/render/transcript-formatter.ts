// Claude's stream-json, rendered for a human: what Claude said and did, tool results cut to a glance,
// thinking collapsed. The raw line stays the source of truth (`--json` prints it untouched).

import {
  apiRetryNotice,
  asJsonObject,
  compactionStatus,
  contentBlocks,
  describeApiRetry,
  parseStreamJsonEvent,
  rateLimitInfo,
  resultRunCostUsd,
  syntheticApiError,
  type JsonObject,
} from "@clipjob/core";
import { line, type DisplayLine } from "./display-line.js";
import { cap, oneLine, terminalSafe } from "./terminal-text.js";

const ASSISTANT_TEXT_MAX = 4000;
const THINKING_PREVIEW = 100;
const TOOL_INPUT_MAX = 120;
const RESULT_PREVIEW_LINES = 3;
const RESULT_LINE_MAX = 160;
const FINAL_RESULT_MAX = 2000;
/** Tool ids remembered to name their results; a transcript's tool calls are answered soon after. */
const REMEMBERED_TOOL_IDS = 256;
/** Input fields that best say what a tool call does, in order of preference. */
const SUMMARY_FIELDS = ["command", "file_path", "path", "pattern", "url", "query", "description", "prompt", "skill"];

type Json = JsonObject;

/** Stateful only in the tool-id → name memory it needs to label results; bounded. */
export class TranscriptFormatter {
  private readonly toolNames = new Map<string, string>();
  /** Claude repeats its final message as the result text; shown once is enough. */
  private lastAssistantText = "";

  /** `stream` is core's classification: "stdout" for stream-json events, "stderr" for anything else. */
  format(stream: "stdout" | "stderr", raw: string): DisplayLine[] {
    if (raw.trim() === "") return [];
    const event = stream === "stdout" ? parseStreamJsonEvent(raw) : null;
    if (!event) return [line("dim", `│ ${cap(terminalSafe(raw), RESULT_LINE_MAX * 4)}`)];
    switch (event["type"]) {
      case "system":
        return this.system(event);
      case "assistant":
        return this.assistant(event);
      case "user":
        return this.user(event);
      case "result":
        return result(event, this.lastAssistantText);
      case "rate_limit_event":
        return rateLimit(event);
      default:
        return [line("dim", `· ${oneLine(String(event["type"]), 40)}${typeof event["subtype"] === "string" ? `/${oneLine(event["subtype"], 40)}` : ""}`)];
    }
  }

  private system(event: Json): DisplayLine[] {
    if (event["subtype"] === "api_retry") return [line("warn", `⟳ ${apiRetryText(event)}`)];
    if (event["subtype"] === "status") {
      const compaction = compactionStatus(event);
      const outcome = compaction.result;
      if (outcome) return [line(outcome === "failed" ? "warn" : "system", `⋯ compaction ${oneLine(outcome, 40)}${compaction.error ? ` (${oneLine(compaction.error, 80)})` : ""}`)];
      if (compaction.status === "compacting") return [line("system", "⋯ compacting the conversation…")];
    }
    if (event["subtype"] !== "init") return [line("dim", `· system/${oneLine(String(event["subtype"] ?? "?"), 40)}`)];
    const parts = [`session ${str(event["session_id"]) ?? "?"}`, `model ${str(event["model"]) ?? "?"}`];
    if (Array.isArray(event["tools"])) parts.push(`${event["tools"].length} tools`);
    const cwd = str(event["cwd"]);
    if (cwd) parts.push(`cwd ${cwd}`);
    return [line("system", `● Claude started: ${oneLine(parts.join(" · "), 300)}`)];
  }

  private assistant(event: Json): DisplayLine[] {
    const out: DisplayLine[] = [];
    // The CLI's own notice of a failed API call (model "<synthetic>"): an error, not something Claude said.
    const apiError = syntheticApiError(event);
    if (apiError) {
      const text = apiError.texts.filter((t) => t !== "").join(" ");
      const status = apiError.status === null ? "" : ` ${apiError.status}`;
      const kind = apiError.errorType ?? apiError.apiError ?? apiError.error;
      return [line("error", `✗ API error${status}${kind ? ` ${oneLine(kind, 40)}` : ""}: ${oneLine(text || "(no message)", RESULT_LINE_MAX * 2)}`)];
    }
    for (const block of contentBlocks(event)) {
      if (block.type === "text" && block.text.trim() !== "") {
        this.lastAssistantText = block.text.trim();
        out.push(line("assistant", cap(terminalSafe(this.lastAssistantText), ASSISTANT_TEXT_MAX)));
      } else if (block.type === "thinking") {
        out.push(line("thinking", `∴ thinking (${block.thinking.length} chars): ${oneLine(block.thinking, THINKING_PREVIEW)}`));
      } else if (block.type === "tool_use" || block.type === "server_tool_use" || block.type === "mcp_tool_use") {
        const name = block.name ?? "tool";
        if (block.id) this.remember(block.id, name);
        const summary = summariseInput(block.input);
        out.push(line("tool", `→ ${oneLine(name, 60)}${summary ? `  ${summary}` : ""}`));
      }
    }
    return out;
  }

  private user(event: Json): DisplayLine[] {
    const out: DisplayLine[] = [];
    for (const block of contentBlocks(event)) {
      if (block.type === "tool_result") {
        const name = (block.toolUseId && this.toolNames.get(block.toolUseId)) ?? "tool";
        const text = toolResultText(block.content);
        out.push(...preview(block.isError ? "toolError" : "toolResult", `${block.isError ? "✗" : "←"} ${oneLine(name, 60)}${block.isError ? " failed" : ""}`, text));
      } else if (block.type === "text") {
        out.push(line("dim", `user: ${oneLine(block.text, RESULT_LINE_MAX)}`));
      }
    }
    return out;
  }

  private remember(id: string, name: string): void {
    this.toolNames.set(id, name);
    if (this.toolNames.size > REMEMBERED_TOOL_IDS) {
      const oldest = this.toolNames.keys().next().value;
      if (oldest !== undefined) this.toolNames.delete(oldest);
    }
  }
}

function result(event: Json, alreadyShown: string): DisplayLine[] {
  const isError = event["is_error"] === true || (typeof event["subtype"] === "string" && event["subtype"].startsWith("error"));
  const facts = [str(event["subtype"]) ?? (isError ? "error" : "success")];
  if (typeof event["num_turns"] === "number") facts.push(`${event["num_turns"]} turns`);
  if (typeof event["duration_ms"] === "number") facts.push(`${(event["duration_ms"] / 1000).toFixed(1)}s`);
  const cost = resultRunCostUsd(event);
  if (cost !== null) facts.push(`$${cost.toFixed(4)}`);
  const out = [line(isError ? "error" : "result", `■ result: ${oneLine(facts.join(" · "), 200)}`)];
  const text = str(event["result"]);
  if (text && text.trim() !== alreadyShown) out.push(line(isError ? "error" : "assistant", cap(terminalSafe(text.trim()), FINAL_RESULT_MAX)));
  const errors = Array.isArray(event["errors"]) ? event["errors"].map(describeError).filter((e) => e !== "" && e !== text) : [];
  for (const e of errors) out.push(line("error", `  ${oneLine(e, RESULT_LINE_MAX * 2)}`));
  return out;
}

/** "API 429 rate_limit, retry 2 of 10 in 40 s". */
export function apiRetryText(event: Json): string {
  return oneLine(describeApiRetry(apiRetryNotice(event)), 120);
}

function rateLimit(event: Json): DisplayLine[] {
  const info = rateLimitInfo(event);
  const parts = [str(info["rateLimitType"]) ?? "unknown limit", str(info["status"]) ?? "unknown status"];
  if (typeof info["resetsAt"] === "number" && Number.isFinite(info["resetsAt"])) {
    parts.push(`resets ${new Date(info["resetsAt"] * 1000).toISOString()}`);
  }
  const rejected = info["status"] === "rejected";
  return [line(rejected ? "error" : "warn", `⚠ rate limit: ${oneLine(parts.join(", "), 200)}`)];
}

function preview(style: "toolResult" | "toolError", header: string, text: string): DisplayLine[] {
  const lines = terminalSafe(text).split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) return [line(style, `${header} (no output)`)];
  if (lines.length === 1) return [line(style, `${header}: ${cap(lines[0]!.trim(), RESULT_LINE_MAX)}`)];
  const shown = lines.slice(0, RESULT_PREVIEW_LINES).map((l) => line("dim", `    ${cap(l, RESULT_LINE_MAX)}`));
  const more = lines.length - shown.length;
  return [
    line(style, `${header}: ${lines.length} lines, ${text.length} chars`),
    ...shown,
    ...(more > 0 ? [line("dim", `    … ${more} more lines`)] : []),
  ];
}

function summariseInput(input: unknown): string {
  if (!isObject(input)) return "";
  for (const field of SUMMARY_FIELDS) {
    const value = str(input[field]);
    if (value) return oneLine(value, TOOL_INPUT_MAX);
  }
  const json = JSON.stringify(input);
  return json === "{}" ? "" : oneLine(json, TOOL_INPUT_MAX);
}

function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (isObject(part) && typeof part["text"] === "string" ? part["text"] : ""))
    .filter((t) => t !== "")
    .join("\n");
}

function describeError(e: unknown): string {
  if (typeof e === "string") return e;
  if (isObject(e)) return str(e["message"]) ?? str(e["error"]) ?? str(e["code"]) ?? JSON.stringify(e);
  return "";
}

function isObject(value: unknown): value is Json {
  return asJsonObject(value) !== null;
}

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
