import { FOLLOW_IDLE_MS } from "@clipjob/core";
import type { Program } from "@clipjob/fake-cluster";
import { benchCluster, benchRequest } from "./bench-cluster.js";
import { table, verdict } from "./markdown.js";
import { realControlPlaneCost, REAL_RUN_SECONDS, type RealCost } from "./real-control-plane-cost.js";
import { realisticTranscript } from "./realistic-transcript.js";
import type { Section } from "./section.js";

/** Per run, at any length: its writes, its log follow(s) and its clean-up (docs/benchmarks.md targets). */
const REQUESTS_TARGET = 6;
/** Watches a process may open for 100 concurrent runs in one namespace (one Job and one pod watch, plus renewals). */
const WATCHES_TARGET = 4;
const CONCURRENT_RUNS = 100;
/**
 * Requests a process makes whatever its number of runs: the shared Job and pod informers' lists and watches
 * (core's SharedInformer, one per resource and namespace), host introspection (`get pod`, cached), and its one
 * process Lease (created with its first claim, renewed every 20 s while it holds any, deleted with its last).
 */
const PROCESS_KINDS: ReadonlySet<string> = new Set(["list jobs", "watch jobs", "list pods", "watch pods", "get pod", "create lease", "update lease", "delete lease"]);
const LEASE_KINDS = ["create lease", "update lease", "delete lease"];
const LENGTHS = [
  { label: "30 s", ms: 30_000 },
  { label: "10 min", ms: 10 * 60_000 },
  { label: "60 min", ms: 60 * 60_000 },
];

/** A fault-free run of `runMs` virtual time: the realistic transcript's lines (120 KB of them) spread evenly over it. */
function evenRun(runMs: number): Program {
  return async (ctx) => {
    const lines = [...realisticTranscript().lines(120_000)];
    for (const line of lines) {
      await ctx.sleep(Math.floor(runMs / lines.length));
      ctx.stdout(line);
    }
    return 0;
  };
}

/** Lines of the fault-free transcript the API-cost runs print. */
const transcriptLines = [...realisticTranscript().lines(120_000)].length;

async function requestsFor(runMs: number): Promise<{ byKind: Readonly<Record<string, number>>; status: string }> {
  const bench = benchCluster();
  bench.fake.registerProgram("even", evenRun(runMs));
  const outcome = await bench.run(benchRequest("even"));
  const byKind = bench.fake.requests();
  bench.dispose();
  return { byKind, status: outcome.status };
}

const total = (byKind: Readonly<Record<string, number>>): number => Object.values(byKind).reduce((a, b) => a + b, 0);
const perRun = (byKind: Readonly<Record<string, number>>): number => Object.entries(byKind).reduce((a, [k, n]) => a + (PROCESS_KINDS.has(k) ? 0 : n), 0);
const perProcess = (byKind: Readonly<Record<string, number>>): number => total(byKind) - perRun(byKind);

interface ConcurrentCost {
  readonly byKind: Readonly<Record<string, number>>;
  readonly succeeded: number;
  readonly peakOpenWatches: number;
}

