// How a chaos run's container writes its transcript: the lines it must deliver, and the writes (whole lines,
// or pieces of a long line) at virtual times, with faults keyed to the container's own writes where a fault
// must strike at a precise place in the log (inside a long line, right after it, while the log rotates).
import type { FakeCluster } from "@clipjob/fake-cluster";

/** One step of the container: sleep `afterMs`, then write and/or strike. */
export interface ScriptStep {
  readonly afterMs: number;
  /** A whole stdout line (the newline is the runtime's). */
  readonly line?: string;
  /** Raw stdout bytes, newlines only where they appear: a long line written in pieces. */
  readonly chunk?: string;
  /** A fault that strikes at this point of the container's output. */
  readonly strike?: (fake: FakeCluster) => void;
}

export interface ChaosScript {
  /** The stdout lines a reader must deliver, in order, each once. */
  readonly lines: readonly string[];
  readonly steps: readonly ScriptStep[];
}

/** The plain run: `lines` spread evenly over `runMs`. */
export function evenScript(lines: readonly string[], runMs: number): ChaosScript {
  const step = Math.floor(runMs / (lines.length + 1));
  return { lines, steps: [...lines.map((line) => ({ afterMs: step, line })), { afterMs: step }] };
}

/** The time to sleep after `lines` evenly spread steps have been written, so the run ends at `runMs`. */
function tail(runMs: number, used: number): ScriptStep[] {
  return [{ afterMs: Math.max(0, runMs - used) }];
}

const FILLER = ["const x = await load(path);", "  ✓ queue.test.ts (14 tests) 38ms", "«unexpected token» at index.ts:42", "\tretries: Number(raw.retries ?? 3),", "日本語のログ行 — 警告なし"];

/** A tool_result event of about `bytes` UTF-8 bytes (ASCII and multi-byte text), distinct by `id`. */
function longToolResult(random: () => number, id: string, bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const piece = `${FILLER[Math.floor(random() * FILLER.length)]!} // ${Math.floor(random() * 1e6)}`;
    parts.push(piece);
    size += Buffer.byteLength(piece) + 1;
  }
  return JSON.stringify({ type: "user", message: { role: "user", content: [{ tool_use_id: id, type: "tool_result", content: parts.join("\n"), is_error: false }] }, parent_tool_use_id: null, session_id: "chaos", uuid: `u-${id}` });
}

function assistantText(id: string, text: string): string {
  return JSON.stringify({ type: "assistant", message: { id, type: "message", role: "assistant", model: "claude-sonnet-4-5-20250929", content: [{ type: "text", text }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 3, output_tokens: 12 } }, parent_tool_use_id: null, session_id: "chaos", uuid: `t-${id}` });
}

/**
 * Long lines across resumes: 2–4 lines of 17–120 KiB (the runtime stores them as 16 KiB `P` records and an `F`)
 * inserted among `lines` (before the last), each written in two pieces `gapMs` apart — so its records carry
 * different timestamps, often in different seconds — and followed within 1.5 s by a short line. For each long
 * line a one-shot cut (EOF or reset, seeded) of the open log stream strikes inside it (between its pieces),
 * right after it, or right after the short line that follows; the follow resumes from its cursor with
 * `sinceTime` at the cursor's whole second, so the kubelet serves the long line's later records without the
 * timestamp prefix.
 */
