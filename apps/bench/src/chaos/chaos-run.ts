import { ERROR_CODES, type RunOutcome, type RunRequest } from "@clipjob/core";
import type { Program } from "@clipjob/fake-cluster";
import { benchCluster, benchRequest, lineRecorder, type BenchCluster } from "../bench-cluster.js";
import { realisticTranscript } from "../realistic-transcript.js";
import { seededRandom } from "../seeded-random.js";
import { planFault, type FaultKind, FAULT_KINDS } from "./fault-kinds.js";
import { auditLines } from "./line-audit.js";

export const RUN_MS = 5 * 60_000;
/**
 * Virtual-time bound for settling: the run's own length plus the longest waits a fault may legitimately cause
 * (start timeout 300 s, API-unreachable limit 600 s, node-loss detection 340 s, grace periods), with margin.
 */
export const BOUND_MS = RUN_MS + 30 * 60_000;
/** A run still going after this much wall time is reported as unsettled rather than hanging the bench. */
const WALL_LIMIT_MS = 120_000;
/** After settling: time for garbage collection and TTL before leaks are counted. */
const LEAK_GRACE_MS = 120_000;

const CODES = new Set<string>(ERROR_CODES);
// Distinct lines (a pooled tool result may repeat), so a line's position in the transcript is unambiguous.
const LINES = [...new Set(realisticTranscript(11).lines(60_000))];
export const LINE_COUNT = LINES.length;

export interface ChaosReport {
  readonly kind: FaultKind;
  readonly seed: number;
  readonly plan: readonly string[];
  readonly outcomes: readonly string[];
  readonly settled: boolean;
  readonly settleMs: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly misclassified: readonly string[];
  readonly leaked: readonly string[];
}

/** The container: the transcript's lines spread evenly over RUN_MS of virtual time. */
const chaosProgram: Program = async (ctx) => {
  const step = Math.floor(RUN_MS / (LINES.length + 1));
  for (const line of LINES) {
    await ctx.sleep(step);
    ctx.stdout(line);
  }
  await ctx.sleep(step);
  return 0;
};

interface Watched {
  readonly stdout: string[];
  readonly done: Promise<RunOutcome | "unsettled">;
  job: string | undefined;
}

function watch(bench: BenchCluster, request: RunRequest, signals: { cancel: AbortSignal; shutdown: AbortSignal }): Watched {
  const { stdout, observer } = lineRecorder();
  const watched: { stdout: string[]; done: Promise<RunOutcome | "unsettled">; job: string | undefined } = { stdout, done: Promise.resolve("unsettled"), job: undefined };
  const run = bench.run(request, { cancelSignal: signals.cancel, shutdownSignal: signals.shutdown, observer: { ...observer, onJob: (job) => void (watched.job = job.name) } });
  let wallTimer: NodeJS.Timeout | undefined;
  const wallLimit = new Promise<"unsettled">((resolve) => (wallTimer = setTimeout(() => resolve("unsettled"), WALL_LIMIT_MS)));
  const virtualLimit = bench.fake.clock.sleep(2 * BOUND_MS).then(() => "unsettled" as const);
  watched.done = Promise.race([run, wallLimit, virtualLimit]).finally(() => clearTimeout(wallTimer));
  return watched;
}

/** Cluster-side faults: when one struck a running run, an outcome that blames Claude misleads the operator. */
const CLUSTER_FAULTS: ReadonlySet<FaultKind> = new Set(["external-delete", "eviction", "node-loss"]);

function misclassification(outcome: RunOutcome, context: { complete: boolean; cancelled: boolean; shutdown: boolean; clusterFault: FaultKind | null }): string[] {
  const problems: string[] = [];
  const code = outcome.errorCode;
  if (code !== null && !CODES.has(code)) problems.push(`unknown code ${code}`);
  if (code === null && outcome.status !== "succeeded") problems.push(`${outcome.status} without a code`);
  if (code === "adapter_internal_error") problems.push(`internal error: ${outcome.errorMessage}`);
  if (code === "timeout" || outcome.timedOut || outcome.status === "timed_out") problems.push("timeout without a deadline (timeoutSec 0)");
  if (code === "cancelled" && !context.cancelled) problems.push("cancelled without a cancel");
  if (code === "k8s_job_kept_for_reattach" && !context.shutdown) problems.push("kept for reattach without a shutdown");
  if (outcome.status === "succeeded" && !context.complete) problems.push("succeeded without all lines");
  if (context.clusterFault && code?.startsWith("claude_")) problems.push(`${code} blames Claude for ${context.clusterFault}`);
  return problems;
}

