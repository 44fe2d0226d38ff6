// Recorded-style Claude Code `--output-format stream-json --verbose` transcripts, shaped like what the CLI
// writes (one JSON event per line, stderr interleaved as plain text). Shared by core's tests and by the
// fake cluster's scripted containers. `exitCode` is what the claude process exits with.

export interface TranscriptFixture {
  readonly name: string;
  readonly lines: readonly string[];
  readonly exitCode: number;
}

export const FIXTURE_SESSION_ID = "5f0c1a2e-8d3b-4c55-9a61-0d2f7e9b1c44";
export const FIXTURE_MODEL = "claude-sonnet-4-5-20250929";

const line = (event: Record<string, unknown>): string => JSON.stringify(event);

const init = (sessionId = FIXTURE_SESSION_ID): string =>
  line({
    type: "system",
    subtype: "init",
    cwd: "/paperclip/workspace",
    session_id: sessionId,
    tools: ["Bash", "Read", "Edit", "Write"],
    mcp_servers: [],
    model: FIXTURE_MODEL,
    permissionMode: "bypassPermissions",
    apiKeySource: "ANTHROPIC_API_KEY",
    uuid: "0b7d2c1e-0000-4000-8000-000000000001",
  });

const assistant = (
  messageId: string,
  content: readonly Record<string, unknown>[],
  opts: { outputTokens?: number; stopReason?: string | null; uuid: string; model?: string },
): string =>
  line({
    type: "assistant",
    message: {
      id: messageId,
      type: "message",
      role: "assistant",
      model: opts.model ?? FIXTURE_MODEL,
      content,
      stop_reason: opts.stopReason === undefined ? null : opts.stopReason,
      stop_sequence: null,
      usage: {
        input_tokens: 4,
        cache_creation_input_tokens: 1200,
        cache_read_input_tokens: 14000,
        output_tokens: opts.outputTokens ?? 1,
      },
    },
    parent_tool_use_id: null,
    session_id: FIXTURE_SESSION_ID,
    uuid: opts.uuid,
  });

const toolResult = (toolUseId: string, text: string, uuid: string): string =>
  line({
    type: "user",
    message: { role: "user", content: [{ tool_use_id: toolUseId, type: "tool_result", content: text, is_error: false }] },
    parent_tool_use_id: null,
    session_id: FIXTURE_SESSION_ID,
    uuid,
  });

const result = (fields: Record<string, unknown>): string =>
  line({
    type: "result",
    subtype: "success",
    is_error: false,
    duration_ms: 18234,
    duration_api_ms: 16011,
    num_turns: 3,
    result: "",
    session_id: FIXTURE_SESSION_ID,
    total_cost_usd: 0.0421,
    usage: { input_tokens: 12, cache_creation_input_tokens: 1200, cache_read_input_tokens: 28000, output_tokens: 310 },
    permission_denials: [],
    uuid: "0b7d2c1e-0000-4000-8000-0000000000ff",
    ...fields,
  });

export const SUCCESS_WITH_TOOL_USE: TranscriptFixture = {
  name: "success with tool use",
  exitCode: 0,
  lines: [
    init(),
    assistant("msg_01A", [{ type: "text", text: "I'll check the failing test first." }], { uuid: "u-a1" }),
    assistant(
      "msg_01A",
      [{ type: "tool_use", id: "toolu_01", name: "Bash", input: { command: "pnpm test -- parser" } }],
      { uuid: "u-a2", outputTokens: 96, stopReason: "tool_use" },
    ),
    toolResult("toolu_01", "FAIL src/parser.test.ts\n  ✕ keeps “quoted” text (3 ms)\n\n1 failed, 41 passed", "u-u1"),
    assistant("msg_01B", [{ type: "text", text: "The quote handling drops the closing “. Fixing it." }], {
      uuid: "u-a3",
      outputTokens: 120,
      stopReason: "end_turn",
    }),
    result({
      result: "Fixed the parser: closing quotes are kept; all 42 tests pass.",
      modelUsage: {
        [FIXTURE_MODEL]: {
          inputTokens: 12,
          outputTokens: 310,
          cacheReadInputTokens: 28000,
          cacheCreationInputTokens: 1200,
          costUSD: 0.0402,
        },
        "claude-haiku-4-5-20251001": {
          inputTokens: 300,
          outputTokens: 40,
          cacheReadInputTokens: 0,
          cacheCreationInputTokens: 0,
          costUSD: 0.0019,
        },
      },
    }),
  ],
};

