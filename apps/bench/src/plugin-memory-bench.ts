// Memory per concurrent run in the Paperclip process: runs go through the plugin's server adapter
// (`createServerAdapter().execute(ctx)`, the module Paperclip loads) as Paperclip calls it, while the
// simulated cluster runs in a worker thread, so the main thread's heap holds what the Paperclip process
// holds per run against a real cluster: the adapter's execute path, its reporter, `runAgentJob`'s
// supervision, watches, log follow and transcript reducer.
import { ok } from "@clipjob/core";
import { simImage } from "@clipjob/fake-cluster";
import { AdapterRoot, createServerAdapter, HostSignalLatch, RunScope } from "@clipjob/paperclip-adapter";
import { BENCH_CLUSTER_OPTIONS, NAMESPACE } from "./bench-cluster.js";
import { forcedGc, peakRssSampler, runInChild } from "./child.js";
import { table } from "./markdown.js";
import type { Section } from "./section.js";
import { FIVE_SECOND_RUN_MS } from "./short-run.js";
import { mib } from "./stats.js";
import { startWorkerCluster, type WorkerCluster } from "./worker-cluster/worker-cluster.js";

type ServerAdapter = ReturnType<typeof createServerAdapter>;
type ExecutionContext = Parameters<ServerAdapter["execute"]>[0];

/** How often the heap is sampled (after a forced GC) while the runs are in flight, in wall ms. */
const SAMPLE_EVERY_MS = 400;

export interface PluginMemoryResult {
  readonly concurrency: number;
  readonly succeeded: number;
  /** Lines the adapter passed to Paperclip's onLog, over all runs. */
  readonly loggedLines: number;
  /** Main thread's heapUsed after a forced GC, before the batch (adapter loaded, one run done). */
  readonly baselineHeap: number;
  /** Largest heapUsed after a forced GC while runs were in flight, minus the baseline. */
  readonly peakHeapGrowth: number;
  /** How many runs were in flight at that sample. */
  readonly inFlightAtPeak: number;
  /** heapUsed after a forced GC once every run ended, minus the baseline. */
  readonly heapGrowthAfter: number;
  readonly baselineRss: number;
  readonly peakRss: number;
}

/** A root whose every scope is the worker thread's cluster (as a root's scope is a real cluster's). */
class WorkerClusterRoot extends AdapterRoot {
  constructor(private readonly scope: RunScope) {
    super({ env: {} });
  }

  override async openScope(): ReturnType<AdapterRoot["openScope"]> {
    return ok(this.scope);
  }
}

let contexts = 0;

/** A Paperclip execution context whose sinks only count, so the heap measured is the adapter's. */
function executionContext(agentId: string, counts: { lines: number }): ExecutionContext {
  contexts += 1;
  return {
    runId: `00000000-0000-4000-8000-${String(contexts).padStart(12, "0")}`,
    agent: { id: agentId, companyId: "company-bench", name: "Bench", adapterType: "claude_k8s", adapterConfig: {} },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
    config: { image: simImage("scale"), timeoutSec: 0 },
    context: {
      wakeReason: "manual wake",
      wakeSource: "on_demand",
      paperclipWake: { connectorSkillInstructions: "" },
      paperclipWorkspace: { cwd: "/paperclip/workspaces/bench", source: "agent_home", workspaceId: null, repoUrl: null, repoRef: null },
    },
    onLog: async (_stream: string, chunk: string) => {
      for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) counts.lines++;
    },
    onMeta: async () => {},
    onEvent: async () => {},
    onRuntimeProgress: async () => {},
    onCancellationReady: async () => {},
    onDispatch: () => {},
    onSpawn: async () => {},
  } as unknown as ExecutionContext;
}

