import { ANNOTATION_CLAIM_JOB, claimOutlivesRun, ERROR_CODES, transcriptGapMessage, type RunOptions, type RunOutcome, type RunRequest } from "@clipjob/core";
import type { FakeCluster, Program } from "@clipjob/fake-cluster";
import { benchCluster, benchRequest } from "../bench-cluster.js";
import { realisticTranscript } from "../realistic-transcript.js";
import { seededRandom } from "../seeded-random.js";
import { evenScript, type ChaosScript } from "./chaos-scripts.js";
import { planChaos, type FaultKind, FAULT_KINDS } from "./fault-kinds.js";
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
const LINES: readonly string[] = [...new Set(realisticTranscript(11).lines(60_000))];
export const LINE_COUNT = LINES.length;

export interface ChaosReport {
  readonly kind: FaultKind;
  readonly seed: number;
  readonly plan: readonly string[];
  readonly outcomes: readonly string[];
  readonly settled: boolean;
  readonly settleMs: number;
  readonly lost: number;
  /** Lines missing exactly where the run reported a transcript gap. */
  readonly gapped: number;
  /** Transcript gaps reported where no line was missing. */
  readonly needlessGaps: number;
  readonly duplicated: number;
  /** Most Jobs of the agent alive at once, beyond one (one agent, one Job at a time, across processes). */
  readonly extraJobs: number;
  /** Jobs created after an earlier one of the agent had ended (a task run again, not concurrently). */
  readonly laterJobs: number;
  readonly misclassified: readonly string[];
  readonly leaked: readonly string[];
  /** Other broken invariants (a racing run that was not refused as concurrent…). */
  readonly broken: readonly string[];
}

/** The container: `script`'s writes at its virtual times, striking its keyed faults on `fake`. */
function scriptProgram(script: ChaosScript, fake: FakeCluster): Program {
  return async (ctx) => {
    for (const step of script.steps) {
      await ctx.sleep(step.afterMs);
      if (step.line !== undefined) ctx.stdout(step.line);
      if (step.chunk !== undefined) ctx.write("stdout", step.chunk);
      step.strike?.(fake);
    }
    return 0;
  };
}

interface Watched {
  readonly stdout: string[];
  /** Transcript-gap notices, with how many stdout lines had been delivered when each arrived. */
  readonly notices: { readonly message: string; readonly at: number }[];
  done: Promise<RunOutcome | "unsettled">;
  job: string | undefined;
}

type RunFn = (request: RunRequest, options: RunOptions) => Promise<RunOutcome>;

function watch(fake: FakeCluster, run: RunFn, request: RunRequest, signals: { cancel: AbortSignal; shutdown: AbortSignal }, delayMs = 0): Watched {
  const watched: Watched = { stdout: [], notices: [], done: Promise.resolve("unsettled"), job: undefined };
  const observer = {
    onLine: (stream: "stdout" | "stderr", line: string) => void (stream === "stdout" && watched.stdout.push(line)),
    onProgress: (event: { type: string; message?: string }) => void (event.type === "notice" && event.message !== undefined && watched.notices.push({ message: event.message, at: watched.stdout.length })),
    onJob: (job: { name: string }) => void (watched.job = job.name),
  };
  const started = (delayMs > 0 ? fake.clock.sleep(delayMs) : Promise.resolve()).then(() => run(request, { cancelSignal: signals.cancel, shutdownSignal: signals.shutdown, observer }));
  let wallTimer: NodeJS.Timeout | undefined;
  const wallLimit = new Promise<"unsettled">((resolve) => (wallTimer = setTimeout(() => resolve("unsettled"), WALL_LIMIT_MS)));
  const virtualLimit = fake.clock.sleep(2 * BOUND_MS).then(() => "unsettled" as const);
  watched.done = Promise.race([started, wallLimit, virtualLimit]).finally(() => clearTimeout(wallTimer));
  return watched;
}