/** The pod was killed mid-answer: content, no result. */
export const TRUNCATED: TranscriptFixture = {
  name: "truncated mid-stream",
  exitCode: 137,
  lines: [
    init(),
    assistant("msg_02A", [{ type: "text", text: "Refactoring the scheduler now; this touches 14 files." }], {
      uuid: "u-b1",
      outputTokens: 58,
    }),
    assistant(
      "msg_02A",
      [{ type: "tool_use", id: "toolu_02", name: "Edit", input: { file_path: "src/scheduler.ts" } }],
      { uuid: "u-b2", outputTokens: 211, stopReason: "tool_use" },
    ),
  ],
};

/** Claude printed its init event and exited 1 without a word (unsupported model, rejected session…). */
export const INIT_ONLY_EXIT_1: TranscriptFixture = {
  name: "init only, exit 1",
  exitCode: 1,
  lines: [init()],
};

export const AUTH_REQUIRED: TranscriptFixture = {
  name: "auth required",
  exitCode: 1,
  lines: [
    init(),
    assistant("msg_03A", [{ type: "text", text: "Invalid API key · Please run /login" }], {
      uuid: "u-c1",
      outputTokens: 0,
      stopReason: "stop_sequence",
      model: "<synthetic>",
    }),
    result({
      is_error: true,
      num_turns: 1,
      result: "Invalid API key · Please run /login. Visit https://claude.ai/oauth/authorize?code=true to sign in.",
      total_cost_usd: 0,
      usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
    }),
  ],
};

export const STALE_SESSION_ID = "9d1e7b00-5c2a-4e6b-8f00-1a2b3c4d5e6f";

/** `--resume` of a session the volume no longer has. */
export const STALE_SESSION: TranscriptFixture = {
  name: "stale session",
  exitCode: 1,
  lines: [
    result({
      subtype: "error_during_execution",
      is_error: true,
      num_turns: 0,
      result: undefined,
      session_id: STALE_SESSION_ID,
      total_cost_usd: 0,
      errors: [`No conversation found with session ID: ${STALE_SESSION_ID}`],
      usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
    }),
  ],
};

export const MAX_TURNS: TranscriptFixture = {
  name: "max turns",
  exitCode: 1,
  lines: [
    init(),
    assistant("msg_04A", [{ type: "tool_use", id: "toolu_04", name: "Read", input: { file_path: "README.md" } }], {
      uuid: "u-d1",
      outputTokens: 40,
      stopReason: "tool_use",
    }),
    toolResult("toolu_04", "# clipjob\n…", "u-d2"),
    result({ subtype: "error_max_turns", is_error: true, num_turns: 2, result: undefined, stop_reason: "max_turns" }),
  ],
};

/** A degraded upstream answered with nothing (stop_reason null, 0 output tokens) and the CLI gave up. */
export const EMPTY_LLM_RESPONSE: TranscriptFixture = {
  name: "empty LLM response",
  exitCode: 1,
  lines: [
    init(),
    assistant("msg_05A", [], { uuid: "u-e1", outputTokens: 0, stopReason: null }),
    "Error: The model returned an empty response",
  ],
};

export const RATE_LIMIT_RESETS_AT_EPOCH_S = 1_767_225_600; // 2026-01-01T00:00:00Z

export const RATE_LIMITED: TranscriptFixture = {
  name: "rate limited",
  exitCode: 1,
  lines: [
    init(),
    line({
      type: "rate_limit_event",
      rate_limit_info: { status: "rejected", resetsAt: RATE_LIMIT_RESETS_AT_EPOCH_S, rateLimitType: "five_hour" },
      session_id: FIXTURE_SESSION_ID,
      uuid: "u-f1",
    }),
    assistant("msg_06A", [{ type: "text", text: "Claude AI usage limit reached|1767225600" }], {
      uuid: "u-f2",
      outputTokens: 0,
      stopReason: "stop_sequence",
      model: "<synthetic>",
    }),
    result({ is_error: true, num_turns: 1, result: "Claude AI usage limit reached|1767225600", total_cost_usd: 0 }),
  ],
};

export const ALL_FIXTURES: readonly TranscriptFixture[] = [
  SUCCESS_WITH_TOOL_USE,
  TRUNCATED,
  INIT_ONLY_EXIT_1,
  AUTH_REQUIRED,
  STALE_SESSION,
  MAX_TURNS,
  EMPTY_LLM_RESPONSE,
  RATE_LIMITED,
];

/** The fixture as the container's stdout bytes would read. */
export function fixtureText(fixture: TranscriptFixture): string {
  return `${fixture.lines.join("\n")}\n`;
}
