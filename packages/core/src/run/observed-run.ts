// What the run has seen so far, in one record. Watchers and the log follower only fold events into it
// (the functions below); `decideRun` reads it and decides. Nothing here performs I/O.

import type { GarbledLine, JobGoneDetection, JobGoneForensics, TranscriptGap } from "../outcome/run-outcome.js";
import type { JobSnapshot, PodSnapshot } from "../ports/cluster-objects.js";
import type { LineKind } from "../stream/transcript-reducer.js";
import { accessFailure, describeError } from "./error-text.js";
import { agentStarted, agentTermination, detectDisruption, detectStartFatal, detectTransientPull, type PodFatal } from "./pod-state.js";

/** Counted for the job-gone forensic record: how much the run saw before its Job vanished. */
export interface ForensicCounters {
  /** Direct reads made because a watch could not be trusted (Job get, pod list). */
  polls: number;
  watchEvents: number;
  /** UTF-8 bytes of the transcript, one newline per line included. */
  stdoutBytes: number;
  stdoutNonEmptyLines: number;
  /** Log follows reopened from their cursor because nothing arrived for the idle bound while the container ran. */
  idleFollowReopens: number;
}

/** Times are milliseconds on the run's `Clock`. */
export interface ObservedRun {
  /** When the run began planning: the adapter's own deadline (timeoutSec + graceSec) counts from here. */
  readonly runStartedAt: number;
  /** When the Job existed and supervision began: the start timeout and the keepalive interval count from here. */
  readonly supervisingSince: number;
  /** Explicit cancel seen (its reason when the signal gave a string). */
  cancelled: { readonly reason?: string } | null;
  /** Host shutdown seen: stop waiting, keep the Job for the next run. */
  shutdown: boolean;
  /** The agent's claim was taken over by another process (named): stop supervising, leave the Job to it. */
  takenOverBy: string | null;
  /** The latest snapshot of our Job (the uid we created or adopted). */
  job: JobSnapshot;
  jobTerminalAt: number | null;
  jobGone: { readonly at: number; readonly via: JobGoneDetection } | null;
  /** Someone else set our Job's deletionTimestamp: what the pod reports next is the deletion's doing. */
  externalDeletionAt: number | null;
  pod: PodSnapshot | null;
  podGone: boolean;
  podRunningAt: number | null;
  /** A state that ends the run at once (before Claude started, or a permission the run depends on). */
  fatal: PodFatal | null;
  /** Transient image pull failures since `since` (the latest in `detail`); null while none is showing. */
  imagePullTrouble: { readonly since: number; readonly detail: string } | null;
  /** Eviction, preemption or node loss seen on the pod. */
  disruption: PodFatal | null;
  followerStarted: boolean;
  /** Where the follower may have missed lines (capped at MAX_TRANSCRIPT_GAPS). */
  transcriptGaps: TranscriptGap[];
  /** Lines garbled by the other stream's records (capped like the gaps). */
  garbledLines: GarbledLine[];
  /** When the log follower proved the log complete (an EOF that began after the container finished). */
  logDrainedAt: number | null;
  lastOutputAt: number;
  /** Claude's result event, once printed. */
  result: { readonly isError: boolean } | null;
  resultSeenAt: number | null;
  /** Since when watches and reads of the control channel have been failing; null while they work. */
  unreachableSince: number | null;
  lastError: string;
  /** The last keepalive check: the next one is due one interval later. */
  keepaliveCheckedAt: number;
  readonly counters: ForensicCounters;
}

export function observeRun(job: JobSnapshot, runStartedAt: number, now: number): ObservedRun {
  return {
    runStartedAt,
    supervisingSince: now,
    cancelled: null,
    shutdown: false,
    takenOverBy: null,
    job,
    jobTerminalAt: null,
    jobGone: null,
    externalDeletionAt: null,
    pod: null,
    podGone: false,
    podRunningAt: null,
    fatal: null,
    imagePullTrouble: null,
    disruption: null,
    followerStarted: false,
    transcriptGaps: [],
    garbledLines: [],
    logDrainedAt: null,
    lastOutputAt: runStartedAt,
    result: null,
    resultSeenAt: null,
    unreachableSince: null,
    lastError: "",
    keepaliveCheckedAt: now,
    counters: { polls: 0, watchEvents: 0, stdoutBytes: 0, stdoutNonEmptyLines: 0, idleFollowReopens: 0 },
  };
}

export function isJobTerminal(job: JobSnapshot): boolean {
  return job.conditions.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
}

