// Builders for Claude Code's `--output-format stream-json` events, shaped like the real CLI's output.
import type { ProgramContext } from "./program.js";

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export const DEFAULT_MODEL = "claude-sonnet-4-5-20250929";
export const TOOLS = ["Task", "Bash", "Glob", "Grep", "Read", "Edit", "Write", "WebFetch", "TodoWrite"];

/** Reads `--flag value` from Claude's argv. */
export function argValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

function hex(ctx: ProgramContext, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(ctx.random() * 16).toString(16);
  return s;
}

function base62(ctx: ProgramContext, n: number): string {
  const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  for (let i = 0; i < n; i++) s += a[Math.floor(ctx.random() * a.length)];
  return s;
}

export function newSessionId(ctx: ProgramContext): string {
  return `${hex(ctx, 8)}-${hex(ctx, 4)}-4${hex(ctx, 3)}-a${hex(ctx, 3)}-${hex(ctx, 12)}`;
}

/** One Claude session's transcript writer: keeps ids, usage and turn counts consistent across events. */
export class Transcript {
  readonly model: string;
  private turns = 0;
  private readonly total: Usage = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
  private readonly startedAt: number;

  constructor(
    private readonly ctx: ProgramContext,
    readonly sessionId: string,
  ) {
    this.model = argValue(ctx.argv, "--model") ?? DEFAULT_MODEL;
    this.startedAt = ctx.now();
  }

  emit(event: Record<string, unknown>): void {
    this.ctx.stdout(JSON.stringify(event));
  }

  init(): void {
    this.emit({
      type: "system",
      subtype: "init",
      cwd: this.ctx.env["PWD"] ?? "/paperclip",
      session_id: this.sessionId,
      tools: TOOLS,
      mcp_servers: [],
      model: this.model,
      permissionMode: argValue(this.ctx.argv, "--permission-mode") ?? "bypassPermissions",
      slash_commands: ["compact", "context", "cost", "init", "review"],
      apiKeySource: "none",
      claude_code_version: "2.0.14",
      output_style: "default",
      agents: ["general-purpose"],
      uuid: this.uuid(),
    });
  }

  assistant(content: ContentBlock[], opts: { outputTokens?: number; stopReason?: string | null } = {}): void {
    this.turns++;
    const usage: Usage = {
      input_tokens: 4 + Math.floor(this.ctx.random() * 20),
      cache_creation_input_tokens: this.turns === 1 ? 1800 + Math.floor(this.ctx.random() * 400) : Math.floor(this.ctx.random() * 300),
      cache_read_input_tokens: this.turns === 1 ? 11000 : 12000 + this.turns * 500,
      output_tokens: opts.outputTokens ?? 20 + Math.floor(this.ctx.random() * 200),
    };
    this.add(usage);
    this.emit({
      type: "assistant",
      message: {
        id: `msg_01${base62(this.ctx, 22)}`,
        type: "message",
        role: "assistant",
        model: this.model,
        content,
        stop_reason: opts.stopReason === undefined ? null : opts.stopReason,
        stop_sequence: null,
        usage: { ...usage, service_tier: "standard" },
      },
      parent_tool_use_id: null,
      session_id: this.sessionId,
      uuid: this.uuid(),
    });
  }

  toolUseId(): string {
    return `toolu_01${base62(this.ctx, 22)}`;
  }

  toolResult(toolUseId: string, content: string, isError = false): void {
    this.emit({
      type: "user",
      message: { role: "user", content: [{ tool_use_id: toolUseId, type: "tool_result", content, is_error: isError }] },
      parent_tool_use_id: null,
      session_id: this.sessionId,
      uuid: this.uuid(),
    });
  }

  rateLimit(status: "allowed" | "allowed_warning" | "rejected", resetsAtSec: number): void {
    this.emit({
      type: "rate_limit_event",
      rate_limit_info: { status, resetsAt: resetsAtSec, rateLimitType: "five_hour", overageStatus: "rejected", isUsingOverage: false },
      session_id: this.sessionId,
      uuid: this.uuid(),
    });
  }

  result(opts: { subtype?: string; isError?: boolean; text?: string; stopReason?: string | null; errors?: string[] } = {}): void {
    const durationMs = Math.max(1, this.ctx.now() - this.startedAt);
    const cost = (this.total.input_tokens * 3 + this.total.cache_creation_input_tokens * 3.75 + this.total.cache_read_input_tokens * 0.3 + this.total.output_tokens * 15) / 1e6;
    this.emit({
      type: "result",
      subtype: opts.subtype ?? "success",
      is_error: opts.isError ?? false,
      duration_ms: durationMs,
      duration_api_ms: Math.floor(durationMs * 0.8),
      num_turns: this.turns,
      ...(opts.text !== undefined ? { result: opts.text } : {}),
      ...(opts.errors ? { errors: opts.errors } : {}),
      stop_reason: opts.stopReason === undefined ? "end_turn" : opts.stopReason,
      session_id: this.sessionId,
      total_cost_usd: Number(cost.toFixed(6)),
      usage: { ...this.total, server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 }, service_tier: "standard" },
      modelUsage: {
        [this.model]: {
          inputTokens: this.total.input_tokens,
          outputTokens: this.total.output_tokens,
          cacheReadInputTokens: this.total.cache_read_input_tokens,
          cacheCreationInputTokens: this.total.cache_creation_input_tokens,
          webSearchRequests: 0,
          costUSD: Number(cost.toFixed(6)),
          contextWindow: 200000,
        },
      },
      permission_denials: [],
      uuid: this.uuid(),
    });
  }

  get numTurns(): number {
    return this.turns;
  }

  private add(u: Usage): void {
    this.total.input_tokens += u.input_tokens;
    this.total.cache_creation_input_tokens += u.cache_creation_input_tokens;
    this.total.cache_read_input_tokens += u.cache_read_input_tokens;
    this.total.output_tokens += u.output_tokens;
  }

  private uuid(): string {
    return `${hex(this.ctx, 8)}-${hex(this.ctx, 4)}-4${hex(this.ctx, 3)}-8${hex(this.ctx, 3)}-${hex(this.ctx, 12)}`;
  }
}
