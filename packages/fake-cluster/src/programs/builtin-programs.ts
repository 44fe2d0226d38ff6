// The built-in scripted Claude processes. Each is a realistic stream-json transcript over virtual time.
import { ContainerStartError, type Program, type ProgramContext } from "./program.js";
import { argValue, newSessionId, Transcript } from "./stream-json.js";

/**
 * Starts a session the way the CLI does: `--resume <id>` continues a known session or fails with the CLI's
 * "No conversation found" result (exit 1); otherwise a new session id is minted.
 */
function beginSession(ctx: ProgramContext): Transcript | null {
  const resume = argValue(ctx.argv, "--resume");
  if (resume !== undefined && !ctx.sessions.has(resume)) {
    const t = new Transcript(ctx, newSessionId(ctx));
    const message = `No conversation found with session ID: ${resume}`;
    t.result({ subtype: "error_during_execution", isError: true, text: message, errors: [message], stopReason: null });
    return null;
  }
  const id = resume ?? newSessionId(ctx);
  ctx.sessions.add(id);
  return new Transcript(ctx, id);
}

function firstWords(prompt: string): string {
  const words = prompt.trim().split(/\s+/).slice(0, 8).join(" ");
  return words.length > 0 ? words : "(empty prompt)";
}

/** A short but complete agent turn: thinking, a Bash tool call and its result, a final answer. */
async function workOnTask(ctx: ProgramContext, t: Transcript): Promise<string> {
  await ctx.sleep(900);
  t.assistant([{ type: "thinking", thinking: `The task is: ${firstWords(ctx.prompt)}. I should inspect the workspace first.`, signature: "EqQBCkYIBxgCKkA" }]);
  await ctx.sleep(1100);
  const toolId = t.toolUseId();
  t.assistant(
    [
      { type: "text", text: "Let me look at the workspace." },
      { type: "tool_use", id: toolId, name: "Bash", input: { command: "ls -la", description: "List workspace files" } },
    ],
    { stopReason: "tool_use" },
  );
  await ctx.sleep(400);
  t.toolResult(toolId, "total 12\ndrwxr-xr-x 3 node node 4096 Jan  1 00:00 .\n-rw-r--r-- 1 node node  220 Jan  1 00:00 README.md");
  await ctx.sleep(1500);
  const answer = `Done: ${firstWords(ctx.prompt)}`;
  t.assistant([{ type: "text", text: answer }], { stopReason: "end_turn" });
  return answer;
}

const success: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  const answer = await workOnTask(ctx, t);
  await ctx.sleep(100);
  t.result({ text: answer });
  return 0;
};

/** Default 50 MB of tool output (SIM_OUTPUT_BYTES overrides), in 64 KiB tool results, then success. */
const hugeOutput: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  const total = Number(ctx.env["SIM_OUTPUT_BYTES"] ?? 50 * 1024 * 1024);
  const chunk = "x".repeat(64 * 1024 - 200);
  let written = 0;
  while (written < total) {
    const id = t.toolUseId();
    t.assistant([{ type: "tool_use", id, name: "Read", input: { file_path: `/paperclip/data/part-${written}.log` } }], { stopReason: "tool_use" });
    t.toolResult(id, chunk);
    written += chunk.length + 600;
    await ctx.sleep(5);
  }
  t.assistant([{ type: "text", text: `Read ${written} bytes.` }], { stopReason: "end_turn" });
  t.result({ text: `Read ${written} bytes.` });
  return 0;
};

/** Killed mid-stream: the last line is a JSON event cut in half, and the exit is SIGKILL's 137. */
const truncated: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  await ctx.sleep(1000);
  t.assistant([{ type: "text", text: "I will refactor the module in three steps." }]);
  await ctx.sleep(1000);
  ctx.stdout(`{"type":"assistant","message":{"id":"msg_01Trunc","type":"message","role":"assistant","model":"${t.model}","content":[{"type":"text","text":"Step one: rena`);
  return 137;
};

const initOnly: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  await ctx.sleep(300);
  return 1;
};

const authRequired: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  await ctx.sleep(400);
  const text = "Invalid API key · Please run /login";
  t.assistant([{ type: "text", text }], { outputTokens: 0, stopReason: "stop_sequence" });
  t.result({ isError: true, text });
  return 1;
};

/** Always resumes a session nobody knows. */
const staleSession: Program = async (ctx) => {
  const resume = argValue(ctx.argv, "--resume") ?? "00000000-0000-4000-8000-000000000000";
  const t = new Transcript(ctx, newSessionId(ctx));
  await ctx.sleep(200);
  const message = `No conversation found with session ID: ${resume}`;
  t.result({ subtype: "error_during_execution", isError: true, text: message, errors: [message], stopReason: null });
  return 1;
};

const maxTurns: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  const limit = Number(argValue(ctx.argv, "--max-turns") ?? 3);
  for (let i = 0; i < limit; i++) {
    await ctx.sleep(700);
    const id = t.toolUseId();
    t.assistant([{ type: "tool_use", id, name: "Grep", input: { pattern: `TODO-${i}` } }], { stopReason: "tool_use" });
    await ctx.sleep(200);
    t.toolResult(id, `src/file-${i}.ts:1: TODO-${i}`);
  }
  t.result({ subtype: "error_max_turns", isError: true, stopReason: "tool_use" });
  return 1;
};

/** A degraded upstream: one assistant message with stop_reason null and 0 output tokens, then death, no result. */
const emptyResponse: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  await ctx.sleep(1500);
  t.assistant([], { outputTokens: 0, stopReason: null });
  await ctx.sleep(100);
  return 1;
};