export function foldJob(o: ObservedRun, job: JobSnapshot, now: number): void {
  if (job.ref.uid !== o.job.ref.uid) {
    // A same-named Job with another uid is not ours: ours is gone.
    foldJobGone(o, "relist-missing", now);
    return;
  }
  o.job = job;
  // Foreground propagation keeps a Job visible while its pod is killed: the deletion started here.
  if (job.deletionTimestamp && o.externalDeletionAt === null) o.externalDeletionAt = now;
  if (isJobTerminal(job) && o.jobTerminalAt === null) o.jobTerminalAt = now;
}

export function foldJobGone(o: ObservedRun, via: JobGoneDetection, now: number): void {
  o.jobGone ??= { at: now, via };
}

/**
 * Folds a pod event. Returns false when the event is about a pod the run does not follow: backoffLimit 0
 * means one pod per Job, a second one only appears if someone changed the Job, and the transcript must stay
 * one process's output.
 */
export function foldPod(o: ObservedRun, type: "added" | "modified" | "deleted", pod: PodSnapshot, now: number): boolean {
  if (o.pod && o.pod.ref.uid !== pod.ref.uid && o.followerStarted) return false;
  if (type === "deleted") {
    if (!o.pod || o.pod.ref.uid === pod.ref.uid) o.podGone = true;
    o.pod = pod;
    return true;
  }
  o.pod = pod;
  o.podGone = false;
  if (agentStarted(pod) && o.podRunningAt === null) o.podRunningAt = now;
  if (!agentStarted(pod) && !o.fatal) o.fatal = detectStartFatal(pod);
  const pulling = agentStarted(pod) ? null : detectTransientPull(pod);
  // ErrImagePull and ImagePullBackOff alternate while the kubelet retries: the trouble lasts until a pull works.
  // (ImagePullBackOff says nothing of the cause: the last ErrImagePull's words are kept.)
  if (pulling === null) o.imagePullTrouble = null;
  else o.imagePullTrouble = { since: o.imagePullTrouble?.since ?? now, detail: pulling.includes("ImagePullBackOff") && o.imagePullTrouble ? o.imagePullTrouble.detail : pulling };
  o.disruption ??= detectDisruption(pod);
  return true;
}

/**
 * Folds one transcript line the reducer classified as `kind` (`bytes`: its UTF-8 length; `result`: Claude's
 * result event once the line printed it).
 */
export function foldLine(o: ObservedRun, kind: LineKind, bytes: number, result: { readonly isError: boolean } | null, now: number): void {
  if (kind === "blank") return;
  if (result) {
    o.result = result;
    o.resultSeenAt ??= now;
  }
  o.lastOutputAt = now;
  o.counters.stdoutBytes += bytes + 1;
  o.counters.stdoutNonEmptyLines += 1;
}

export function foldLogDrained(o: ObservedRun, now: number): void {
  o.logDrainedAt ??= now;
}

export function foldReachable(o: ObservedRun): void {
  o.unreachableSince = null;
}

export function foldUnreachable(o: ObservedRun, error: unknown, now: number): void {
  o.lastError = describeError(error);
  o.unreachableSince ??= now;
}

/**
 * RBAC refused a read the run depends on (the log, the pod or Job watch): waiting cannot fix that, and
 * without it the outcome would be a misleading "Claude said nothing". Returns whether it was that.
 */
export function foldForbidden(o: ObservedRun, error: unknown): boolean {
  const access = accessFailure(error);
  if (!access) return false;
  o.fatal ??= access;
  return true;
}

/** Claude's container finished, as far as anything seen says (its log can be drained to the end). */
export function containerFinished(o: ObservedRun): boolean {
  return agentTermination(o.pod) !== null || o.podGone || o.jobTerminalAt !== null || o.jobGone !== null;
}

/** The forensic record of a vanished Job, from what the run saw (defaults: how and when it was seen gone). */
export function jobGoneForensics(o: ObservedRun, via?: JobGoneDetection, at?: number): JobGoneForensics {
  const goneAt = at ?? o.jobGone?.at ?? null;
  return {
    detectedVia: via ?? o.jobGone?.via ?? "watch-deleted",
    job: o.job.ref.name,
    namespace: o.job.ref.namespace,
    secondsSincePodRunning: o.podRunningAt !== null && goneAt !== null ? Math.round((goneAt - o.podRunningAt) / 1000) : null,
    pollsSeen: o.counters.polls,
    watchEventsSeen: o.counters.watchEvents,
    lastJobConditions: o.job.conditions.map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}) })),
    stdoutBytes: o.counters.stdoutBytes,
    stdoutNonEmptyLines: o.counters.stdoutNonEmptyLines,
  };
}
