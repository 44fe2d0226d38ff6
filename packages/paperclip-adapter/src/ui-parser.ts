// UI transcript parser for the `claude_k8s` adapter.
//
// Paperclip serves this module (bundled to CommonJS) at GET /api/adapters/claude_k8s/ui-parser.js and
// evaluates it in a locked-down Web Worker via new Function("exports","module","self","globalThis", src).
// Hence: no imports but core's stream-json event model (`@clipjob/core/stream-json`, itself free of runtime
// imports), which esbuild bundles in; no Node or DOM APIs; and it must never throw (a throw drops the line
// in the worker).
//
// The host's UI only hands us *stdout* lines: it splits each stdout chunk on \r?\n, trims each line and
// skips empty ones; stderr chunks become `stderr` entries and host "system" chunks become `system`
// entries without reaching us. Our adapter writes to stdout:
//   - the raw Claude Code stream-json lines of the agent container (the container log interleaves
//     the CLI's stderr too, so plain error/warning lines also arrive here), and
//   - its own status lines, prefixed with "[clipjob] ".
// The host itself also writes "[paperclip] ..." lines into the run's stdout.
//
// Mapping (Paperclip's claude_local conventions, plus the extras below):
//   system/init              -> init {model ("unknown"), sessionId ("")}
//   system/api_retry         -> system ("API 429 rate_limit, retry 2 of 10 in 40 s")
//   system/status            -> system ("compacting the conversation…", "compaction failed (exhausted)")
//   system/<other subtype>   -> system ("<subtype>: details")
//   assistant <synthetic> API error (is_api_error_message) -> stderr ("API error 500 api_error: <text>")
//   assistant                -> one entry per block: text -> assistant, thinking -> thinking,
//                               tool_use / server_tool_use / mcp_tool_use -> tool_call; nothing -> stdout
//   user                     -> text -> user, tool_result -> tool_result; nothing -> stdout
//   result                   -> result {text, tokens, cost, subtype, isError, errors[]}; cost is this run's
//                               (model_usage_since_last_result), never the session total of a resumed run
//   rate_limit_event         -> system ("rate limit: type=… status=… resets=<ISO>")
//   error (JSON)             -> stderr
//   stream_event             -> nothing (partial-message deltas; the complete assistant message follows)
//   "[clipjob] x" / "[paperclip] x" -> system "x"
//   plain text that looks like an error/warning/stack frame -> stderr; other plain text -> stdout
//   any other JSON           -> stdout (raw line)

import {
  apiRetryNotice,
  asJsonObject,
  compactionStatus,
  contentBlocks,
  describeApiRetry,
  eventMessage,
  parseStreamJsonEvent,
  rateLimitInfo,
  resultRunCostUsd,
  syntheticApiError,
  type JsonObject,
} from "@clipjob/core/stream-json";

export type TranscriptEntry =
  | { kind: "assistant"; ts: string; text: string; delta?: boolean }
  | { kind: "thinking"; ts: string; text: string; delta?: boolean }
  | { kind: "user"; ts: string; text: string }
  | { kind: "tool_call"; ts: string; name: string; input: unknown; toolUseId?: string }
  | { kind: "tool_result"; ts: string; toolUseId: string; toolName?: string; content: string; isError: boolean }
  | { kind: "init"; ts: string; model: string; sessionId: string }
  | {
      kind: "result";
      ts: string;
      text: string;
      inputTokens: number;
      outputTokens: number;
      cachedTokens: number;
      costUsd: number;
      subtype: string;
      isError: boolean;
      errors: string[];
    }
  | { kind: "stderr"; ts: string; text: string }
  | { kind: "system"; ts: string; text: string }
  | { kind: "stdout"; ts: string; text: string };

export type StdoutLineParser = (line: string, ts: string) => TranscriptEntry[];

/** Stateful variant: remembers tool_use ids so tool_result entries carry the tool's name. */
export interface StdoutParser {
  parseLine: StdoutLineParser;
  reset(): void;
}

/** Prefix of the status lines our adapter writes into the run's stdout. */
export const CLIPJOB_LINE_PREFIX = "[clipjob] ";
const SYSTEM_PREFIXES = ["[clipjob]", "[paperclip]"];

type Rec = JsonObject;

interface ParseState {
  toolNames: Map<string, string>;
}
const MAX_REMEMBERED_TOOLS = 2000;

const asRecord = asJsonObject;
function str(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}
function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

function errorText(value: unknown): string {
  if (typeof value === "string") return value;
  const rec = asRecord(value);
  if (!rec) return "";
  const msg = str(rec.message) || str(rec.error) || str(rec.code);
  return msg || safeStringify(rec);
}