const rateLimited: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  await ctx.sleep(600);
  const resetsAt = Math.floor(ctx.now() / 1000) + 2 * 3600;
  t.rateLimit("rejected", resetsAt);
  await ctx.sleep(50);
  const text = `Claude AI usage limit reached|${resetsAt}`;
  t.assistant([{ type: "text", text }], { outputTokens: 0, stopReason: "stop_sequence" });
  t.result({ isError: true, text });
  return 1;
};

/** Ten silent minutes after init (a long think), then a normal success. */
const silentThenSuccess: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  await ctx.sleep(10 * 60_000);
  const answer = await workOnTask(ctx, t);
  t.result({ text: answer });
  return 0;
};

/** Writes its result, then never exits (a stuck MCP server keeps the process alive). */
const hangAfterResult: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  const answer = await workOnTask(ctx, t);
  t.result({ text: answer });
  await ctx.sleep(Number.POSITIVE_INFINITY);
  return 0;
};

const stderrNoise: Program = async (ctx) => {
  ctx.stderr("(node:7) ExperimentalWarning: CommonJS module loading is experimental");
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  ctx.stderr("npm notice New minor version of npm available!");
  await ctx.sleep(500);
  ctx.stderr("[mcp] server 'paperclip' connected");
  const answer = await workOnTask(ctx, t);
  ctx.stderr("warning: telemetry upload failed: ECONNREFUSED");
  t.result({ text: answer });
  return 0;
};

/** Grows until the kernel's OOM killer ends it (exit 137, OOMKilled). */
const oom: Program = async (ctx) => {
  const t = beginSession(ctx);
  if (!t) return 1;
  t.init();
  await ctx.sleep(500);
  t.assistant([{ type: "text", text: "Loading the whole repository into memory." }]);
  for (;;) {
    await ctx.sleep(100);
    ctx.allocate(512 * 1024 * 1024);
  }
};

/** The behaviour the contract driver asks for, as JSON in SIM_SCRIPT (see ScriptBehaviour). */
export interface ScriptBehaviour {
  readonly lines?: readonly string[];
  readonly stderrLines?: readonly string[];
  /** Raw writes at a time after the start (pieces of lines, several lines at once). */
  readonly writes?: readonly { readonly atMs: number; readonly stream?: "stdout" | "stderr"; readonly data: string }[];
  readonly exitCode?: number;
  readonly runMs?: number;
  /** Allocate this many bytes halfway through (OOM when above the limit). */
  readonly allocateBytes?: number;
  /** Trap SIGTERM and keep running (the kubelet SIGKILLs after the grace period). */
  readonly ignoreSigterm?: boolean;
}

export const SCRIPT_ENV = "SIM_SCRIPT";

const script: Program = async (ctx) => {
  const b = JSON.parse(ctx.env[SCRIPT_ENV] ?? "{}") as ScriptBehaviour;
  const runMs = b.runMs ?? 1000;
  if (b.ignoreSigterm) ctx.onSigterm(() => undefined);
  const out = (b.lines ?? []).map((text, i, all) => ({ at: ((i + 1) * runMs) / (all.length + 1), text, err: false, raw: false }));
  const err = (b.stderrLines ?? []).map((text, i, all) => ({ at: ((i + 1) * runMs) / (all.length + 1) + 0.5, text, err: true, raw: false }));
  const raw = (b.writes ?? []).map((w) => ({ at: w.atMs, text: w.data, err: w.stream === "stderr", raw: true }));
  const events = [...out, ...err, ...raw].sort((a, c) => a.at - c.at);
  const start = ctx.now();
  let allocated = b.allocateBytes === undefined;
  for (const e of events) {
    const wait = Math.floor(start + e.at - ctx.now());
    if (wait > 0) await ctx.sleep(wait);
    if (!allocated && ctx.now() - start >= runMs / 2) {
      allocated = true;
      ctx.allocate(b.allocateBytes ?? 0);
    }
    if (e.raw) ctx.write(e.err ? "stderr" : "stdout", e.text);
    else if (e.err) ctx.stderr(e.text);
    else ctx.stdout(e.text);
  }
  const rest = start + runMs - ctx.now();
  if (!allocated) {
    if (rest > 1) await ctx.sleep(Math.floor(rest / 2));
    ctx.allocate(b.allocateBytes ?? 0);
  }
  const left = start + runMs - ctx.now();
  if (left > 0) await ctx.sleep(left);
  return b.exitCode ?? 0;
};

/** An image without `sh`: containerd cannot start the Job's command (the real runtime's StartError, exit 128). */
const noShell: Program = async () => {
  throw new ContainerStartError(
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown',
  );
};

/** An image whose PATH has no `claude`: `sh` says so and exits 127, as dash does. */
const claudeMissing: Program = async (ctx) => {
  ctx.stderr("sh: 1: exec: claude: not found");
  return 127;
};

export const PROGRAMS: Readonly<Record<string, Program>> = Object.freeze({
  success,
  "huge-output": hugeOutput,
  truncated,
  "init-only": initOnly,
  "auth-required": authRequired,
  "stale-session": staleSession,
  "max-turns": maxTurns,
  "empty-response": emptyResponse,
  "rate-limited": rateLimited,
  "silent-then-success": silentThenSuccess,
  "hang-after-result": hangAfterResult,
  "stderr-noise": stderrNoise,
  oom,
  script,
  "no-shell": noShell,
  "claude-missing": claudeMissing,
});
