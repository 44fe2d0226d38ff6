// The supervisor's decision, as a reconcile: from what the run has observed, the config and the time, either
// the ending or the effects to perform and when to look again. Pure. Each rule yields its verdict and the
// time it would change together, so a rule can never fire late for want of a timer.

import type { ClipjobConfig } from "../config/clipjob-config.js";
import type { RunEnding } from "../outcome/classify-input.js";
import type { ObjectRef } from "../ports/cluster-objects.js";
import { jobGoneForensics, type ObservedRun } from "./observed-run.js";
import { agentStarted, agentTermination, describePod } from "./pod-state.js";

/** The config keys the decision reads (seconds). */
export type DecideConfig = Pick<ClipjobConfig, "timeoutSec" | "graceSec" | "startTimeoutSec" | "keepaliveSec" | "apiUnreachableSec">;

export type RunEffect =
  /** Claude's container started (or finished before it was seen running): follow its log. */
  | { readonly kind: "follow_log"; readonly pod: ObjectRef }
  /** A keepalive interval passed; `secondsSinceOutput` is set when Claude has been silent for all of it. */
  | { readonly kind: "keepalive"; readonly secondsSinceOutput: number | null };

export type RunDecision =
  | { readonly kind: "end"; readonly rule: string; readonly ending: RunEnding; readonly notice?: string }
  /** `wakeAt` (ms on the run's clock) is when some rule's verdict changes with time alone; null: only events. */
  | { readonly kind: "continue"; readonly effects: readonly RunEffect[]; readonly wakeAt: number | null };

/** A rule's answer: an ending, an effect, and/or the time its answer would change without any new event. */
interface Verdict {
  readonly ending?: RunEnding;
  readonly notice?: string;
  readonly effect?: RunEffect;
  readonly wakeAt?: number;
}

interface RunRule {
  readonly name: string;
  decide(o: Readonly<ObservedRun>, c: DecideConfig, now: number): Verdict | null;
}

/**
 * The least time a terminal Job's log gets to drain, whatever `graceSec` (Claude's SIGTERM grace, 0 allowed)
 * says: a follow gone half-open at the exit is reopened only FOLLOW_FINISHED_IDLE_MS (10 s) after the exit
 * was seen, and the reopened follow then reads the tail. A shorter wait reported a run whose result line was
 * still on its way as claude_truncated (seen on the real node with graceSec 5).
 */
export const MIN_LOG_DRAIN_MS = 30_000;
/** After a Job vanished, how long to let the log follower finish what it was reading. */
export const JOB_GONE_DRAIN_MS = 5_000;
/**
 * How long transient image pull errors (registry timeouts, 5xx, rate limits) are waited out before the run
 * ends k8s_image_pull_failed (never past the start timeout, which then ends it with the same code). Definite ones (not found, unauthorised,
 * invalid name, never-pull) end it at once.
 */
export const TRANSIENT_PULL_BOUND_SEC = 90;
/** Evicted after Claude wrote a successful result: the work is done and the exit code is the kill's. */
export const DISRUPTED_AFTER_RESULT = "DisruptedAfterResult";
/** Claude printed its result and lingered: the run finished it and deletes the Job. */
export const RESULT_WITHOUT_EXIT = "ResultWithoutExit";

/** A verdict that is due at `at`: the ending now, or a wake-up then. */
function dueAt(at: number, now: number, ending: () => RunEnding): Verdict {
  return now >= at ? { ending: ending() } : { wakeAt: at };
}

/** Neither terminal nor gone: the Job is still, as far as the run knows, running. */
function jobOpen(o: Readonly<ObservedRun>): boolean {
  return o.jobTerminalAt === null && o.jobGone === null;
}