// Plain-text lines the Claude CLI / Node / npm print on stderr (the container log merges both streams).
const STDERR_PATTERNS: RegExp[] = [
  /^(?:[A-Za-z]*Error|error|ERROR|fatal|FATAL|panic)(?: \[[^\]]+\])?:/, // "Error: x", "TypeError: x", "Error [ERR_X]: x"
  /^Traceback \(most recent call last\)/,
  /^\(node:\d+\) /, // "(node:1) Warning: ..."
  /^(?:Warning|WARNING|WARN|warn):/,
  /^npm (?:ERR|WARN)!/,
  /^at\s.+(?::\d+:\d+\)?|\((?:<anonymous>|native)\))$/, // stack frames
  /^node:internal\//,
];

function plainText(line: string, trimmed: string, ts: string): TranscriptEntry[] {
  for (const prefix of SYSTEM_PREFIXES) {
    if (trimmed.startsWith(prefix)) {
      const text = trimmed.slice(prefix.length).trim();
      return text ? [{ kind: "system", ts, text }] : [];
    }
  }
  if (STDERR_PATTERNS.some((re) => re.test(trimmed))) return [{ kind: "stderr", ts, text: line }];
  return [{ kind: "stdout", ts, text: line }];
}

function formatScalar(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** "<subtype>: k=v k=v" from the scalar fields of a system event (ids and bookkeeping dropped). */
function describeSystem(event: Rec): string {
  const subtype = str(event.subtype, "system");
  if (subtype === "api_retry") return describeApiRetry(apiRetryNotice(event));
  if (subtype === "status") {
    const compaction = compactionStatus(event);
    if (compaction.result) return `compaction ${compaction.result}${compaction.error ? ` (${compaction.error})` : ""}`;
    if (compaction.status === "compacting") return "compacting the conversation…";
  }
  if (subtype === "compact_boundary") {
    const meta = asRecord(event.compact_metadata) ?? {};
    const details = [
      formatScalar(meta.trigger) !== null ? `trigger=${formatScalar(meta.trigger)}` : "",
      formatScalar(meta.pre_tokens) !== null ? `pre_tokens=${formatScalar(meta.pre_tokens)}` : "",
    ].filter(Boolean);
    return `context compacted${details.length ? ` (${details.join(" ")})` : ""}`;
  }
  const message = str(event.message) || str(event.content) || str(event.text);
  const skip = new Set(["type", "subtype", "session_id", "uuid", "parent_tool_use_id", "message", "content", "text"]);
  const parts: string[] = [];
  for (const key of Object.keys(event)) {
    if (skip.has(key)) continue;
    const v = formatScalar(event[key]);
    if (v !== null && v !== "") parts.push(`${key}=${v.length > 200 ? `${v.slice(0, 197)}...` : v}`);
  }
  const tail = [message, parts.join(" ")].filter(Boolean).join(" ");
  return tail ? `${subtype}: ${tail}` : subtype;
}

function isoFromEpoch(value: unknown): string | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) return null;
  const ms = n > 1e12 ? n : n * 1000; // Claude reports seconds; accept milliseconds too
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function describeRateLimit(event: Rec): string {
  const info = rateLimitInfo(event);
  const type = str(info.rateLimitType) || str(info.rate_limit_type) || "unknown";
  const status = str(info.status) || "unknown";
  const resets = isoFromEpoch(info.resetsAt ?? info.resets_at);
  let text = `rate limit: type=${type} status=${status}`;
  if (resets) text += ` resets=${resets}`;
  const utilization = info.utilization;
  if (typeof utilization === "number" && Number.isFinite(utilization)) text += ` utilization=${utilization}`;
  const overage = str(info.overageStatus);
  if (overage) text += ` overage=${overage}`;
  return text;
}

function toolResultContent(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? "" : safeStringify(content);
  const parts: string[] = [];
  for (const part of content) {
    const p = asRecord(part);
    if (!p) continue;
    if (typeof p.text === "string") parts.push(p.text);
    else if (typeof p.type === "string") parts.push(`[${p.type}]`);
  }
  return parts.join("\n");
}