/** Where the run's transcript gaps were reported: indexes into its stdout of the lines each gap came before. */
function gapPositions(outcome: RunOutcome | "unsettled", watched: Watched): Set<number> {
  const at = new Set<number>();
  if (outcome === "unsettled") return at;
  for (const gap of outcome.transcriptGaps ?? []) {
    const notice = watched.notices.find((n) => n.message === transcriptGapMessage(gap));
    if (notice) at.add(notice.at);
  }
  return at;
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
  const plan = planChaos(kind, random, RUN_MS, LINES);
  const script = plan.script ?? evenScript(LINES, RUN_MS);
  const bench = benchCluster({ seed, ...plan.cluster });
  const fake = bench.fake;
  fake.registerProgram("chaos", scriptProgram(script, fake));
  const jobs = jobCensus(fake);
  const request = benchRequest("chaos", { config: { apiUnreachableSec: 600 } });
  const cancel = new AbortController();
  const shutdown = new AbortController();
  const start = fake.clock.now();
  const never = new AbortController().signal;
  const runs: Watched[] = [];
  if (plan.race) {
    // Two replicas' heartbeats for one agent: each process runs its own request, `offsetMs` apart.
    const { offsetMs, first, sameTask } = plan.race;
    const other = sameTask ? request : benchRequest("chaos", { config: { apiUnreachableSec: 600 } });
    const a = bench.openProcess("replica-a");
    const b = bench.openProcess("replica-b");
    runs.push(watch(fake, a.run, request, { cancel: never, shutdown: never }, first === "a" ? 0 : offsetMs));
    runs.push(watch(fake, b.run, { ...other, runId: `${request.runId}-b` }, { cancel: never, shutdown: never }, first === "b" ? 0 : offsetMs));
  } else runs.push(watch(fake, bench.run, request, { cancel: cancel.signal, shutdown: shutdown.signal }));
  const target = {
    fake,
    job: () => runs[0]!.job,
    cancel: () => cancel.abort(),
    shutdown: () => shutdown.abort(),
    restartHost: () => {
      bench.restartHost();
      // The next heartbeat of the same task: a new run id, reattaching to the Job the dead process left.
      runs.push(watch(fake, bench.run, { ...request, runId: `${request.runId}-after-restart` }, { cancel: never, shutdown: never }));
    },
  };
  let struckWhileRunning = false;
  let firstSettled = false;
  void runs[0]!.done.then(() => (firstSettled = true));
  for (const fault of plan.faults) {
    void fake.clock.sleep(fault.at).then(() => {
      if (!firstSettled) struckWhileRunning = true;
      fault.apply(target);
    });
  }

  const outcomes: (RunOutcome | "unsettled")[] = [];
  // A restart adds a run while the first one is pending: await until no new run appeared.
  for (let i = 0; i < runs.length; i++) outcomes.push(await runs[i]!.done);
  const settleMs = fake.clock.now() - start;
  const settled = outcomes.every((o) => o !== "unsettled") && settleMs <= BOUND_MS;

  let lost = 0;
  let gapped = 0;
  let needlessGaps = 0;
  let duplicated = 0;
  const misclassified: string[] = [];
  const broken: string[] = [];
  outcomes.forEach((outcome, i) => {
    const delivered = runs[i]!.stdout;
    // A success, or a verdict about Claude (claude_*, read from how its transcript ends), claims the whole log was read.
    const claimsAll = outcome !== "unsettled" && (outcome.status === "succeeded" || (outcome.errorCode?.startsWith("claude_") ?? false));
    const audit = auditLines(script.lines, delivered, claimsAll, gapPositions(outcome, runs[i]!));
    lost += audit.lost;
    gapped += audit.gapped;
    needlessGaps += audit.needlessGaps;
    duplicated += audit.duplicated;
    if (audit.invented) misclassified.push(`${audit.invented} invented lines`);
    if (outcome !== "unsettled") {
      // Complete: every line, or every line but those a reported gap accounts for.
      const complete = delivered.length + audit.gapped === script.lines.length && audit.lost + audit.duplicated + audit.invented === 0;
      const clusterFault = struckWhileRunning && CLUSTER_FAULTS.has(kind) ? kind : null;
      misclassified.push(...misclassification(outcome, { complete, cancelled: cancel.signal.aborted, shutdown: shutdown.signal.aborted, clusterFault }));
    }
  });
  if (plan.race && settled) broken.push(...raceProblems(outcomes as RunOutcome[], jobs.created));
  // The dead process's Job is the task's: reattached while it runs, delivered once it has finished (its claim
  // outlived the process, so nobody delivered it). Running the task in a second Job repeats its work.
  if (kind === "host-restart" && struckWhileRunning && jobs.created > 1) broken.push(`${jobs.created} Jobs were created for one task across the host restart (want 1: the orphan is reattached, or delivered once finished)`);

  const kept = new Set(outcomes.flatMap((o) => (o !== "unsettled" && o.job?.kept ? [o.job.name] : [])));
  const leaked: string[] = [];
  if (settled) {
    await fake.clock.sleep(LEAK_GRACE_MS);
    const jobs = fake.jobs().map((j) => j.ref.name);
    leaked.push(...jobs.filter((j) => !kept.has(j)).map((j) => `Job ${j}`));
    leaked.push(...fake.secrets().filter((s) => s.ref.name.endsWith("-payload") && !jobs.some((j) => s.ref.name === `${j}-payload`)).map((s) => `Secret ${s.ref.name}`));
    // An agent claim outlives its run only with the Job it was made for, kept running for a successor.
    const claimsKept = new Set(outcomes.flatMap((o) => (o.job && claimOutlivesRun(o) ? [o.job.name] : [])));
    leaked.push(...fake.secrets().filter((s) => s.ref.name.startsWith("clipjob-agent-") && !claimsKept.has(s.annotations[ANNOTATION_CLAIM_JOB] ?? "")).map((s) => `claim Secret ${s.ref.name}`));
  }
  for (const signal of [cancel, shutdown]) signal.abort();
  bench.dispose();
  return {
    kind,
    seed,
    plan: [...(plan.describe ?? []), ...plan.faults.map((f) => f.describe)],
    outcomes: outcomes.map((o) => (o === "unsettled" ? "unsettled" : (o.errorCode ?? o.status))),
    settled,
    settleMs,
    lost,
    gapped,
    needlessGaps,
    duplicated,
    extraJobs: Math.max(0, jobs.maxAlive - 1),
    laterJobs: Math.max(0, jobs.created - Math.max(1, jobs.maxAlive)),
    misclassified,
    leaked,
    broken,
  };
}