/** The rules in the order they are asked; the first ending wins. */
export const RUN_RULES: readonly RunRule[] = [
  { name: "cancelled", decide: (o) => (o.cancelled ? { ending: { kind: "cancelled", ...o.cancelled } } : null) },
  { name: "shutdown", decide: (o) => (o.shutdown ? { ending: { kind: "shutdown" } } : null) },
  { name: "taken_over", decide: (o) => (o.takenOverBy !== null ? { ending: { kind: "taken_over", by: o.takenOverBy } } : null) },
  { name: "fatal", decide: (o) => (o.fatal ? { ending: { kind: "pod_fatal", code: o.fatal.code, message: o.fatal.message } } : null) },
  {
    // Unreachable only when the control channel (watches, reads) has failed for the whole bound and the log
    // has not flowed either: a flowing log proves Claude is alive even if status cannot be read.
    name: "api_unreachable",
    decide: (o, c, now) => {
      if (o.unreachableSince === null) return null;
      const since = o.unreachableSince;
      const bound = c.apiUnreachableSec * 1000;
      return dueAt(Math.max(since, o.lastOutputAt) + bound, now, () => ({
        kind: "unreachable",
        detail: `The Kubernetes API stayed unreachable for ${Math.round((now - since) / 1000)}s: ${o.lastError}`,
      }));
    },
  },
  {
    name: "deadline",
    decide: (o, c, now) => {
      if (c.timeoutSec <= 0 || !jobOpen(o)) return null;
      return dueAt(o.runStartedAt + (c.timeoutSec + c.graceSec) * 1000, now, () => ({ kind: "deadline", timeoutSec: c.timeoutSec }));
    },
  },
  {
    name: "image_pull_bound",
    decide: (o, c, now) => {
      const trouble = o.imagePullTrouble;
      if (!trouble || agentStarted(o.pod) || !jobOpen(o)) return null;
      // The start timeout counts from the start of supervision, before the first pull error: when it falls due
      // first, the pull is still what kept the pod from starting, and the run says so.
      const startTimeoutAt = o.supervisingSince + c.startTimeoutSec * 1000;
      const boundAt = Math.min(trouble.since + TRANSIENT_PULL_BOUND_SEC * 1000, startTimeoutAt);
      const forSec = Math.round((boundAt - trouble.since) / 1000);
      const cap = boundAt === startTimeoutAt && boundAt < trouble.since + TRANSIENT_PULL_BOUND_SEC * 1000 ? ` (until the ${c.startTimeoutSec}s start timeout)` : "";
      return dueAt(boundAt, now, () => ({
        kind: "pod_fatal",
        code: "k8s_image_pull_failed",
        message: `Image pull failed: transient registry errors for ${forSec}s${cap}, still failing (${trouble.detail})`,
      }));
    },
  },
  {
    name: "start_timeout",
    decide: (o, c, now) => {
      if (agentStarted(o.pod) || !jobOpen(o)) return null;
      const last = o.pod ? `; last state: ${describePod(o.pod)}` : "; no pod was created";
      return dueAt(o.supervisingSince + c.startTimeoutSec * 1000, now, () => ({
        kind: "pod_fatal",
        code: "k8s_pod_schedule_failed",
        message: `Pod scheduling failed: timed out waiting for the pod to start (${c.startTimeoutSec}s)${last}`,
      }));
    },
  },
  {
    name: "job_gone",
    decide: (o, _c, now) => {
      if (!o.jobGone) return null;
      const gone = () => ({ kind: "job_gone", forensics: jobGoneForensics(o) }) as const;
      return o.logDrainedAt !== null ? { ending: gone() } : dueAt(o.jobGone.at + JOB_GONE_DRAIN_MS, now, gone);
    },
  },
  {
    name: "deleted_externally",
    decide: (o) =>
      o.externalDeletionAt !== null && jobOpen(o) && o.logDrainedAt !== null
        ? { ending: { kind: "job_gone", forensics: jobGoneForensics(o, "deletion-timestamp", o.externalDeletionAt) } }
        : null,
  },
  {
    name: "job_terminal",
    decide: (o, c, now) => {
      if (o.jobTerminalAt === null) return null;
      const drainMs = Math.max(c.graceSec * 1000, MIN_LOG_DRAIN_MS);
      return o.logDrainedAt !== null ? { ending: terminalEnding(o, c) } : dueAt(o.jobTerminalAt + drainMs, now, () => terminalEnding(o, c));
    },
  },
  {
    // Claude printed its result but the process lingers (background children keep it alive): the work is
    // done, so finish rather than wait for a deadline that may never come (timeoutSec 0). Only while the
    // pod's status is being read: a silent control channel is not evidence of a hang.
    name: "result_without_exit",
    decide: (o, c, now) => {
      if (o.resultSeenAt === null || o.unreachableSince !== null || o.logDrainedAt !== null || !jobOpen(o)) return null;
      const verdict = dueAt(o.resultSeenAt + c.graceSec * 1000, now, () => ({ kind: "job_finished", jobCondition: "Complete", jobReason: RESULT_WITHOUT_EXIT }));
      if (!verdict.ending) return verdict;
      return { ...verdict, notice: `Claude printed its result but did not exit within ${c.graceSec}s; finishing the run and deleting Job ${o.job.ref.name}` };
    },
  },
  {
    // Job-condition lag: the container is done but the controller has not said so yet.
    name: "log_ended_job_open",
    decide: (o, c, now) => {
      if (o.logDrainedAt === null || !jobOpen(o)) return null;
      return dueAt(o.logDrainedAt + c.graceSec * 1000, now, () => {
        const termination = agentTermination(o.pod);
        if (termination) return { kind: "job_finished", jobCondition: termination.exitCode === 0 ? "Complete" : "Failed" };
        return { kind: "state_mismatch", detail: `Job ${o.job.ref.name} did not reach a terminal condition within ${c.graceSec}s after its log ended` };
      });
    },
  },
  {
    name: "follow_log",
    decide: (o) => {
      if (o.followerStarted || !o.pod) return null;
      return agentStarted(o.pod) || o.jobTerminalAt !== null ? { effect: { kind: "follow_log", pod: o.pod.ref } } : null;
    },
  },
  {
    name: "keepalive",
    decide: (o, c, now) => {
      const interval = c.keepaliveSec * 1000;
      if (interval <= 0) return null;
      const due = o.keepaliveCheckedAt + interval;
      if (now < due) return { wakeAt: due };
      const silentFor = Math.floor((now - o.lastOutputAt) / 1000);
      const report = agentStarted(o.pod) && silentFor * 1000 >= interval;
      return { effect: { kind: "keepalive", secondsSinceOutput: report ? silentFor : null }, wakeAt: now + interval };
    },
  },
];

