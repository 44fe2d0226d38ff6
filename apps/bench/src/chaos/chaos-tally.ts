import type { ChaosReport } from "./chaos-run.js";
import type { FaultKind } from "./fault-kinds.js";

/** Per fault kind: what the seeded runs did, summed. */
export interface KindTally {
  runs: number;
  settled: number;
  maxSettleMs: number;
  lost: number;
  gapped: number;
  needlessGaps: number;
  duplicated: number;
  extraJobs: number;
  laterJobs: number;
  misclassified: number;
  leaked: number;
  /** Runs with another broken invariant (see ChaosReport.broken). */
  broken: number;
  outcomes: Record<string, number>;
  /** Replayable descriptions of runs that broke an invariant: unsettled, lost or duplicated lines, extra Jobs, leaks (capped). */
  failures: string[];
  /** Replayable descriptions of runs whose outcome was misclassified (capped). */
  misclassifications: string[];
}

const MAX_FAILURES_KEPT = 20;

export type ChaosTally = Partial<Record<FaultKind, KindTally>>;

function empty(): KindTally {
  return { runs: 0, settled: 0, maxSettleMs: 0, lost: 0, gapped: 0, needlessGaps: 0, duplicated: 0, extraJobs: 0, laterJobs: 0, misclassified: 0, leaked: 0, broken: 0, outcomes: {}, failures: [], misclassifications: [] };
}

export function addReport(tally: ChaosTally, r: ChaosReport): void {
  const t = (tally[r.kind] ??= empty());
  t.runs++;
  if (r.settled) t.settled++;
  t.maxSettleMs = Math.max(t.maxSettleMs, r.settleMs);
  t.lost += r.lost;
  t.gapped += r.gapped;
  t.needlessGaps += r.needlessGaps;
  t.duplicated += r.duplicated;
  t.extraJobs += r.extraJobs;
  t.laterJobs += r.laterJobs;
  if (r.misclassified.length) t.misclassified++;
  if (r.leaked.length) t.leaked++;
  if (r.broken.length) t.broken++;
  const key = r.outcomes.join(" → ");
  t.outcomes[key] = (t.outcomes[key] ?? 0) + 1;
  const replay = `${r.kind} seed ${r.seed} [${r.plan.join("; ")}] → ${key}`;
  const problems = [...(r.settled ? [] : [`unsettled after ${r.settleMs} ms`]), ...(r.lost ? [`${r.lost} lost`] : []), ...(r.duplicated ? [`${r.duplicated} duplicated`] : []), ...(r.extraJobs ? [`${r.extraJobs + 1} Jobs alive at once`] : []), ...r.leaked.map((l) => `leaked ${l}`), ...r.broken];
  if (problems.length && t.failures.length < MAX_FAILURES_KEPT) t.failures.push(`${replay}: ${problems.join(" | ")}`);
  if (r.misclassified.length && t.misclassifications.length < MAX_FAILURES_KEPT) t.misclassifications.push(`${replay}: ${r.misclassified.join(" | ")}`);
}

export function mergeTallies(parts: readonly ChaosTally[]): ChaosTally {
  const out: ChaosTally = {};
  for (const part of parts) {
    for (const [kind, t] of Object.entries(part) as [FaultKind, KindTally][]) {
      const o = (out[kind] ??= empty());
      o.runs += t.runs;
      o.settled += t.settled;
      o.maxSettleMs = Math.max(o.maxSettleMs, t.maxSettleMs);
      o.lost += t.lost;
      o.gapped += t.gapped;
      o.needlessGaps += t.needlessGaps;
      o.duplicated += t.duplicated;
      o.extraJobs += t.extraJobs;
      o.laterJobs += t.laterJobs;
      o.misclassified += t.misclassified;
      o.leaked += t.leaked;
      o.broken += t.broken;
      for (const [k, n] of Object.entries(t.outcomes)) o.outcomes[k] = (o.outcomes[k] ?? 0) + n;
      o.failures.push(...t.failures.slice(0, MAX_FAILURES_KEPT - o.failures.length));
      o.misclassifications.push(...t.misclassifications.slice(0, MAX_FAILURES_KEPT - o.misclassifications.length));
    }
  }
  return out;
}
