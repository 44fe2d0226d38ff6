import { claimOutlivesRun, DEFAULT_READ_RETRY, ERROR_CODES, type RunOutcome } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { payloads, scenario, scripted, transcriptLines, type Scenario } from "./harness.js";

// A small seeded PRNG so a failing seed replays exactly (print it, rerun with CHAOS_SEEDS=<seed>).
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OPERATIONS = ["get job", "list jobs", "watch jobs", "list pods", "watch pods", "follow log", "get pod", "create job", "create secret", "patch job", "delete job"];
const ERRORS = ["429", "500", "503", "504", "reset"] as const;
const RUN_MS = 5 * 60_000;
/** Virtual-time bound for one run: the run's own length, the start timeout, grace periods and unreachability. */
const BOUND_MS = RUN_MS + 3 * 3600_000;

/**
 * The requests the guard makes before it creates a Job, each tried as often as a read: the agent claim's create
 * (its first request), the Job informer's list, the live Jobs' pods.
 */
const GUARD_READS = new Set(["create secret", "list jobs", "list pods"]);

interface Schedule {
  readonly describe: string[];
  /**
   * A fault on a guard read that can outlast the ports' read retries (as the Kubernetes adapters retry):
   * more failures in a row than the retry policy's attempts, a probability, or a window. Only such a fault
   * may end a run `k8s_concurrency_guard_unreachable`.
   */
  readonly guardFaultOutlastsRetries: boolean;
  apply(s: Scenario, jobName: () => string | undefined, cancel: AbortController, shutdown: AbortController): void;
}

function schedule(seed: number): Schedule {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const actions: { at: number; what: string; run: (s: Scenario, job: () => string | undefined, c: AbortController, sd: AbortController) => void }[] = [];
  const setups: { what: string; run: (s: Scenario) => void }[] = [];
  let guardFaultOutlastsRetries = false;
  const faults = 1 + Math.floor(r() * 4);
  for (let i = 0; i < faults; i += 1) {
    const kind = pick(["api", "api", "logcut", "logstall", "logcut-now", "logstall-now", "watch-expiry", "watch-silence", "status-lag", "condition-lag", "delete", "evict", "cancel", "shutdown", "node-loss"]);
    const at = Math.floor(r() * RUN_MS);
    switch (kind) {
      case "api": {
        const operation = pick(OPERATIONS);
        const error = pick(ERRORS);
        const mode = pick(["count", "probability", "window"]);
        const count = 1 + Math.floor(r() * 5);
        const probability = r() * 0.5;
        const span = Math.floor(r() * 180_000);
        if (GUARD_READS.has(operation) && (mode !== "count" || count >= DEFAULT_READ_RETRY.attempts)) guardFaultOutlastsRetries = true;
        setups.push({
          what: `api ${operation} ${error} ${mode}`,
          run: (s) =>
            s.fake.faults.failRequests(
              mode === "count"
                ? { operation, error, count, retryAfterMs: 2_000 }
                : mode === "probability"
                  ? { operation, error, probability, retryAfterMs: 2_000 }
                  : { operation, error, from: s.fake.clock.now() + at, until: s.fake.clock.now() + at + span, retryAfterMs: 2_000 },
            ),
        });
        break;
      }
      case "logcut": {
        const everyMs = 200 + Math.floor(r() * 10_000);
        const mode = pick(["eof", "error"] as const);
        setups.push({ what: `log cut every ${everyMs} ms (${mode})`, run: (s) => s.fake.faults.cutLogStreams({ everyMs, mode }) });
        break;
      }
      case "logstall": {
        // Half-open follows: the follower notices only by its idle bound and reopens from the cursor.
        const afterMs = 1_000 + Math.floor(r() * 60_000);
        setups.push({ what: `log streams stall ${afterMs} ms after opening`, run: (s) => s.fake.faults.stallLogStreams({ afterMs }) });
        break;
      }
      case "logcut-now": {
        // One cut of the follow open at that moment, wherever in the transcript it is.
        const mode = pick(["eof", "error"] as const);
        actions.push({ at, what: `open log stream cut (${mode}) at ${at}`, run: (s) => void s.fake.faults.cutOpenLogStreams(mode) });
        break;
      }
      case "logstall-now":
        actions.push({ at, what: `open log stream half-open at ${at}`, run: (s) => void s.fake.faults.stallOpenLogStreams() });
        break;
      case "watch-expiry":
        actions.push({ at, what: `watch expiry at ${at}`, run: (s) => s.fake.faults.expireWatches() });
        break;
      case "watch-silence":
        // Half-open watches: no event, no bookmark, no close, until the watcher's own silence bound.
        actions.push({ at, what: `watches silent at ${at}`, run: (s) => s.fake.faults.silenceWatches() });
        break;
      case "status-lag": {
        const ms = Math.floor(r() * 30_000);
        setups.push({ what: `status lag ${ms}`, run: (s) => s.fake.faults.statusLag(ms) });
        break;
      }
      case "condition-lag": {
        const ms = Math.floor(r() * 90_000);
        setups.push({ what: `condition lag ${ms}`, run: (s) => s.fake.faults.jobConditionLag(ms) });
        break;
      }
      case "delete":
        actions.push({ at, what: `external delete at ${at}`, run: (s, job) => void (job() && s.fake.deleteJobExternally(job()!).catch(() => undefined)) });
        break;
      case "evict":
        actions.push({
          at,
          what: `evict at ${at}`,
          run: (s) => {
            const pod = s.fake.pods("clipjob")[0];
            if (pod) void s.fake.evictPod(pod.ref.name).catch(() => undefined);
          },
        });
        break;
      case "node-loss":
        actions.push({
          at,
          what: `node loss at ${at}`,
          run: (s) => {
            const pod = s.fake.pods("clipjob")[0];
            if (pod?.nodeName) s.fake.loseNode(pod.nodeName);
          },
        });
        break;
      case "cancel":
        actions.push({ at, what: `cancel at ${at}`, run: (_s, _j, c) => c.abort() });
        break;
      case "shutdown":
        actions.push({ at, what: `shutdown at ${at}`, run: (_s, _j, _c, sd) => sd.abort() });
        break;
    }
  }
  return {
    describe: [...setups.map((x) => x.what), ...actions.map((x) => x.what)],
    guardFaultOutlastsRetries,
    apply(s, job, cancel, shutdown) {
      for (const x of setups) x.run(s);
      for (const a of actions) void s.fake.clock.sleep(a.at).then(() => a.run(s, job, cancel, shutdown));
    },
  };
}