function parseAssistant(event: Rec, line: string, ts: string, state: ParseState | null): TranscriptEntry[] {
  const message = eventMessage(event);
  const entries: TranscriptEntry[] = [];
  // The CLI's own notice of a failed API call (model "<synthetic>"): an error, not something Claude said.
  const apiError = syntheticApiError(event);
  if (apiError) {
    const status = apiError.status === null ? "" : ` ${apiError.status}`;
    const kind = apiError.errorType ?? apiError.apiError ?? apiError.error;
    return [{ kind: "stderr", ts, text: `API error${status}${kind ? ` ${kind}` : ""}: ${apiError.texts.filter(Boolean).join(" ") || "(no message)"}` }];
  }
  if (typeof message.content === "string") {
    if (message.content) entries.push({ kind: "assistant", ts, text: message.content });
  }
  for (const block of contentBlocks(event)) {
    if (block.type === "text") {
      if (block.text) entries.push({ kind: "assistant", ts, text: block.text });
    } else if (block.type === "thinking") {
      if (block.thinking) entries.push({ kind: "thinking", ts, text: block.thinking });
    } else if (block.type === "tool_use" || block.type === "server_tool_use" || block.type === "mcp_tool_use") {
      const name = block.name ?? "unknown";
      const toolUseId = block.id ?? undefined;
      if (state && toolUseId) {
        if (state.toolNames.size >= MAX_REMEMBERED_TOOLS) state.toolNames.delete(state.toolNames.keys().next().value as string);
        state.toolNames.set(toolUseId, name);
      }
      entries.push({ kind: "tool_call", ts, name, toolUseId, input: block.input ?? {} });
    }
  }
  return entries.length > 0 ? entries : [{ kind: "stdout", ts, text: line }];
}

function parseUser(event: Rec, line: string, ts: string, state: ParseState | null): TranscriptEntry[] {
  const message = eventMessage(event);
  const entries: TranscriptEntry[] = [];
  if (typeof message.content === "string") {
    if (message.content) entries.push({ kind: "user", ts, text: message.content });
  }
  for (const block of contentBlocks(event)) {
    if (block.type === "text") {
      if (block.text) entries.push({ kind: "user", ts, text: block.text });
    } else if (block.type === "tool_result") {
      const toolUseId = block.toolUseId ?? "";
      const entry: TranscriptEntry = { kind: "tool_result", ts, toolUseId, content: toolResultContent(block.content), isError: block.isError };
      const toolName = state && toolUseId ? state.toolNames.get(toolUseId) : undefined;
      if (toolName) entry.toolName = toolName;
      entries.push(entry);
    }
  }
  return entries.length > 0 ? entries : [{ kind: "stdout", ts, text: line }];
}

function parseResult(event: Rec, ts: string): TranscriptEntry[] {
  const usage = asRecord(event.usage) ?? {};
  return [
    {
      kind: "result",
      ts,
      text: str(event.result),
      inputTokens: num(usage.input_tokens),
      outputTokens: num(usage.output_tokens),
      cachedTokens: num(usage.cache_read_input_tokens),
      costUsd: resultRunCostUsd(event) ?? 0,
      subtype: str(event.subtype),
      isError: event.is_error === true,
      errors: Array.isArray(event.errors) ? event.errors.map(errorText).filter(Boolean) : [],
    },
  ];
}

function parse(line: string, ts: string, state: ParseState | null): TranscriptEntry[] {
  const text = typeof line === "string" ? line : String(line ?? "");
  const trimmed = text.trim();
  if (!trimmed) return [];
  if (trimmed[0] !== "{") return plainText(text, trimmed, ts);
  const event = parseStreamJsonEvent(trimmed);
  if (!event) return plainText(text, trimmed, ts);

  switch (event.type) {
    case "system":
      if (event.subtype === "init") {
        return [{ kind: "init", ts, model: str(event.model) || "unknown", sessionId: str(event.session_id) }];
      }
      return [{ kind: "system", ts, text: describeSystem(event) }];
    case "assistant":
      return parseAssistant(event, text, ts, state);
    case "user":
      return parseUser(event, text, ts, state);
    case "result":
      return parseResult(event, ts);
    case "rate_limit_event":
      return [{ kind: "system", ts, text: describeRateLimit(event) }];
    case "stream_event":
      return [];
    case "error": {
      const msg = errorText(event.error) || errorText(event.message) || text;
      return [{ kind: "stderr", ts, text: msg }];
    }
    default:
      return [{ kind: "stdout", ts, text }];
  }
}

function guarded(line: string, ts: string, state: ParseState | null): TranscriptEntry[] {
  try {
    return parse(line, ts, state);
  } catch {
    return [{ kind: "stdout", ts, text: String(line) }];
  }
}

/** Stateless parser: what the Paperclip UI calls for every stdout line. Never throws. */
export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  return guarded(line, ts, null);
}

/** Stateful parser for sequential consumers: adds `toolName` to tool_result entries. */
export function createStdoutParser(): StdoutParser {
  const state: ParseState = { toolNames: new Map() };
  return {
    parseLine: (line, ts) => guarded(line, ts, state),
    reset: () => state.toolNames.clear(),
  };
}
