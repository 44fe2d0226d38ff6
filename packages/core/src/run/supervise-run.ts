// Supervising a Job that exists: the watchers fold what they see, `decideRun` decides, and this small loop
// performs the effects and sleeps until the decision's wake time or the next observation. Then settle: read
// the container's termination, clean up per policy, classify.

import type { ClipjobConfig } from "../config/clipjob-config.js";
import type { RunEnding } from "../outcome/classify-input.js";
import { classifyOutcome } from "../outcome/classify-outcome.js";
import type { RunFacts } from "../outcome/run-facts.js";
import type { JobDisposition, PodTermination, RunOutcome } from "../outcome/run-outcome.js";
import type { JobRef, JobSnapshot } from "../ports/cluster-objects.js";
import { createTranscriptReducer } from "../stream/transcript-reducer.js";
import { decideRun, endingDeletesJob, endingHidesExitCode, type RunEffect } from "./decide-run.js";
import { describeError } from "./error-text.js";
import { observeRun, type ObservedRun } from "./observed-run.js";
import { agentTermination } from "./pod-state.js";
import type { RunReporter } from "./run-reporter.js";
import { RunWatchers, type WatcherPorts } from "./run-watchers.js";

const TERMINATION_READS = 8;
const TERMINATION_READ_INTERVAL_MS = 500;

export interface SuperviseOptions {
  readonly cancelSignal?: AbortSignal;
  readonly shutdownSignal?: AbortSignal;
  /** Aborts (reason: the new holder) when another process took over the agent's claim: stop, leave the Job to it. */
  readonly takeoverSignal?: AbortSignal;
}

export interface SupervisedJob {
  readonly job: JobSnapshot;
  readonly reattached: boolean;
  readonly config: ClipjobConfig;
  /** The session the run tried to resume, if any (for classification). */
  readonly resumedSessionId: string | null;
  /** Memory limit, API endpoint and credential sources of the planned pod, for outcome messages. */
  readonly facts?: RunFacts;
  /**
   * The Job is owned by the run's agent claim, which the run deletes after clean-up: a finished Job is then
   * collected with it, and clean-up deletes only a Job whose pods must be stopped now.
   */
  readonly ownedByClaim?: boolean;
}

/** Supervises the Job to its ending and returns the classified outcome. */
export async function superviseJob(ports: WatcherPorts, reporter: RunReporter, options: SuperviseOptions, run: SupervisedJob): Promise<RunOutcome> {
  const { clock } = ports;
  const ref = run.job.ref;
  await reporter.phase("waiting_for_pod");
  const observed = observeRun(run.job, reporter.startedAt, clock.now());
  const reducer = createTranscriptReducer();
  const watchers = new RunWatchers(ports, observed, reducer, reporter);
  const stop = new AbortController();
  const wake = () => watchers.changed.notify();
  options.cancelSignal?.addEventListener("abort", wake);
  options.shutdownSignal?.addEventListener("abort", wake);
  options.takeoverSignal?.addEventListener("abort", wake);
  const tasks = [watchers.watchJob(ref, stop.signal), watchers.watchPods(ref, stop.signal)];
  const perform = async (effect: RunEffect): Promise<void> => {
    if (effect.kind === "follow_log") {
      observed.followerStarted = true;
      await reporter.phase("running");
      tasks.push(watchers.follow(ref, effect.pod, stop.signal));
      return;
    }
    observed.keepaliveCheckedAt = clock.now();
    if (effect.secondsSinceOutput !== null) {
      await reporter.progress({ type: "keepalive", job: ref.name, secondsSinceOutput: effect.secondsSinceOutput, atMs: clock.now() });
    }
  };
  let ending: RunEnding;
  try {
    for (;;) {
      foldSignals(observed, options);
      const now = clock.now();
      const decision = decideRun(observed, run.config, now);
      if (decision.kind === "end") {
        if (decision.notice) await reporter.notice("warn", decision.notice);
        ending = decision.ending;
        break;
      }
      for (const effect of decision.effects) await perform(effect);
      await watchers.changed.wait(decision.wakeAt === null ? null : decision.wakeAt - now);
    }
  } finally {
    stop.abort();
    options.cancelSignal?.removeEventListener("abort", wake);
    options.shutdownSignal?.removeEventListener("abort", wake);
    options.takeoverSignal?.removeEventListener("abort", wake);
  }
  await Promise.allSettled(tasks);
  // The Job finished but its log was never read to the end (the grace ran out while the follow kept
  // failing): the transcript's end is unknown, and no verdict about Claude may rest on it.
  if (ending.kind === "job_finished" && observed.jobTerminalAt !== null && observed.followerStarted && observed.logDrainedAt === null) await watchers.logUnread();

  await reporter.phase("settling");
  const needsTermination = ending.kind !== "cancelled" && ending.kind !== "shutdown" && ending.kind !== "unreachable" && ending.kind !== "taken_over";
  const read = needsTermination ? await readTermination(ports, observed) : agentTermination(observed.pod);
  const termination = endingHidesExitCode(ending) ? null : read;

  await reporter.phase("cleaning_up");
  const disposition = await cleanUp(ports, reporter, ref, run, ending);
  return classifyOutcome({
    transcript: reducer.summary(),
    termination,
    podPresence: observed.podGone ? "gone" : observed.pod ? "present" : "unknown",
    ...(observed.pod ? { podPhase: observed.pod.phase } : {}),
    ending,
    job: disposition,
    configuredModel: run.config.model,
    resumedSessionId: run.resumedSessionId,
    tail: [...watchers.tail],
    nowMs: clock.now(),
    durationMs: clock.now() - reporter.startedAt,
    transcriptGaps: observed.transcriptGaps,
    garbledLines: observed.garbledLines,
    ...(run.facts ? { facts: run.facts } : {}),
  });
}