export function longLineScript(random: () => number, runMs: number, lines: readonly string[]): { script: ChaosScript; describe: string[] } {
  const count = 2 + Math.floor(random() * 3);
  const slots = new Set<number>();
  while (slots.size < count) slots.add(Math.floor(random() * (lines.length - 1)));
  const step = Math.floor(runMs / (lines.length + 1));
  const out: string[] = [];
  const steps: ScriptStep[] = [];
  const describe: string[] = [];
  let used = 0;
  const push = (s: ScriptStep): void => {
    steps.push(s);
    used += s.afterMs;
  };
  lines.forEach((line, i) => {
    push({ afterMs: step, line });
    out.push(line);
    if (!slots.has(i)) return;
    const n = out.length;
    const long = longToolResult(random, `toolu_long_${i}`, 17 * 1024 + Math.floor(random() * 103 * 1024));
    const short = assistantText(`msg_after_long_${i}`, `Read ${long.length} characters of output.`);
    // The first piece: 30–95 % of the line (past 20 KiB the runtime cuts a P record at once, below it holds the bytes).
    const split = Math.floor(long.length * (0.3 + random() * 0.65));
    const leadMs = 1 + Math.floor(random() * 2_000);
    const gapMs = 1 + Math.floor(random() * 2_500);
    const shortMs = 1 + Math.floor(random() * 1_500);
    const where = (["inside", "after-line", "after-next"] as const)[Math.floor(random() * 3)]!;
    const mode = random() < 0.5 ? "eof" : "error";
    const cutMs = 1 + Math.floor(random() * (where === "inside" ? gapMs : where === "after-line" ? shortMs : 1_500));
    const cut = (fake: FakeCluster): void => void fake.faults.cutOpenLogStreams(mode);
    describe.push(`${Buffer.byteLength(long)} B line after line ${n} in pieces ${gapMs} ms apart, cut (${mode}) ${where} +${cutMs} ms`);
    push({ afterMs: leadMs, chunk: long.slice(0, split) });
    if (where === "inside") {
      push({ afterMs: Math.min(cutMs, gapMs - 1), strike: cut });
      push({ afterMs: gapMs - Math.min(cutMs, gapMs - 1), chunk: `${long.slice(split)}\n` });
    } else push({ afterMs: gapMs, chunk: `${long.slice(split)}\n` });
    out.push(long);
    if (where === "after-line") {
      push({ afterMs: Math.min(cutMs, shortMs - 1), strike: cut });
      push({ afterMs: shortMs - Math.min(cutMs, shortMs - 1), line: short });
    } else push({ afterMs: shortMs, line: short });
    out.push(short);
    if (where === "after-next") push({ afterMs: cutMs, strike: cut });
  });
  return { script: { lines: out, steps: [...steps, ...tail(runMs, used)] }, describe };
}

/**
 * Rotation during a cut: after a seeded line the open log stream is cut (EOF or reset) and every follow
 * request fails (503 or a reset) for 5–120 s; the container goes on writing, and the log (rotating at a few
 * hundred bytes to 128 KiB) rotates meanwhile. A follow reopened afterwards reads only the current file. In
 * half the seeds the cut is followed by a 24–64 KiB line written in two pieces 11 s apart (a rotation check
 * can fall between its records) and the follow stays down 11.2–26.2 s.
 */
export function rotationScript(random: () => number, runMs: number, lines: readonly string[]): { script: ChaosScript; describe: string[] } {
  const after = Math.floor(random() * (lines.length - 1));
  // In half the seeds a long line written in two pieces 11 s apart follows the cut: a rotation check falls
  // between its P records and its F, so the file the follow comes back to can start inside the line.
  const straddle = random() < 0.5 ? longToolResult(random, `toolu_straddle_${after}`, 24 * 1024 + Math.floor(random() * 40 * 1024)) : null;
  const spanMs = straddle === null ? 5_000 + Math.floor(random() * 115_000) : 11_200 + Math.floor(random() * 15_000);
  const cutMode = random() < 0.5 ? "eof" : "error";
  const error = random() < 0.5 ? "503" : "reset";
  const plain = evenScript(lines, runMs);
  const steps: ScriptStep[] = [];
  const out: string[] = [];
  plain.steps.forEach((s, i) => {
    steps.push(s);
    if (s.line !== undefined) out.push(s.line);
    if (i !== after) return;
    steps.push({
      afterMs: 0,
      strike: (fake) => {
        const now = fake.clock.now();
        fake.faults.failRequests({ operation: "follow log", error, from: now, until: now + spanMs });
        fake.faults.cutOpenLogStreams(cutMode);
      },
    });
    if (straddle === null) return;
    const split = Math.floor(straddle.length * 0.8);
    steps.push({ afterMs: 100, chunk: straddle.slice(0, split) }, { afterMs: 11_000, chunk: `${straddle.slice(split)}\n` });
    out.push(straddle);
  });
  return {
    script: { lines: out, steps },
    describe: [
      `after line ${after + 1} the follow is cut (${cutMode}) and follow requests fail ${error} for ${spanMs} ms${straddle === null ? "" : `; then a ${Buffer.byteLength(straddle)} B line in two pieces 11 s apart`}`,
    ],
  };
}
