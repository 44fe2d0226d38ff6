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
  const total = { runs: 0, settled: 0, lost: 0, gapped: 0, needlessGaps: 0, duplicated: 0, extraJobs: 0, laterJobs: 0, misclassified: 0, leaked: 0, broken: 0 };
  const reruns: string[] = [];
  for (const kind of FAULT_KINDS) {
    const t = tally[kind];
    if (!t) continue;
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += t[key];
    rows.push([
      kind,
      String(t.runs),
      `${((100 * t.settled) / t.runs).toFixed(1)} %`,
      (t.maxSettleMs / 1000).toFixed(0),
      String(t.lost),
      `${t.gapped} / ${t.needlessGaps}`,
      String(t.duplicated),
      String(t.extraJobs),
      String(t.misclassified),
      String(t.leaked),
      topOutcomes(t),
    ]);
    if (t.laterJobs > 0) reruns.push(`${kind} ${t.laterJobs}`);
    broken.push(...t.failures);
    misclassifications.push(...t.misclassifications.slice(0, 5));
  }
  const allGood = total.settled === total.runs && total.lost === 0 && total.duplicated === 0 && total.extraJobs === 0 && total.leaked === 0 && total.broken === 0;
  rows.push([
    "**all**",
    String(total.runs),
    `**${((100 * total.settled) / total.runs).toFixed(1)} %**`,
    "",
    `**${total.lost}**`,
    `${total.gapped} / ${total.needlessGaps}`,
    `**${total.duplicated}**`,
    `**${total.extraJobs}**`,
    `**${total.misclassified}**`,
    `**${total.leaked}**`,
    `target: 100 % settled, 0 lost (or reported as a gap), 0 duplicated, never two Jobs at once, 0 leaked ${verdict(allGood)}`,
  ]);
  return {
    title: "Chaos matrix: fault survival",
    table: table(
      ["Fault kind", "Runs", "Settled within bound", "Max settle (virtual s)", "Lines lost silently", "Lines lost, reported as a gap / needless gaps", "Lines duplicated", "Jobs alive at once beyond one", "Misclassified runs", "Runs with leaks", "Most common outcomes"],
      rows,
    ),
    notes: [
      `${seedsPerKind} seeds **per fault kind** (${total.runs} runs, ${workers} worker processes, ${wallS.toFixed(0)} s wall). Each run: a fresh FakeCluster (seeded), one agent whose container writes ${LINE_COUNT} realistic stream-json lines over ${RUN_MS / 60_000} virtual minutes, \`timeoutSec: 0\`, \`apiUnreachableSec: 600\`; one fault of the kind with seeded parameters (operation, error mode, time, lag, propagation…) at a seeded moment. Replay one with its kind and seed (\`chaosRun(kind, seed)\`).`,
      `Settled = the outcome arrived within ${BOUND_MS / 60_000} virtual minutes of the start (the run's length plus start timeout, unreachable limit, node-loss detection and grace, with margin). Lost silently = a line skipped over (a later one arrived first and it never came) with no transcript gap reported right there, or the missing tail of a run whose outcome claims the whole log (succeeded, or a \`claude_*\` verdict read from how the transcript ends); lost, reported as a gap = lines skipped over exactly where the run's \`transcript_gap\` notice (one of the outcome's \`transcriptGaps\`) arrived, between the last line before them and the first after, or a tail after a gap reported at the end of the log — a gap anywhere else excuses nothing; needless gaps = gaps reported where no line was missing (a reader that finds the cursor's line rotated away cannot tell; allowed); duplicated = a line delivered again; Jobs alive at once beyond one = the most Jobs of the agent alive at the same time (from creation until a Complete/Failed condition or deletion, as the API server's events show them), less one; misclassified = an unknown code, a failure without a code, \`adapter_internal_error\`, \`timeout\` without a deadline, \`cancelled\` without a cancel, kept-for-reattach without a shutdown, success without every line (or a reported gap for the missing ones), or a \`claude_*\` code after a cluster-side fault (external delete, eviction, node loss) struck the running run; leaked = a Job present ${120} virtual s after settling that no outcome reports as kept, or a payload Secret without its Job.`,
      "host-restart: the process dies (ports and locks replaced) and the next heartbeat of the same task starts a new run that must reattach the dead process's Job while it runs, or deliver it (whole transcript, its outcome) once it has finished; both runs are audited (outcomes shown as `first → second`), and a second Job created for the task after a restart that struck the running run is a broken invariant.",
      ...(reruns.length
        ? [
            `Jobs created after an earlier Job of the agent had ended (the task ran again, never two at once; an invariant only for host-restart): ${reruns.join(", ")}.`,
          ]
        : []),
      "long-line-cut: 2–4 extra stream-json lines of 17–120 KiB (ASCII and multi-byte text; the fake runtime stores them as 16 KiB `P` records and an `F`) among the transcript, each written in two pieces 1–2500 ms apart and followed within 1.5 s by a short line; for each, a one-shot cut (EOF or reset) of the open log stream strikes inside it, right after it, or right after the short line, and the follow resumes from its cursor with `sinceTime` at the cursor's whole second — the kubelet then serves the long line's later records without a timestamp prefix.",
      "rotation-cut: the kubelet rotates the container log once it holds 512 B–128 KiB (checked every 10 s, as the kubelet's container log manager does); after a seeded line the open follow is cut (EOF or reset) and follow requests fail (503 or reset) for 5–120 s while the container writes on (in half the seeds a 24–64 KiB line follows in two pieces 11 s apart, so a rotation check can fall between its records, and the follow stays down 11–26 s); the reopened follow reads only the current file, so lines rotated out must come with a `transcript_gap` at their place (at the end of the log, with `k8s_log_incomplete`, when the log's end itself was rotated away or still unread when the run's grace ran out).",
      "watch-stall: 1–3 times every open watch goes half-open (no event, no bookmark, no close). log-stall: the open log follow goes half-open at a seeded moment, and in half the seeds every later follow also stalls 1–61 s after it opens.",
      "process-race: two host processes (own ports, own in-process locks and identities, one cluster) start a run for the same agent 0–3 s apart (the same task or another): exactly one Job may ever exist, the other run must end `k8s_concurrent_run_blocked` without a Job, and the first must succeed; otherwise the run counts as broken.",
      "The bench exits non-zero when any run is unsettled, loses a line silently, duplicates one, has two Jobs of its agent alive at once, breaks a race invariant, runs a task in a second Job across a host restart or leaks; misclassifications are reported (listed below, up to 5 per kind) but do not fail the bench.",
      ...(broken.length ? [`Broken invariants (up to 20 per kind):\n${broken.map((b) => `  - ${b}`).join("\n")}`] : []),
      ...(misclassifications.length ? [`Misclassified runs:\n${misclassifications.map((m) => `  - ${m}`).join("\n")}`] : []),
    ],
    missedTargets: allGood ? [] : ["chaos invariants"],
    brokenInvariants: broken,
  };
}