const CODES = new Set<string>(ERROR_CODES);

async function chaosRun(seed: number): Promise<{ outcome: RunOutcome; problems: string[]; plan: string[] }> {
  const s = scenario({ seed });
  const lines = transcriptLines(30);
  const plan = schedule(seed);
  const cancel = new AbortController();
  const shutdown = new AbortController();
  const t0 = s.fake.clock.now();
  const { done, seen } = s.start(scripted({ lines, runMs: RUN_MS }, { configOverrides: { timeoutSec: 0, apiUnreachableSec: 600 } }), {
    cancelSignal: cancel.signal,
    shutdownSignal: shutdown.signal,
  });
  plan.apply(s, () => seen.jobs[0], cancel, shutdown);
  const outcome = await done;
  const problems: string[] = [];
  if (s.fake.clock.now() - t0 > BOUND_MS) problems.push(`settled after ${s.fake.clock.now() - t0} ms (bound ${BOUND_MS})`);
  if (outcome.errorCode !== null && !CODES.has(outcome.errorCode)) problems.push(`unknown code ${outcome.errorCode}`);
  if (outcome.errorCode === null && outcome.status !== "succeeded") problems.push(`unclassified ${outcome.status}`);
  if (outcome.errorCode === "adapter_internal_error") problems.push(`internal error: ${outcome.errorMessage}`);
  // A blip the read retries absorb in production must not end the run on the fake either.
  if (outcome.errorCode === "k8s_concurrency_guard_unreachable" && !plan.guardFaultOutlastsRetries) problems.push(`guard unreachable on faults the read retries absorb: ${outcome.errorMessage}`);
  // Lines: in order, never duplicated, never invented; complete when the run succeeded.
  const prefixOk = seen.stdout.every((l, i) => l === lines[i]);
  if (!prefixOk) problems.push(`stdout is not a prefix of the transcript (lost or duplicated lines): got ${seen.stdout.length}`);
  if (outcome.status === "succeeded" && seen.stdout.length !== lines.length) problems.push(`succeeded with ${seen.stdout.length}/${lines.length} lines`);
  // Leaks: a Job the outcome says is gone must be gone, and its payload must follow it.
  await s.fake.clock.sleep(120_000);
  const jobs = s.fake.jobs("clipjob").map((j) => j.ref.name);
  if (outcome.job && !outcome.job.kept && jobs.includes(outcome.job.name)) problems.push(`Job ${outcome.job.name} leaked`);
  // The agent claim holds the payload: it outlives the run only with a Job left running for a successor.
  const orphanPayloads = payloads(s.fake).filter((p) => (p.startsWith("clipjob-agent-") ? !claimOutlivesRun(outcome) : !jobs.some((j) => p.startsWith(j))));
  if (orphanPayloads.length) problems.push(`payload leaked: ${orphanPayloads.join(", ")}`);
  if (!outcome.job && jobs.length) problems.push(`a Job exists although the run reports none: ${jobs.join(", ")}`);
  s.dispose();
  return { outcome, problems, plan: plan.describe };
}

const SEEDS = process.env.CHAOS_SEEDS
  ? process.env.CHAOS_SEEDS.split(",").map(Number)
  : Array.from({ length: Number(process.env.CHAOS_RUNS ?? 1000) }, (_, i) => i + 1);

describe("chaos: random fault schedules", () => {
  it(`${SEEDS.length} seeded runs settle within bound, classified, with no lost/duplicated line and no leak`, async () => {
    const failures: string[] = [];
    const byCode = new Map<string, number>();
    for (const seed of SEEDS) {
      const { outcome, problems, plan } = await chaosRun(seed);
      const key = outcome.errorCode ?? outcome.status;
      byCode.set(key, (byCode.get(key) ?? 0) + 1);
      if (problems.length) failures.push(`seed ${seed} [${plan.join("; ")}] → ${key}: ${problems.join(" | ")}`);
    }
    console.log(`chaos outcomes over ${SEEDS.length} seeds:`, Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])));
    expect(failures).toEqual([]);
    // 1000 whole runs on virtual time, CPU-bound: 106 s measured on 2 cores during a Go build, 192–286 s with every core busy
    // (900 s leaves 3× the worst seen).
  }, 900_000);
});
