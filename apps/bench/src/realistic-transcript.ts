// Stream-json shaped like Claude Code's real output: an init event, then turns of assistant tool calls whose
// tool results carry most of the bytes (file contents, command output), some assistant text, and a result.

import { seededRandom } from "./seeded-random.js";

const SESSION_ID = "3b7e9c1a-52d4-4f6e-9a0b-c2d8e4f61a27";
const MODEL = "claude-sonnet-4-5-20250929";

const SOURCE_LINES = [
  'import { readFile } from "node:fs/promises";',
  "export async function loadConfig(path: string): Promise<Config> {",
  '  const raw = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;',
  "  if (typeof raw[\"name\"] !== \"string\") throw new Error(`bad config: ${path}`);",
  "\treturn { name: raw.name, retries: Number(raw.retries ?? 3) };",
  "}",
  "  ✓ src/queue.test.ts (14 tests) 38ms",
  "npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.",
  "2026-01-01T10:22:31.118Z INFO  worker[3] processed batch id=8812 size=500 elapsed=412ms",
  "    at Object.<anonymous> (/workspace/src/index.ts:42:11) — «unexpected token»",
];

/** Tool output of about `bytes` characters: source files, test runs and logs, with quotes, tabs and non-ASCII. */
function toolOutput(random: () => number, bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = `${SOURCE_LINES[Math.floor(random() * SOURCE_LINES.length)]!} // ${Math.floor(random() * 1e6)}`;
    parts.push(line);
    size += line.length + 1;
  }
  return parts.join("\n");
}

/** Tool-result sizes as seen in real transcripts: mostly small, some file reads, a few huge command outputs. */
function toolResultSize(random: () => number): number {
  const r = random();
  if (r < 0.5) return 200 + Math.floor(random() * 2_000);
  if (r < 0.85) return 4_000 + Math.floor(random() * 28_000);
  if (r < 0.98) return 32_000 + Math.floor(random() * 96_000);
  return 256_000 + Math.floor(random() * 256_000);
}

export interface TranscriptSource {
  /** Lines (no newline) until at least `totalBytes` bytes were produced, ending with a result event. */
  lines(totalBytes: number): Generator<string>;
}

/**
 * The same seed gives the same transcript. Tool results come from a pool of 64 lines, reused as the same
 * string objects: producing a gigabyte costs no gigabyte of generation, and what the fake kubelet retains of
 * them (its 50 MiB rotated log lives in our process, unlike a real node's) is references, not bodies — so the
 * memory bench measures our reader, not the simulated node's disk. Assistant events stay distinct by id.
 */
export function realisticTranscript(seed = 7): TranscriptSource {
  const random = seededRandom(seed);
  const pool = Array.from({ length: 64 }, () => toolOutput(random, toolResultSize(random)));
  return {
    *lines(totalBytes) {
      let bytes = 0;
      const userLines: string[] = [];
      const userBytes: number[] = [];
      const emit = (event: unknown): string => {
        const line = JSON.stringify(event);
        bytes += Buffer.byteLength(line) + 1;
        return line;
      };
      yield emit({ type: "system", subtype: "init", cwd: "/workspace", session_id: SESSION_ID, tools: ["Bash", "Read", "Edit", "Grep"], mcp_servers: [], model: MODEL, permissionMode: "bypassPermissions", apiKeySource: "none", claude_code_version: "2.0.14", uuid: "0c1d2e3f-0000-4000-8000-000000000000" });
      for (let turn = 0; bytes < totalBytes; turn += 1) {
        const toolId = `toolu_01${turn.toString(36).padStart(8, "0")}`;
        const usage = { input_tokens: 3, cache_creation_input_tokens: 512, cache_read_input_tokens: 18_000 + turn, output_tokens: 40 + (turn % 200) };
        yield emit({ type: "assistant", message: { id: `msg_01${turn.toString(36)}`, type: "message", role: "assistant", model: MODEL, content: [{ type: "tool_use", id: toolId, name: "Bash", input: { command: `cat src/module-${turn % 97}.ts`, description: "Read the module" } }], stop_reason: null, stop_sequence: null, usage }, parent_tool_use_id: null, session_id: SESSION_ID, uuid: `a-${turn}` });
        const body = Math.floor(random() * pool.length);
        userLines[body] ??= JSON.stringify({ type: "user", message: { role: "user", content: [{ tool_use_id: `toolu_pool${body}`, type: "tool_result", content: pool[body]!, is_error: false }] }, parent_tool_use_id: null, session_id: SESSION_ID, uuid: `u-pool-${body}` });
        userBytes[body] ??= Buffer.byteLength(userLines[body]) + 1;
        bytes += userBytes[body];
        yield userLines[body];
        if (turn % 5 === 4) {
          yield emit({ type: "assistant", message: { id: `msg_02${turn.toString(36)}`, type: "message", role: "assistant", model: MODEL, content: [{ type: "text", text: `Step ${turn}: the module reads its config and retries three times; next I check the queue worker.` }], stop_reason: "end_turn", stop_sequence: null, usage }, parent_tool_use_id: null, session_id: SESSION_ID, uuid: `t-${turn}` });
        }
      }
      yield emit({ type: "result", subtype: "success", is_error: false, duration_ms: 812_345, duration_api_ms: 640_000, num_turns: 120, result: "Done: the config loader now validates its input and the tests pass.", session_id: SESSION_ID, total_cost_usd: 2.4183, usage: { input_tokens: 1200, cache_creation_input_tokens: 40_000, cache_read_input_tokens: 2_400_000, output_tokens: 31_000 }, permission_denials: [], uuid: "r-1" });
    },
  };
}

/** The transcript as one byte buffer, lines ending in "\n", as a pod log carries it. */
export function transcriptBuffer(source: TranscriptSource, totalBytes: number): Buffer {
  const lines = [...source.lines(totalBytes)];
  const size = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const line of lines) {
    offset += buffer.write(line, offset, "utf8");
    buffer[offset++] = 0x0a;
  }
  return buffer;
}