/** One seeded run under one fault kind, checked for settling, lines, classification and leaks. */
export async function chaosRun(kind: FaultKind, seed: number): Promise<ChaosReport> {
  const random = seededRandom(seed * FAULT_KINDS.length + FAULT_KINDS.indexOf(kind) + 1);
  const bench = benchCluster({ seed });
  bench.fake.registerProgram("chaos", chaosProgram);
  const request = benchRequest("chaos", { config: { apiUnreachableSec: 600 } });
  const cancel = new AbortController();
  const shutdown = new AbortController();
  const start = bench.fake.clock.now();
  const runs: Watched[] = [watch(bench, request, { cancel: cancel.signal, shutdown: shutdown.signal })];
  const faults = planFault(kind, random, RUN_MS);
  const never = new AbortController().signal;
  const target = {
    fake: bench.fake,
    job: () => runs[0]!.job,
    cancel: () => cancel.abort(),
    shutdown: () => shutdown.abort(),
    restartHost: () => {
      bench.restartHost();
      // The next heartbeat of the same task: a new run id, reattaching to the Job the dead process left.
      runs.push(watch(bench, { ...request, runId: `${request.runId}-after-restart` }, { cancel: never, shutdown: never }));
    },
  };
  let struckWhileRunning = false;
  let firstSettled = false;
  void runs[0]!.done.then(() => (firstSettled = true));
  for (const fault of faults) {
    void bench.fake.clock.sleep(fault.at).then(() => {
      if (!firstSettled) struckWhileRunning = true;
      fault.apply(target);
    });
  }

  const outcomes: (RunOutcome | "unsettled")[] = [];
  // A restart adds a run while the first one is pending: await until no new run appeared.
  for (let i = 0; i < runs.length; i++) outcomes.push(await runs[i]!.done);
  const settleMs = bench.fake.clock.now() - start;
  const settled = outcomes.every((o) => o !== "unsettled") && settleMs <= BOUND_MS;

  let lost = 0;
  let duplicated = 0;
  const misclassified: string[] = [];
  outcomes.forEach((outcome, i) => {
    const delivered = runs[i]!.stdout;
    const succeeded = outcome !== "unsettled" && outcome.status === "succeeded";
    const audit = auditLines(LINES, delivered, succeeded);
    lost += audit.lost;
    duplicated += audit.duplicated;
    if (audit.invented) misclassified.push(`${audit.invented} invented lines`);
    if (outcome !== "unsettled") {
      const complete = delivered.length === LINES.length && audit.lost + audit.duplicated + audit.invented === 0;
      const clusterFault = struckWhileRunning && CLUSTER_FAULTS.has(kind) ? kind : null;
      misclassified.push(...misclassification(outcome, { complete, cancelled: cancel.signal.aborted, shutdown: shutdown.signal.aborted, clusterFault }));
    }
  });

  const kept = new Set(outcomes.flatMap((o) => (o !== "unsettled" && o.job?.kept ? [o.job.name] : [])));
  const leaked: string[] = [];
  if (settled) {
    await bench.fake.clock.sleep(LEAK_GRACE_MS);
    const jobs = bench.fake.jobs().map((j) => j.ref.name);
    leaked.push(...jobs.filter((j) => !kept.has(j)).map((j) => `Job ${j}`));
    leaked.push(...bench.fake.secrets().filter((s) => s.ref.name.endsWith("-payload") && !jobs.some((j) => s.ref.name === `${j}-payload`)).map((s) => `Secret ${s.ref.name}`));
  }
  for (const signal of [cancel, shutdown]) signal.abort();
  bench.dispose();
  return {
    kind,
    seed,
    plan: faults.map((f) => f.describe),
    outcomes: outcomes.map((o) => (o === "unsettled" ? "unsettled" : (o.errorCode ?? o.status))),
    settled,
    settleMs,
    lost,
    duplicated,
    misclassified,
    leaked,
  };
}