/**
 * The agent's Jobs as the API server saw them: how many were created, and the most alive at once (from
 * creation until a Complete/Failed condition or deletion).
 */
function jobCensus(fake: FakeCluster): { readonly created: number; readonly maxAlive: number } {
  const alive = new Set<string>();
  const census = { created: 0, maxAlive: 0 };
  fake.store.onChange((e) => {
    if (e.object.kind !== "Job") return;
    const name = e.object.metadata.name;
    if (e.type === "ADDED") census.created++;
    const ended = e.type === "DELETED" || e.object.status.conditions.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    if (ended) alive.delete(name);
    else if (e.type === "ADDED") alive.add(name);
    census.maxAlive = Math.max(census.maxAlive, alive.size);
  });
  return census;
}

/** Two processes raced for one agent: exactly one Job ever existed, one run ran it to the end, the other was refused as concurrent before creating anything. */
function raceProblems(outcomes: readonly RunOutcome[], jobsCreated: number): string[] {
  if (jobsCreated !== 1) return [`${jobsCreated} Jobs were created for the racing runs (want exactly 1)`];
  const refused = outcomes.filter((o) => o.errorCode === "k8s_concurrent_run_blocked");
  if (refused.length !== 1) return [`${refused.length} of the racing runs ended k8s_concurrent_run_blocked (want exactly 1)`];
  const problems: string[] = [];
  if (refused[0]!.job !== null) problems.push(`the refused run reports Job ${refused[0]!.job.name}`);
  const winner = outcomes.find((o) => o !== refused[0])!;
  if (winner.status !== "succeeded") problems.push(`the other racing run ended ${winner.errorCode ?? winner.status}`);
  return problems;
}
