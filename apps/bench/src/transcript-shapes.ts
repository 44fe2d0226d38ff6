// Transcript shapes for the parser bench. Each is Claude Code stream-json as the CLI writes it with
// `--output-format stream-json --verbose` (one JSON event per line, `type` first), seeded, built to a size.
// They differ where a reader's cost differs: the share of ASCII, the number of lines per megabyte, and the
// length of the longest lines.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { realisticTranscript, transcriptBuffer } from "./realistic-transcript.js";
import { seededRandom } from "./seeded-random.js";

const SESSION_ID = "7a41c0de-93b2-4f1e-8c55-0e6d2b9f4a13";
const MODEL = "claude-sonnet-4-5-20250929";

export interface TranscriptShape {
  /** Short id used on the command line and in tables. */
  readonly id: string;
  readonly label: string;
  /** What the lines look like (shown under the table). */
  readonly description: string;
  /** The transcript, about `bytes` long, lines ending in "\n"; `null` when its source is not in this checkout. */
  build(bytes: number): Buffer | null;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Lines until `totalBytes`, then a result event; framing shared by the generated shapes. */
function assemble(totalBytes: number, turn: (i: number, emit: (event: unknown) => void) => void): Buffer {
  const lines: string[] = [];
  let bytes = 0;
  const emit = (event: unknown): void => {
    const line = JSON.stringify(event);
    lines.push(line);
    bytes += Buffer.byteLength(line) + 1;
  };
  emit(initEvent());
  for (let i = 0; bytes < totalBytes; i++) turn(i, emit);
  emit(resultEvent());
  return joinLines(lines);
}

function joinLines(lines: readonly string[]): Buffer {
  const size = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const line of lines) {
    offset += buffer.write(line, offset, "utf8");
    buffer[offset++] = 0x0a;
  }
  return buffer;
}

function initEvent(): unknown {
  return { type: "system", subtype: "init", cwd: "/workspace", session_id: SESSION_ID, tools: ["Bash", "Read", "Edit", "Grep", "WebFetch"], mcp_servers: [], model: MODEL, permissionMode: "bypassPermissions", apiKeySource: "none", claude_code_version: "2.0.14", uuid: "1f2e3d4c-0000-4000-8000-000000000001" };
}

function resultEvent(): unknown {
  return { type: "result", subtype: "success", is_error: false, duration_ms: 912_004, duration_api_ms: 700_120, num_turns: 140, result: "Готово: 配置加载器现在会校验输入, tests pass ✅", session_id: SESSION_ID, total_cost_usd: 3.1021, usage: { input_tokens: 1500, cache_creation_input_tokens: 52_000, cache_read_input_tokens: 3_100_000, output_tokens: 41_000 }, permission_denials: [], uuid: "1f2e3d4c-0000-4000-8000-00000000ffff" };
}

function usage(i: number): unknown {
  return { input_tokens: 4, cache_creation_input_tokens: 640, cache_read_input_tokens: 21_000 + i, output_tokens: 30 + (i % 300) };
}

function assistant(i: number, suffix: string, content: unknown[], stopReason: string | null): unknown {
  return { type: "assistant", message: { id: `msg_01${i.toString(36)}${suffix}`, type: "message", role: "assistant", model: MODEL, content, stop_reason: stopReason, stop_sequence: null, usage: usage(i) }, parent_tool_use_id: null, session_id: SESSION_ID, uuid: `as-${i}-${suffix}` };
}

function toolUse(i: number, command: string): unknown {
  return { type: "tool_use", id: `toolu_01${i.toString(36).padStart(8, "0")}`, name: "Bash", input: { command, description: "Run it" } };
}

function toolResult(i: number, content: string): unknown {
  return { type: "user", message: { role: "user", content: [{ tool_use_id: `toolu_01${i.toString(36).padStart(8, "0")}`, type: "tool_result", content, is_error: false }] }, parent_tool_use_id: null, session_id: SESSION_ID, uuid: `us-${i}` };
}