function foldSignals(o: ObservedRun, options: SuperviseOptions): void {
  const cancel = options.cancelSignal;
  if (cancel?.aborted && !o.cancelled) o.cancelled = typeof cancel.reason === "string" ? { reason: cancel.reason } : {};
  if (options.shutdownSignal?.aborted) o.shutdown = true;
  const takeover = options.takeoverSignal;
  if (takeover?.aborted && o.takenOverBy === null) o.takenOverBy = String(takeover.reason);
}

/** The kubelet may report the container's exit a little after the Job says it is done. */
async function readTermination(ports: WatcherPorts, o: ObservedRun): Promise<PodTermination | null> {
  const known = agentTermination(o.pod);
  if (known || o.podGone || !o.pod) return known;
  for (let attempt = 0; attempt < TERMINATION_READS; attempt += 1) {
    try {
      o.counters.polls += 1;
      const pods = await ports.cluster.listPods(o.job.ref);
      const pod = pods.find((p) => p.ref.uid === o.pod?.ref.uid) ?? null;
      if (!pod) {
        o.podGone = true;
        return null;
      }
      o.pod = pod;
      const termination = agentTermination(pod);
      if (termination) return termination;
      if ((pod.phase === "Pending" || pod.phase === "Running") && o.jobTerminalAt === null) return null;
    } catch {
      // A failing read is retried within the same small bound; classification copes with null.
    }
    await ports.clock.sleep(TERMINATION_READ_INTERVAL_MS);
  }
  return null;
}

async function cleanUp(ports: WatcherPorts, reporter: RunReporter, ref: JobRef, run: SupervisedJob, ending: RunEnding): Promise<JobDisposition> {
  const base = { namespace: ref.namespace, name: ref.name, reattached: run.reattached };
  if (ending.kind === "job_gone") return { ...base, kept: false };
  if (ending.kind === "shutdown") return { ...base, kept: true, keptBecause: "shutdown" };
  if (ending.kind === "taken_over") return { ...base, kept: true, keptBecause: "taken_over" };
  if (ending.kind === "unreachable") return { ...base, kept: true, keptBecause: "outcome_unknown" };
  if (ending.kind === "state_mismatch") return { ...base, kept: true, keptBecause: "state_mismatch" };
  if (run.config.retainJobs && !endingDeletesJob(ending)) return { ...base, kept: true, keptBecause: "retain" };
  // A finished Job has no pod left to stop: the claim's delete (the run's last request) collects it.
  if (run.ownedByClaim === true && ending.kind === "job_finished" && !endingDeletesJob(ending)) return { ...base, kept: false };
  try {
    await ports.cluster.deleteJob(ref, "Background");
    return { ...base, kept: false };
  } catch (error) {
    const then = run.ownedByClaim === true ? "the garbage collector removes it with the agent claim that owns it" : "its TTL will remove it";
    await reporter.notice("warn", `Failed to delete Job ${ref.name}; ${then}: ${describeError(error)}`);
    return { ...base, kept: true, keptBecause: "delete_failed" };
  }
}
