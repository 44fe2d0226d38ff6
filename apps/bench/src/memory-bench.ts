import type { Program } from "@clipjob/fake-cluster";
import { benchCluster, benchRequest } from "./bench-cluster.js";
import { forcedGc, peakRssSampler, runInChild } from "./child.js";
import { table, verdict } from "./markdown.js";
import { realisticTranscript } from "./realistic-transcript.js";
import type { Section } from "./section.js";
import { mib, MIB } from "./stats.js";

const HEAP_TARGET_BYTES = 50 * MIB;
const SAMPLE_EVERY_MS = 200;

export interface MemoryResult {
  readonly bytes: number;
  readonly linesWritten: number;
  readonly linesSeen: number;
  readonly status: string;
  readonly wallMs: number;
  readonly peakHeapGrowth: number;
  readonly finalHeapGrowth: number;
  readonly baselineRss: number;
  readonly peakRss: number;
}

/**
 * A container that writes `bytes` of realistic stream-json at 10 MiB per virtual second after a 2 s start-up.
 * The pace matters: the run starts following the log once the pod is seen Running (kubelet status lag 1 s),
 * and a node keeps only ~50 MiB of a container's log, so a writer that outruns that loses lines for any reader.
 */
function transcriptProgram(bytes: number, written: { lines: number }): Program {
  return async (ctx) => {
    await ctx.sleep(2_000);
    let sinceSleep = 0;
    for (const line of realisticTranscript().lines(bytes)) {
      ctx.stdout(line);
      written.lines++;
      sinceSleep += line.length + 1;
      if (sinceSleep >= MIB) {
        sinceSleep = 0;
        await ctx.sleep(100);
      }
    }
    return 0;
  };
}

/** Runs in a fresh process (so peak RSS is this run's own): one full simulated run over a `bytes` transcript. */
export async function memoryChild(bytes: number): Promise<MemoryResult> {
  const gc = forcedGc();
  const bench = benchCluster();
  const written = { lines: 0 };
  bench.fake.registerProgram("transcript", transcriptProgram(bytes, written));
  let linesSeen = 0;
  gc();
  const baselineHeap = process.memoryUsage().heapUsed;
  const baselineRss = process.memoryUsage().rss;
  let peakHeap = 0;
  // Real-time sampling: the virtual clock runs far ahead of the wall clock, so sample on the wall clock.
  const sampler = setInterval(() => {
    gc();
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed - baselineHeap);
  }, SAMPLE_EVERY_MS);
  const rss = peakRssSampler();
  const start = performance.now();
  const outcome = await bench.run(benchRequest("transcript"), { observer: { onLine: (stream) => void (stream === "stdout" && linesSeen++) } });
  const wallMs = performance.now() - start;
  clearInterval(sampler);
  const peakRss = rss.stop();
  gc();
  const finalHeap = process.memoryUsage().heapUsed - baselineHeap;
  peakHeap = Math.max(peakHeap, finalHeap);
  bench.dispose();
  return { bytes, linesWritten: written.lines, linesSeen, status: outcome.status, wallMs, peakHeapGrowth: peakHeap, finalHeapGrowth: finalHeap, baselineRss, peakRss };
}

export async function memoryBench(quick: boolean): Promise<Section> {
  const sizes = quick ? [10 * MIB, 100 * MIB] : [10 * MIB, 100 * MIB, 1024 * MIB];
  const rows: string[][] = [];
  const missed: string[] = [];
  const broken: string[] = [];
  for (const bytes of sizes) {
    const r = await runInChild<MemoryResult>("memory", [bytes]);
    const label = bytes >= 1024 * MIB ? `${bytes / 1024 / MIB} GB` : `${bytes / MIB} MB`;
    if (r.status !== "succeeded") broken.push(`${label} run ended ${r.status}`);
    if (r.linesSeen !== r.linesWritten) broken.push(`${label} run delivered ${r.linesSeen} of ${r.linesWritten} lines`);
    const target = bytes >= 1024 * MIB ? `≤ 50 MB ${verdict(r.peakHeapGrowth <= HEAP_TARGET_BYTES)}` : "–";
    if (bytes >= 1024 * MIB && r.peakHeapGrowth > HEAP_TARGET_BYTES) missed.push(`heap growth ${mib(r.peakHeapGrowth)} MB at 1 GB`);
    rows.push([
      label,
      `${r.linesSeen}/${r.linesWritten}`,
      r.status,
      (r.wallMs / 1000).toFixed(1),
      (bytes / MIB / (r.wallMs / 1000)).toFixed(0),
      mib(r.baselineRss),
      mib(r.peakRss),
      mib(r.peakHeapGrowth),
      mib(r.finalHeapGrowth),
      target,
    ]);
  }
  return {
    title: "Memory: one full simulated run",
    table: table(["Transcript", "Lines delivered", "Outcome", "Wall s", "End-to-end MB/s", "RSS before MB", "Peak RSS MB", "Peak heap growth MB (after GC)", "Heap growth at end MB", "Target (heap growth)"], rows),
    notes: [
      "Each size runs in a fresh `node --expose-gc` process: `runAgentJob` on a `FakeCluster` whose container writes realistic stream-json (10 MiB per virtual second). Peak RSS is the largest `process.memoryUsage().rss` sampled every 20 ms during the run (node, both packages, the fake cluster and the run; `maxRSS` is useless here, Linux carries it over from the parent across exec).",
      "Heap growth = `heapUsed` after a forced `gc()`, sampled every 200 ms of wall time during the run, minus the same before the run. The fake kubelet's retained log (rotated at 50 MiB, like a real node's `containerLogMaxSize × containerLogMaxFiles`) lives in this process; tool-result lines are shared strings from a 64-line pool, so that retention costs entry objects, not bodies.",
    ],
    missedTargets: missed,
    brokenInvariants: broken,
  };
}