// Text as non-English users and their tools produce it: Chinese and Japanese docs, Russian logs, emoji-rich
// chat exports, Greek and Korean comments. Several scripts so both 2- and 3-byte characters (and 4-byte
// emoji, surrogate pairs in UTF-16) are common.
const NON_ASCII_LINES = [
  "配置文件解析失败：第 42 行缺少右括号，请检查 config.yaml 的缩进。",
  "ОШИБКА: не удалось подключиться к базе данных «orders» — повтор через 5 секунд",
  "テストを実行しています… 14 件成功、0 件失敗（38 ミリ秒）",
  "✅ 빌드 성공 🎉 배포 준비 완료 🚀 — 다음 단계: 스테이징 검증",
  "Σφάλμα: το αρχείο «ρυθμίσεις.json» δεν βρέθηκε στον κατάλογο εργασίας",
  "// Проверяем, что очередь обрабатывает пакеты по 500 сообщений 📦📦📦",
  "用户反馈：页面加载太慢了😤，特别是在移动端，需要优化图片尺寸和缓存策略。",
  "2026-01-01 10:22:31 情報 ワーカー[3] バッチ 8812 を処理しました（500 件、412 ミリ秒）",
];

const ASSISTANT_NON_ASCII = [
  "Я проверил модуль конфигурации: он читает файл и трижды повторяет попытку.",
  "我已经检查了队列处理器，下一步是修复重试逻辑。",
  "設定ローダーは入力を検証するようになりました 👍",
];

function nonAsciiToolOutput(random: Random, chars: number): string {
  const parts: string[] = [];
  let size = 0;
  while (size < chars) {
    const line = `${pick(random, NON_ASCII_LINES)} #${Math.floor(random() * 1e5)}`;
    parts.push(line);
    size += line.length + 1;
  }
  return parts.join("\n");
}

/** Tool results and assistant text mostly in non-Latin scripts: ~2.5 UTF-8 bytes per character. */
function nonAsciiShape(bytes: number): Buffer {
  const random = seededRandom(11);
  const pool = Array.from({ length: 48 }, () => nonAsciiToolOutput(random, random() < 0.7 ? 500 + Math.floor(random() * 6_000) : 10_000 + Math.floor(random() * 40_000)));
  return assemble(bytes, (i, emit) => {
    emit(assistant(i, "u", [toolUse(i, `cat docs/说明-${i % 31}.md`)], null));
    emit(toolResult(i, pick(random, pool)));
    if (i % 3 === 2) emit(assistant(i, "t", [{ type: "text", text: `${pick(random, ASSISTANT_NON_ASCII)} (${i})` }], "end_turn"));
  });
}

const THOUGHTS = ["Let me look at how the config is loaded", " before changing", " the retry logic;", " the queue worker", " reads batches of 500", " and", " times out after", " 30 s.", " I should check", " the tests first."];

/**
 * Many small events: the CLI streaming thinking and text as it arrives (`stream_event` deltas, as with
 * `--include-partial-messages`), one `assistant` event per finished content block, short tool calls and results.
 */
function smallEventsShape(bytes: number): Buffer {
  const random = seededRandom(13);
  const delta = (i: number, index: number, kind: "thinking_delta" | "text_delta", piece: string): unknown => ({
    type: "stream_event",
    event: { type: "content_block_delta", index, delta: kind === "thinking_delta" ? { type: kind, thinking: piece } : { type: kind, text: piece } },
    session_id: SESSION_ID,
    parent_tool_use_id: null,
    uuid: `se-${i}-${index}-${Math.floor(random() * 1e9)}`,
  });
  return assemble(bytes, (i, emit) => {
    emit({ type: "stream_event", event: { type: "message_start", message: { id: `msg_01${i.toString(36)}`, model: MODEL, usage: usage(i) } }, session_id: SESSION_ID, parent_tool_use_id: null, uuid: `ms-${i}` });
    const thinking: string[] = [];
    for (let d = 0; d < 12; d++) {
      const piece = pick(random, THOUGHTS);
      thinking.push(piece);
      emit(delta(i, 0, "thinking_delta", piece));
    }
    emit(assistant(i, "k", [{ type: "thinking", thinking: thinking.join(""), signature: "EqQBCkYIBxgCKkB3c2lnbmF0dXJl" }], null));
    const text: string[] = [];
    for (let d = 0; d < 8; d++) {
      const piece = `${pick(random, THOUGHTS)} ${d}`;
      text.push(piece);
      emit(delta(i, 1, "text_delta", piece));
    }
    emit(assistant(i, "t", [{ type: "text", text: text.join("") }], null));
    emit(assistant(i, "u", [toolUse(i, `rg -n retry src/queue-${i % 13}.ts`)], "tool_use"));
    emit(toolResult(i, `src/queue-${i % 13}.ts:${10 + (i % 90)}:  const retries = Number(raw.retries ?? 3);`));
  });
}

