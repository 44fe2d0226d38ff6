import { forcedGc } from "./child.js";
import { table, verdict } from "./markdown.js";
import type { Section } from "./section.js";
import { median, MIB } from "./stats.js";
import { bareJsonParse, clipjobReader, loadPaperclipParser, loadPredecessorParser, type MissingReader, type StreamReader } from "./stream-readers.js";
import { parserShapes, type TranscriptShape } from "./transcript-shapes.js";

const TARGET_RATIO = 1.0;
const STRETCH_ASCII_RATIO = 2.0;

interface Sized {
  readonly shape: TranscriptShape;
  readonly buffer: Buffer;
  readonly lines: number;
}

interface Timing {
  readonly wallMs: number;
  /** CPU time of the whole process (user + system, every thread: GC helpers included). */
  readonly cpuMs: number;
}

function time(fn: () => void): Timing {
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** Rotates `items` by `by` places, so each reader goes first, second, … in turn across rounds. */
function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * Every reader on every transcript shape, in one process: `rounds` interleaved rounds (in each round every
 * shape, and within it every reader in a rotating order, after a forced GC so no reader pays for another's
 * garbage). A reader's figure per shape is its median time; the ratio is bare's median ÷ the reader's.
 */
export async function parserBench(quick: boolean): Promise<Section> {
  const gc = forcedGc();
  const bytes = quick ? 8 * MIB : 48 * MIB;
  const rounds = quick ? 3 : 9;
  const loaded = [await loadPaperclipParser(), await loadPredecessorParser()];
  const readers: StreamReader[] = [bareJsonParse, clipjobReader, ...loaded.filter((r): r is StreamReader => "read" in r)];
  const missing = loaded.filter((r): r is MissingReader => "unavailable" in r);

  const shapes = parserShapes();
  const sized: Sized[] = [];
  const skippedShapes: string[] = [];
  for (const shape of shapes) {
    const buffer = shape.build(bytes);
    if (buffer === null) {
      skippedShapes.push(`${shape.label}: ${shape.description}`);
      continue;
    }
    const lines = bareJsonParse.read(buffer);
    // Warm every reader (JIT) and check that ours handled every line the baseline did.
    const ours = clipjobReader.read(buffer);
    if (ours !== lines) throw new Error(`clipjob read ${ours} lines of ${shape.id}, the baseline ${lines}`);
    for (const reader of readers) reader.read(buffer);
    sized.push({ shape, buffer, lines });
  }

  const times = new Map<string, Timing[]>();
  const key = (shape: string, reader: string) => `${shape}\u0000${reader}`;
  for (let round = 0; round < rounds; round++) {
    for (const s of sized) {
      for (const reader of rotate(readers, round)) {
        gc();
        const t = time(() => void reader.read(s.buffer));
        const k = key(s.shape.id, reader.id);
        times.set(k, [...(times.get(k) ?? []), t]);
      }
    }
  }

  const medianMs = (shape: string, reader: string, of: keyof Timing) => median((times.get(key(shape, reader)) ?? []).map((t) => t[of]));
  const ratio = (s: Sized, reader: string, of: keyof Timing = "cpuMs") => medianMs(s.shape.id, "bare", of) / medianMs(s.shape.id, reader, of);
  const mbps = (s: Sized, reader: string) => s.buffer.length / MIB / (medianMs(s.shape.id, reader, "cpuMs") / 1000);

  const missed: string[] = [];
  const ratioRows: string[][] = readers.map((reader) => [
    reader.label,
    ...sized.map((s) => {
      const r = ratio(s, reader.id);
      const cell = `${r.toFixed(2)}× (wall ${ratio(s, reader.id, "wallMs").toFixed(2)}×; ${mbps(s, reader.id).toFixed(0)} MB/s)`;
      if (reader.id !== clipjobReader.id) return cell;
      const ok = r >= TARGET_RATIO;
      if (!ok) missed.push(`reader ${r.toFixed(2)}× bare JSON.parse on ${s.shape.label}${MISS_REASONS[s.shape.id] ? ` (${MISS_REASONS[s.shape.id]})` : ""}`);
      return `**${cell}** ${verdict(ok)}`;
    }),
  ]);
  for (const m of missing) ratioRows.push([m.label, ...sized.map(() => "–")]);
  const ascii = sized.find((s) => s.shape.id === "ascii");
  const stretch = ascii ? ratio(ascii, clipjobReader.id) : Number.NaN;
  if (ascii && stretch < STRETCH_ASCII_RATIO) missed.push(`stretch: reader ${stretch.toFixed(2)}× (not ≥ ${STRETCH_ASCII_RATIO}×) on ${ascii.shape.label} (${STRETCH_MISS_REASON})`);

  const shapeRows = sized.map((s) => [s.shape.label, (s.buffer.length / MIB).toFixed(1), String(s.lines), s.shape.description]);
  return {
    title: "Parser: stream-json readers on several transcript shapes",
    table: [
      table(["Reader: speed relative to bare, by CPU time (by wall time; MB per CPU second)", ...sized.map((s) => s.shape.label)], ratioRows),
      "",
      `Target: clipjob ≥ ${TARGET_RATIO.toFixed(1)}× bare on every shape; stretch ≥ ${STRETCH_ASCII_RATIO.toFixed(1)}× on ASCII-heavy tool output: ${ascii ? `${stretch.toFixed(2)}× ${verdict(stretch >= STRETCH_ASCII_RATIO)}` : "not measured"}.`,
      "",
      table(["Shape", "MB", "Lines", "What the lines are"], shapeRows),
    ].join("\n"),
    notes: [
      `${rounds} interleaved rounds in one process over the shapes above (${(bytes / MIB).toFixed(0)} MB each); in every round each shape is read by every reader in a rotating order, each read after a forced GC. Figures are medians; ratio = bare's median time ÷ the reader's. The headline ratio is by the process's CPU time (user + system, all threads, so GC helper threads count): on a machine shared with other jobs, wall time also counts the time a reader waited for a core, which swings both ways by tens of percent between adjacent reads; the wall-time ratio is shown beside it.`,
      "Same input for every reader (one Buffer in memory, no I/O); each does its own whole job on it. **bare** = `buffer.toString('utf8').split('\\n')` + `JSON.parse` of every line: one decode of the whole text, then every line parsed (the whole transcript in memory). The whole-string parsers are timed with the `toString` they need.",
      "**clipjob** = the reader a run uses: `createLineDecoder().feed(64 KiB chunk, reducer.push)` with `reducer = createTranscriptReducer()`, bounded memory whatever the transcript's size. The decoder splits on raw bytes and decodes **every** line to a string (a run hands each line to the host's log, so none is skipped), counting its bytes. The reducer counts and classifies every line; `user` and `stream_event` lines (tool results, deltas: never read for the outcome) are recognised by their compact prefix and trusted as events without `JSON.parse`; a compact `system/init` line has its `type`, `subtype`, `session_id` and `model` members read by a walker that skips the rest without building it (falling back to `JSON.parse` when it is not shaped as expected); every other event line (assistant, result, other system events, rate limits) is `JSON.parse`d as bare does, and every line read is hashed for exact replay dedup. So clipjob parses fewer lines than bare but decodes, hashes and classifies all it reads.",
      "Paperclip's parser is imported from the installed `paperclipai` (`@paperclipai/adapter-claude-local`, its `./server` export), not copied; when it is not installed (a fresh CI checkout before `pnpm test:paperclip`) its row says so and the bench still runs.",
      ...missing.map((m) => `${m.label}: ${m.unavailable}.`),
      ...skippedShapes.map((s) => `Shape not measured — ${s}.`),
    ],
    missedTargets: missed,
    brokenInvariants: [],
  };
}

/** Why a shape misses the target, when we know (shown next to the miss). */
const EVENT_HEAVY =
  "most of these bytes are events the outcome reads (assistant; in the corpus, 26 short runs, a system init and a result every ~7 KB): the reader JSON.parses them as bare does and hashes each for exact replay dedup, so its margin is only what it saves by decoding line by line into one-byte strings, skipping user lines and walking init lines";
/** Why the ASCII-heavy shape misses the stretch (measured with `node --cpu-prof` on the reader). */
const STRETCH_MISS_REASON =
  "~95 % of its bytes are tool results the reader never parses, but every line is still decoded to a string, as a run needs it for the host's log: decoding those lines (each holds a few non-ASCII characters, so it decodes to a two-byte string) and joining the pieces of lines longer than a chunk are ~75 % of the reader's CPU profile, about what 2× leaves for everything";
const MISS_REASONS: Readonly<Record<string, string>> = { "small-events": EVENT_HEAVY, "real-cli": EVENT_HEAVY };
