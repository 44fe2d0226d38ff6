import type { Program } from "@clipjob/fake-cluster";
import { benchCluster, benchRequest } from "./bench-cluster.js";
import { table, verdict } from "./markdown.js";
import { realControlPlaneCost, REAL_RUN_SECONDS, type RealCost } from "./real-control-plane-cost.js";
import { realisticTranscript } from "./realistic-transcript.js";
import type { Section } from "./section.js";

const REQUESTS_TARGET = 15;
const LENGTHS = [
  { label: "30 s", ms: 30_000 },
  { label: "10 min", ms: 10 * 60_000 },
  { label: "60 min", ms: 60 * 60_000 },
];

/** A fault-free run of `runMs` virtual time: ~60 lines of stream-json spread evenly over it. */
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

async function requestsFor(runMs: number): Promise<{ byKind: Readonly<Record<string, number>>; status: string }> {
  const bench = benchCluster();
  bench.fake.registerProgram("even", evenRun(runMs));
  const outcome = await bench.run(benchRequest("even"));
  const byKind = bench.fake.requests();
  bench.dispose();
  return { byKind, status: outcome.status };
}

const total = (byKind: Readonly<Record<string, number>>): number => Object.values(byKind).reduce((a, b) => a + b, 0);
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
  const kinds = [...new Set(columns.flatMap((c) => Object.keys(c.byKind)))].sort();
  const totals = columns.map((c) => total(c.byKind));
  const rows = kinds.map((kind) => [kind, ...columns.map((c) => String(c.byKind[kind] ?? 0))]);
  rows.push(["**total**", ...totals.map((t) => `**${t}** ${verdict(t <= REQUESTS_TARGET)}`)]);
  rows.push(["outcome", ...columns.map((c) => c.status)]);
  const [short, , long] = results as [Column, Column, Column];
  const follows = short.byKind["follow log"] ?? 0;
  const added = Object.fromEntries(
    Object.entries(long.byKind).flatMap(([kind, n]) => (n > (short.byKind[kind] ?? 0) ? [[kind, n - (short.byKind[kind] ?? 0)]] : [])),
  );
  const onlyRenewals = Object.keys(added).every((kind) => kind.startsWith("watch "));
  return {
    title: "API cost: requests per fault-free run",
    table: table(["Request kind", ...columns.map((c) => c.label)], rows),
    notes: [
      `Target: ≤ ${REQUESTS_TARGET} requests per fault-free run at every length. The fake columns are counted by the fake API server (\`fake.requests()\`), one per port call (the fake's ports never retry). A \`watch\` / \`follow\` is one request however long it stays open.`,
      `Where the requests go in a fault-free ${short.length} run (${total(short.byKind)}): ${listed(short.byKind)}. Submit is create secret, create job and patch job (unsuspend); the guard lists jobs; each of the Job and pod watches is a list then a watch; \`get pod\` is host introspection (\`describeHost\` reads the Paperclip pod); clean-up deletes the job. The follower needs ${follows} follow${follows === 1 ? "" : "s"}: the first stream ends when the container exits while the pod status still says Running (kubelet status lag), so that EOF does not prove the log complete; core's log follower (\`run-watchers.ts\`, \`follow\`) waits for the pod watch to report the termination (or a 2 s back-off) and follows once more, and that EOF, begun after the exit, does.`,
      `Longer runs: the fake's API server closes each watch after 30–60 min and sends BOOKMARKs (every 60 s and just before it closes a watch), so a watch resumes from its last resourceVersion without relisting. The ${long.length} run costs ${total(long.byKind)}, the ${short.length} run's ${total(short.byKind)} plus ${listed(added) || "nothing"}${onlyRenewals ? " (watch renewals only, no relist)" : ""}. k8s-infra asks a real API server for a random watch \`timeoutSeconds\` of 1800–3600 s (the server's own default range), so a real cluster renews each watch as rarely.`,
      realNote(real, short),
    ],
    missedTargets: columns.flatMap((c, i) => (totals[i]! > REQUESTS_TARGET ? [`${totals[i]} requests for a ${c.label} run`] : [])),
    brokenInvariants: [
      ...columns.flatMap((c) => (c.status === "succeeded" ? [] : [`fault-free ${c.label} run ended ${c.status}`])),
      ...(real && !real.measured && real.failed ? [`real control plane: ${real.reason}`] : []),
    ],
  };
}