function hugeOutput(random: Random, chars: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let n = 0; size < chars; n++) {
    const line = `${String(n).padStart(7, "0")} ${pick(random, ["GET /api/orders 200 12ms", "POST /api/jobs 201 48ms", "worker[2] batch ok size=500", "WARN slow query 1203ms: SELECT * FROM orders WHERE id = $1", "  at processTicksAndRejections (node:internal/process/task_queues:95:5)"])}`;
    parts.push(line);
    size += line.length + 1;
  }
  return parts.join("\n");
}

/** A few enormous lines: tool results of 1–8 MB (a whole log file, a huge `git diff`), each a single line. */
function longLinesShape(bytes: number): Buffer {
  const random = seededRandom(17);
  const pool = Array.from({ length: 6 }, () => hugeOutput(random, 1_000_000 + Math.floor(random() * 7_000_000)));
  return assemble(bytes, (i, emit) => {
    emit(assistant(i, "u", [toolUse(i, `cat /var/log/app-${i}.log`)], null));
    emit(toolResult(i, pick(random, pool)));
    emit(assistant(i, "t", [{ type: "text", text: `The log has ${1000 + i} lines; the slow query shows up again.` }], "end_turn"));
  });
}

export const GENERATED_SHAPES: readonly TranscriptShape[] = [
  {
    id: "ascii",
    label: "ASCII-heavy tool output",
    description: "source files, test runs and logs in tool results (~95 % of the bytes), a few non-ASCII characters (—, ✓, «») in some lines; `src/realistic-transcript.ts`",
    build: (bytes) => transcriptBuffer(realisticTranscript(), bytes),
  },
  {
    id: "non-ascii",
    label: "non-ASCII-heavy text",
    description: "tool results and assistant text in Chinese, Japanese, Russian, Greek and Korean with emoji (~2.5 bytes per character)",
    build: nonAsciiShape,
  },
  {
    id: "small-events",
    label: "many small events",
    description: "thinking and text streamed as `stream_event` deltas (~200 B each), an `assistant` event per finished block, short tool calls and results: ~25 lines per turn",
    build: smallEventsShape,
  },
  {
    id: "long-lines",
    label: "very long lines",
    description: "tool results of 1–8 MB each on a single line (whole log files), with short assistant events between them",
    build: longLinesShape,
  },
];

const CORPUS_DIR = fileURLToPath(new URL("../../../packages/claude-corpus/fixtures/", import.meta.url));

/**
 * The recorded real-CLI corpus (`packages/claude-corpus`: the real `claude` against the scripted API), every
 * entry's stdout in manifest order, repeated until `bytes`. Its lines are what the CLI really writes
 * (a large `system` init per run, `result` events that do not start with `type`, retries, errors); repeats
 * are byte-identical lines, which the reducer's replay dedup recognises.
 */
function realCliShape(bytes: number): Buffer | null {
  const manifest = `${CORPUS_DIR}manifest.json`;
  if (!existsSync(manifest)) return null;
  const entries = (JSON.parse(readFileSync(manifest, "utf8")) as { entries: string[] }).entries;
  const one = Buffer.concat(entries.map((name) => readFileSync(`${CORPUS_DIR}${name}/stdout.jsonl`)).map((b) => (b.length > 0 && b[b.length - 1] !== 0x0a ? Buffer.concat([b, Buffer.from("\n")]) : b)));
  if (one.length === 0) return null;
  // Each copy is a different set of runs: its UUIDs (session ids, event uuids) get the copy's number in
  // their first group, same length. Identical copies would be replays, which measures the reducer's
  // replay dedup instead of its reading of real events.
  const text = one.toString("utf8");
  return Buffer.concat(
    Array.from({ length: Math.ceil(bytes / one.length) }, (_v, copy) =>
      copy === 0 ? one : Buffer.from(text.replace(/"([0-9a-f]{8})-([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g, (_m, _first: string, rest: string) => `"${copy.toString(16).padStart(8, "0")}-${rest}"`)),
    ),
  );
}

const REAL_CLI_SHAPE: TranscriptShape = {
  id: "real-cli",
  label: "real-CLI corpus",
  description: "the recorded transcripts of the real Claude Code CLI in `packages/claude-corpus` (26 runs: successes, retries, API errors; mostly `system` init, `result` and `assistant` events, all read by the reducer), concatenated and repeated to size, each copy with its own UUIDs so no line is a replay",
  build: realCliShape,
};

/** Every shape the parser bench reads. */
export function parserShapes(): readonly TranscriptShape[] {
  return [...GENERATED_SHAPES, REAL_CLI_SHAPE];
}