/** `CONCURRENT_RUNS` fault-free 30 s runs at once in one process (distinct agents, one namespace). */
async function concurrentCost(): Promise<ConcurrentCost> {
  const bench = benchCluster();
  bench.fake.registerProgram("even", evenRun(30_000));
  let peakOpenWatches = 0;
  const sample = bench.fake.store.onChange(() => {
    peakOpenWatches = Math.max(peakOpenWatches, bench.fake.store.openWatches());
  });
  const outcomes = await Promise.all(Array.from({ length: CONCURRENT_RUNS }, (_, i) => bench.run(benchRequest("even", { agentId: `agent-concurrent-${i}` }))));
  sample();
  const byKind = bench.fake.requests();
  bench.dispose();
  return { byKind, succeeded: outcomes.filter((o) => o.status === "succeeded").length, peakOpenWatches };
}
const listed = (byKind: Readonly<Record<string, number>>): string =>
  Object.entries(byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");

interface Column {
  /** The run's length, e.g. "30 s". */
  readonly length: string;
  readonly label: string;
  readonly byKind: Readonly<Record<string, number>>;
  readonly status: string;
}

function realNote(real: RealCost | null, shortRun: Column): string {
  if (real === null) return "Real control plane: not run in `--quick` (it starts etcd, kube-apiserver, kcm, scheduler and kwok); the full `pnpm bench` measures it.";
  if (!real.measured) return `Real control plane: not measured: ${real.reason}.`;
  const onlyFake = Object.keys(shortRun.byKind).filter((k) => !(k in real.byKind));
  const onlyReal = Object.keys(real.byKind).filter((k) => !(k in shortRun.byKind));
  const differences = [
    ...(onlyFake.includes("get pod") ? ["no `get pod`: the bench process is not in a pod, so `describeHost` has no Paperclip pod to read"] : []),
    ...onlyFake.filter((k) => k !== "get pod").map((k) => `no \`${k}\``),
    ...onlyReal.map((k) => `\`${k}\` only on the real server`),
  ];
  return [
    `Real control plane: one fault-free ${REAL_RUN_SECONDS} s run (${real.status}) on \`apps/e2e/control-plane\` (etcd, kube-apiserver, kcm, scheduler, kwok playing the container, the kubelet simulator serving its log) through core's \`runAgentJob\` with k8s-infra's adapters, as the adapter ServiceAccount.`,
    `Counted at the API server from its audit log (\`startControlPlane({ audit: true })\`, level Metadata): the ServiceAccount's requests, each once by auditID when it reached ResponseStarted (watches, log follows) or ResponseComplete; \`get pods/log\` is shown as \`follow log\`. ${total(real.byKind)} requests (${listed(real.byKind)}).`,
    differences.length ? `Against the fake's ${shortRun.length} column: ${differences.join("; ")}.` : `The same kinds as the fake's ${shortRun.length} column.`,
  ].join(" ");
}

export async function apiCostBench(quick: boolean): Promise<Section> {
  const results: Column[] = [];
  for (const length of LENGTHS) results.push({ length: length.label, label: `${length.label} (fake)`, ...(await requestsFor(length.ms)) });
  const real = quick ? null : await realControlPlaneCost();
  const columns = real?.measured ? [...results, { length: `${REAL_RUN_SECONDS} s`, label: `${REAL_RUN_SECONDS} s (real control plane)`, byKind: real.byKind, status: real.status }] : results;
  const kinds = [...new Set(columns.flatMap((c) => Object.keys(c.byKind)))].sort((a, b) => Number(PROCESS_KINDS.has(a)) - Number(PROCESS_KINDS.has(b)) || a.localeCompare(b));
  const totals = columns.map((c) => perRun(c.byKind));
  const rows = kinds.map((kind) => [PROCESS_KINDS.has(kind) ? `${kind} (per process)` : kind, ...columns.map((c) => String(c.byKind[kind] ?? 0))]);
  rows.push(["**per run** (all but the per-process rows)", ...totals.map((t) => `**${t}** ${verdict(t <= REQUESTS_TARGET)}`)]);
  rows.push(["per process (shared watches, host introspection, process Lease)", ...columns.map((c) => String(perProcess(c.byKind)))]);
  rows.push(["outcome", ...columns.map((c) => c.status)]);
  const concurrent = await concurrentCost();
  const watchKinds = ["watch jobs", "watch pods"];
  const watchesOpened = watchKinds.reduce((a, k) => a + (concurrent.byKind[k] ?? 0), 0);
  const concurrentPerRun = perRun(concurrent.byKind) / CONCURRENT_RUNS;
  const concurrentTable = table(
    ["Concurrent fault-free 30 s runs (fake)", "Succeeded", "Watches opened in total", "Most watches open at once", "List requests in total", "Requests per run (all but per-process)", "Process Lease requests in total"],
    [
      [
        String(CONCURRENT_RUNS),
        String(concurrent.succeeded),
        `**${watchesOpened}** ${verdict(watchesOpened <= WATCHES_TARGET)}`,
        String(concurrent.peakOpenWatches),
        String((concurrent.byKind["list jobs"] ?? 0) + (concurrent.byKind["list pods"] ?? 0)),
        `${concurrentPerRun.toFixed(2)} ${verdict(concurrentPerRun <= REQUESTS_TARGET)}`,
        String(LEASE_KINDS.reduce((a, k) => a + (concurrent.byKind[k] ?? 0), 0)),
      ],
    ],
  );
  const [short, , long] = results as [Column, Column, Column];
  const follows = short.byKind["follow log"] ?? 0;
  const added = Object.fromEntries(
    Object.entries(long.byKind).flatMap(([kind, n]) => (n > (short.byKind[kind] ?? 0) ? [[kind, n - (short.byKind[kind] ?? 0)]] : [])),
  );
  const onlyRenewals = Object.keys(added).every((kind) => kind.startsWith("watch ") || kind === "update lease");
  return {
    title: "API cost: requests per fault-free run",
    table: `${table(["Request kind", ...columns.map((c) => c.label)], rows)}\n${concurrentTable}`,
    notes: [
      `Target: ≤ ${REQUESTS_TARGET} requests per fault-free run at every length, the process's shared watches counted once per process and shown apart ("per process" rows); ${CONCURRENT_RUNS} concurrent runs open ≤ ${WATCHES_TARGET} watches in total. The fake columns are counted by the fake API server (\`fake.requests()\`), one per port call (the runs are fault-free, so no read is retried); each column is one run alone in its process, so its per-process rows are that process's whole cost. A \`watch\` / \`follow\` is one request however long it stays open.`,
      `Shared watches: the cluster ports (k8s-infra's and the fake's alike) serve every run's Job and pod watch from core's \`SharedInformer\`, one per resource and namespace per process: it lists the namespace, watches from the list's resourceVersion with bookmarks, resumes from the last resourceVersion when the server closes the watch, relists on 410 Gone, and reopens a watch that stayed silent (no event, no bookmark) for 3 minutes. The guard's \`listJobs\` reads the same synced cache (this process's own creates and deletes applied at once), starting the informer when no run holds it; an informer lingers a minute after the last run of its namespace, so the guard's list is the informer's list and runs that follow one another share it. With ${CONCURRENT_RUNS} runs at once (second table) the whole process opened ${watchesOpened} watches (${watchKinds.map((k) => `${k} ${concurrent.byKind[k] ?? 0}`).join(", ")}), at most ${concurrent.peakOpenWatches} open at once (sampled at every change of the fake API server's store), and its requests were ${listed(concurrent.byKind)}.`,
      `Where the requests go in a fault-free ${short.length} run (${total(short.byKind)}: ${perRun(short.byKind)} for the run, ${perProcess(short.byKind)} for the process): ${listed(short.byKind)}. The run's first request creates its payload Secret under the agent's name: that create is the agent claim (one agent, one Job across processes, docs/architecture.md "Across processes"), so the Job (owned by the claim) is then one create and starts at once; the guard reads the shared Job cache; \`get pod\` is host introspection (\`describeHost\` reads the Paperclip pod once per process); clean-up is one delete of the claim, and the garbage collector removes the finished Job and its pods with it. The claim's holder is alive while its process Lease is: one Lease per process (not per run), created with its first claim, renewed every 20 s while it holds any and deleted with its last, so its cost is the process's and does not grow with the number of runs (second table: ${LEASE_KINDS.map((k) => `${k} ${concurrent.byKind[k] ?? 0}`).join(", ")} for ${CONCURRENT_RUNS} runs at once); it grows with the time the process supervises, like a kubelet's node Lease (3 updates a minute: ${long.byKind["update lease"] ?? 0} in the ${long.length} column). The follower needs ${follows} follow${follows === 1 ? "" : "s"}: the first stream ends when the container exits while the pod status still says Running (kubelet status lag), so that EOF does not prove the log complete; core's log follower (\`run-watchers.ts\`, \`follow\`) waits for the pod watch to report the termination (or a 2 s back-off) and follows once more, and that EOF, begun after the exit, does.`,
      `Longer runs: the fake's API server closes each watch after 30–60 min and sends BOOKMARKs (every 60 s and just before it closes a watch), so a watch resumes from its last resourceVersion without relisting. The ${long.length} run costs ${total(long.byKind)}, the ${short.length} run's ${total(short.byKind)} plus ${listed(added) || "nothing"}${onlyRenewals ? " (watch and process-Lease renewals only, no relist)" : ""}. k8s-infra asks a real API server for a random watch \`timeoutSeconds\` of 1800–3600 s (the server's own default range), so a real cluster renews each watch as rarely.${added["follow log"] ? ` The extra \`follow log\`: this transcript's ${transcriptLines} lines are spread evenly, one every ${Math.round(60 / transcriptLines)} min in the ${long.length} run, and a follow silent for ${FOLLOW_IDLE_MS / 60_000} min while the pod runs is reopened from its cursor (the follow's liveness bound, \`FOLLOW_IDLE_MS\`, doubling while silent); a run with output at least every ${FOLLOW_IDLE_MS / 60_000} min costs none.` : ""}`,
      realNote(real, short),
    ],
    missedTargets: [
      ...columns.flatMap((c, i) => (totals[i]! > REQUESTS_TARGET ? [`${totals[i]} requests per run for a ${c.label} run`] : [])),
      ...(watchesOpened > WATCHES_TARGET ? [`${watchesOpened} watches for ${CONCURRENT_RUNS} concurrent runs`] : []),
    ],
    brokenInvariants: [
      ...columns.flatMap((c) => (c.status === "succeeded" ? [] : [`fault-free ${c.label} run ended ${c.status}`])),
      ...(concurrent.succeeded === CONCURRENT_RUNS ? [] : [`${CONCURRENT_RUNS - concurrent.succeeded} of ${CONCURRENT_RUNS} concurrent fault-free runs did not succeed`]),
      ...(real && !real.measured && real.failed ? [`real control plane: ${real.reason}`] : []),
    ],
  };
}