/** Runs in a fresh process: `concurrency` runs of distinct agents at once through the server adapter. */
export async function pluginMemoryChild(concurrency: number): Promise<PluginMemoryResult> {
  const gc = forcedGc();
  const cluster: WorkerCluster = await startWorkerCluster({ ...BENCH_CLUSTER_OPTIONS, speed: 1 }, { scale: "fiveSecondRun" }, NAMESPACE);
  const deps = cluster.deps();
  const scope = new RunScope({ ports: { cluster: deps.cluster, logs: deps.logs, host: deps.host, access: cluster.access, leases: deps.leases, clock: deps.clock }, defaultNamespace: NAMESPACE }, deps.locks, null);
  const adapter = createServerAdapter({ root: new WorkerClusterRoot(scope), signals: new HostSignalLatch(), env: {}, claudeCatalogue: async () => null });
  const counts = { lines: 0 };
  // One run first: modules loaded, code warm, the process's shared watches open.
  const warm = await adapter.execute(executionContext("agent-warm-up", counts));
  if (warm.exitCode !== 0) throw new Error(`the warm-up run failed: ${warm.errorMessage ?? JSON.stringify(warm)}`);
  counts.lines = 0;
  gc();
  const baselineHeap = process.memoryUsage().heapUsed;
  const baselineRss = process.memoryUsage.rss();
  let inFlight = 0;
  let peakHeapGrowth = 0;
  let inFlightAtPeak = 0;
  const sampler = setInterval(() => {
    gc();
    const growth = process.memoryUsage().heapUsed - baselineHeap;
    if (growth > peakHeapGrowth) {
      peakHeapGrowth = growth;
      inFlightAtPeak = inFlight;
    }
  }, SAMPLE_EVERY_MS);
  const rss = peakRssSampler();
  const results = await Promise.all(
    Array.from({ length: concurrency }, async (_v, i) => {
      inFlight++;
      try {
        return await adapter.execute(executionContext(`agent-${i}`, counts));
      } finally {
        inFlight--;
      }
    }),
  );
  clearInterval(sampler);
  const peakRss = rss.stop();
  gc();
  const heapGrowthAfter = process.memoryUsage().heapUsed - baselineHeap;
  await cluster.dispose();
  return {
    concurrency,
    succeeded: results.filter((r) => r.exitCode === 0 && !r.errorCode).length,
    loggedLines: counts.lines,
    baselineHeap,
    peakHeapGrowth,
    inFlightAtPeak,
    heapGrowthAfter,
    baselineRss,
    peakRss,
  };
}

export async function pluginMemoryBench(quick: boolean): Promise<Section> {
  const levels = quick ? [20] : [100, 500];
  const rows: string[][] = [];
  const broken: string[] = [];
  for (const n of levels) {
    const r = await runInChild<PluginMemoryResult>("plugin-memory", [n]);
    if (r.succeeded !== n) broken.push(`${n - r.succeeded} of ${n} concurrent runs through the server adapter did not succeed`);
    rows.push([
      String(n),
      `${r.succeeded}/${n}`,
      String(r.loggedLines),
      mib(r.baselineHeap),
      `${mib(r.peakHeapGrowth)} (${r.inFlightAtPeak} in flight)`,
      `**${(r.peakHeapGrowth / Math.max(1, r.inFlightAtPeak) / 1024).toFixed(0)}**`,
      mib(r.heapGrowthAfter),
      mib(r.baselineRss),
      mib(r.peakRss),
      ((r.peakRss - r.baselineRss) / n / 1024).toFixed(0),
    ]);
  }
  return {
    title: "Memory per concurrent run in the Paperclip process (plugin server adapter)",
    table: table(
      [
        "Concurrent runs",
        "Succeeded",
        "Lines to onLog",
        "Heap before MB (after GC)",
        "Peak heap growth MB (after GC)",
        "Heap per run in flight KiB",
        "Heap growth after all ended MB",
        "RSS before MB",
        "Peak RSS MB",
        "RSS growth per run KiB (cluster worker included)",
      ],
      rows,
    ),
    notes: [
      `Each level runs in a fresh \`node --expose-gc\` process. The runs go through the plugin as Paperclip calls it: \`createServerAdapter().execute(ctx)\` of \`@clipjob/paperclip-adapter\` (config → \`RunRequest\`, the run reporter's onLog/onMeta/progress, \`runAgentJob\` with the shared watches, the log follow and the transcript reducer, the outcome → Paperclip's result), all started together for distinct agents. The adapter's composition root is given one scope: the simulated cluster (one big node, paced at real time, speed 1) running in a **worker thread**, reached through proxies of its ports — the plugin's side is what a real cluster's would be, and the cluster's memory is not on the measured heap. Each container writes ~40 KB of realistic stream-json evenly over ${FIVE_SECOND_RUN_MS / 1000} s.`,
      `Heap = the main thread's \`heapUsed\` after a forced \`gc()\`, sampled every ${SAMPLE_EVERY_MS} ms of wall time while runs were in flight; heap per run = the largest growth over the heap before the batch (one warm-up run done, so modules, JIT and the process's shared watches are already there) ÷ the runs in flight at that sample. "After all ended" shows what runs leave behind (should be ~0). RSS is the whole process, the cluster's worker thread included, so its per-run figure is an upper bound.`,
      "Not included: Paperclip's own state per run (its run record, the log it stores from onLog, the websocket fan-out to the board): the sinks here only count lines. Measured against the real Paperclip server, those add to these figures.",
    ],
    missedTargets: [],
    brokenInvariants: broken,
  };
}
