import { availableParallelism } from "node:os";
import { runInChild } from "../child.js";
import { table, verdict } from "../markdown.js";
import type { Section } from "../section.js";
import { BOUND_MS, chaosRun, LINE_COUNT, RUN_MS } from "./chaos-run.js";
import { addReport, mergeTallies, type ChaosTally, type KindTally } from "./chaos-tally.js";
import { FAULT_KINDS } from "./fault-kinds.js";

/** One worker's share of the matrix: every (kind, seed) pair whose index falls to `worker` of `workers`. */
export async function chaosWorker(seedsPerKind: number, worker: number, workers: number): Promise<ChaosTally> {
  const tally: ChaosTally = {};
  let index = 0;
  for (let seed = 1; seed <= seedsPerKind; seed++) {
    for (const kind of FAULT_KINDS) {
      if (index++ % workers === worker) addReport(tally, await chaosRun(kind, seed));
    }
  }
  return tally;
}

function topOutcomes(t: KindTally): string {
  return Object.entries(t.outcomes)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
}

export async function chaosBench(quick: boolean): Promise<Section> {
  const seedsPerKind = quick ? 8 : 1000;
  const workers = Math.max(1, Math.min(availableParallelism(), 4));
  const started = performance.now();
  const tally = mergeTallies(await Promise.all(Array.from({ length: workers }, (_, w) => runInChild<ChaosTally>("chaos", [seedsPerKind, w, workers]))));
  const wallS = (performance.now() - started) / 1000;
  const rows: string[][] = [];
  const broken: string[] = [];
  const misclassifications: string[] = [];
  const total = { runs: 0, settled: 0, lost: 0, duplicated: 0, misclassified: 0, leaked: 0 };
  for (const kind of FAULT_KINDS) {
    const t = tally[kind];
    if (!t) continue;
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += t[key];
    rows.push([kind, String(t.runs), `${((100 * t.settled) / t.runs).toFixed(1)} %`, (t.maxSettleMs / 1000).toFixed(0), String(t.lost), String(t.duplicated), String(t.misclassified), String(t.leaked), topOutcomes(t)]);
    broken.push(...t.failures);
    misclassifications.push(...t.misclassifications.slice(0, 5));
  }
  const allGood = total.settled === total.runs && total.lost === 0 && total.duplicated === 0 && total.leaked === 0;
  rows.push([
    "**all**",
    String(total.runs),
    `**${((100 * total.settled) / total.runs).toFixed(1)} %**`,
    "",
    `**${total.lost}**`,
    `**${total.duplicated}**`,
    `**${total.misclassified}**`,
    `**${total.leaked}**`,
    `target: 100 % settled, 0 lost, 0 duplicated, 0 leaked ${verdict(allGood)}`,
  ]);
  return {
    title: "Chaos matrix: fault survival",
    table: table(["Fault kind", "Runs", "Settled within bound", "Max settle (virtual s)", "Lines lost", "Lines duplicated", "Misclassified runs", "Runs with leaks", "Most common outcomes"], rows),
    notes: [
      `${seedsPerKind} seeds **per fault kind** (${total.runs} runs, ${workers} worker processes, ${wallS.toFixed(0)} s wall). Each run: a fresh FakeCluster (seeded), one agent whose container writes ${LINE_COUNT} realistic stream-json lines over ${RUN_MS / 60_000} virtual minutes, \`timeoutSec: 0\`, \`apiUnreachableSec: 600\`; one fault of the kind with seeded parameters (operation, error mode, time, lag, propagation…) at a seeded moment. Replay one with its kind and seed (\`chaosRun(kind, seed)\`).`,
      `Settled = the outcome arrived within ${BOUND_MS / 60_000} virtual minutes of the start (the run's length plus start timeout, unreachable limit, node-loss detection and grace, with margin). Lost = a gap in the delivered lines, or a succeeded run without the whole transcript; duplicated = a line delivered again; misclassified = an unknown code, a failure without a code, \`adapter_internal_error\`, \`timeout\` without a deadline, \`cancelled\` without a cancel, kept-for-reattach without a shutdown, success without every line, or a \`claude_*\` code after a cluster-side fault (external delete, eviction, node loss) struck the running run; leaked = a Job present ${120} virtual s after settling that no outcome reports as kept, or a payload Secret without its Job.`,
      "host-restart: the process dies (ports and locks replaced) and the next heartbeat of the same task starts a new run that must reattach; both runs are audited (outcomes shown as `first → second`).",
      "The bench exits non-zero when any run is unsettled, loses or duplicates a line, or leaks; misclassifications are reported (listed below, up to 5 per kind) but do not fail the bench.",
      ...(broken.length ? [`Broken invariants (up to 20 per kind):\n${broken.map((b) => `  - ${b}`).join("\n")}`] : []),
      ...(misclassifications.length ? [`Misclassified runs:\n${misclassifications.map((m) => `  - ${m}`).join("\n")}`] : []),
    ],
    missedTargets: allGood ? [] : ["chaos invariants"],
    brokenInvariants: broken,
  };
}