/** Decides the run's next step. Pure: the same observation, config and time give the same decision. */
export function decideRun(o: Readonly<ObservedRun>, c: DecideConfig, now: number): RunDecision {
  const effects: RunEffect[] = [];
  let wakeAt: number | null = null;
  for (const rule of RUN_RULES) {
    const verdict = rule.decide(o, c, now);
    if (!verdict) continue;
    if (verdict.ending) return { kind: "end", rule: rule.name, ending: verdict.ending, ...(verdict.notice ? { notice: verdict.notice } : {}) };
    if (verdict.effect) effects.push(verdict.effect);
    if (verdict.wakeAt !== undefined && verdict.wakeAt > now) wakeAt = wakeAt === null ? verdict.wakeAt : Math.min(wakeAt, verdict.wakeAt);
  }
  return { kind: "continue", effects, wakeAt };
}

/** How a terminal Job ended, from its conditions and what the pod and transcript showed. */
function terminalEnding(o: Readonly<ObservedRun>, c: DecideConfig): RunEnding {
  if (o.externalDeletionAt !== null) return { kind: "job_gone", forensics: jobGoneForensics(o, "deletion-timestamp", o.externalDeletionAt) };
  if (o.disruption && o.result && !o.result.isError) return { kind: "job_finished", jobCondition: "Complete", jobReason: DISRUPTED_AFTER_RESULT };
  const failed = o.job.conditions.find((x) => x.type === "Failed" && x.status === "True");
  if (failed?.reason === "DeadlineExceeded") return { kind: "deadline", timeoutSec: c.timeoutSec };
  if (failed && o.disruption && !o.result) return { kind: "pod_fatal", code: o.disruption.code, message: o.disruption.message };
  return failed ? { kind: "job_finished", jobCondition: "Failed", ...(failed.reason ? { jobReason: failed.reason } : {}) } : { kind: "job_finished", jobCondition: "Complete" };
}

/** The run deletes the Job whatever `retainJobs` says: nothing useful is left running in it. */
export function endingDeletesJob(ending: RunEnding): boolean {
  if (ending.kind === "job_finished") return ending.jobReason === RESULT_WITHOUT_EXIT;
  return ending.kind === "cancelled" || ending.kind === "deadline" || ending.kind === "pod_fatal";
}

/** The container's exit code says how it was killed, not how Claude did (eviction after its result). */
export function endingHidesExitCode(ending: RunEnding): boolean {
  return ending.kind === "job_finished" && ending.jobReason === DISRUPTED_AFTER_RESULT;
}
