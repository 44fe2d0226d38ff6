// The run's senses: the Job watch, the pod watch and the log follower. Each only folds what it sees into
// the observed record and wakes the supervisor; none of them decides anything about the run.

import { AGENT_CONTAINER } from "../job/agent-job-spec.js";
import { isClusterError } from "../ports/cluster-error.js";
import type { JobRef, ObjectRef, PodSnapshot } from "../ports/cluster-objects.js";
import type { ClusterPort } from "../ports/cluster-port.js";
import type { Clock } from "../ports/clock.js";
import type { LogCursor, LogFollow, LogPort } from "../ports/log-port.js";
import type { TranscriptReducer } from "../stream/transcript-reducer.js";
import { utf8ByteLength } from "../stream/utf8-byte-length.js";
import { createGarbledLineDetector } from "../stream/garbled-lines.js";
import { describeError } from "./error-text.js";
import { Notifier } from "./notifier.js";
import {
  containerFinished,
  foldForbidden,
  foldJob,
  foldJobGone,
  foldLine,
  foldLogDrained,
  foldPod,
  foldReachable,
  foldUnreachable,
  type ObservedRun,
} from "./observed-run.js";
import { describePod } from "./pod-state.js";
import type { TranscriptGap } from "../outcome/run-outcome.js";
import { garbledLineMessage, transcriptGapMessage } from "../outcome/messages.js";
import type { RunReporter } from "./run-reporter.js";

const TAIL_LINES = 40;
const MAX_TRANSCRIPT_GAPS = 20;
const TAIL_LINE_CHARS = 2000;
const WATCH_BACKOFF_MS = 1_000;
const WATCH_BACKOFF_MAX_MS = 30_000;
/** Long enough for the kubelet to report an exit (about 1 s) so a finished container costs one more follow. */
const FOLLOW_BACKOFF_MS = 2_000;
const FOLLOW_BACKOFF_MAX_MS = 5_000;
/**
 * A follow that delivers nothing this long while the container runs is reopened from its cursor: a half-open
 * connection (a proxy or NAT dropped it silently) sends neither bytes nor EOF, and nothing else would notice.
 * Claude can legitimately think in silence, so each further idle reopen without output waits twice as long,
 * up to 30 min: an hour of silence costs 4 follows, a run with output at least every 5 min costs none.
 */
export const FOLLOW_IDLE_MS = 5 * 60_000;
const FOLLOW_IDLE_MAX_MS = 30 * 60_000;
/**
 * Once the container has finished, the kubelet ends its log stream within about a second: a follow still
 * silent this long after the exit was seen (or after its last line) is half-open and is reopened at once, well
 * inside the default 60 s grace the run gives its log to drain.
 */
export const FOLLOW_FINISHED_IDLE_MS = 10_000;

export interface WatcherPorts {
  readonly cluster: ClusterPort;
  readonly logs: LogPort;
  readonly clock: Clock;
}

export class RunWatchers {
  /** Wakes the supervisor after any fold. */
  readonly changed: Notifier;
  /** Last output lines (capped) for the outcome's messages. */
  readonly tail: string[] = [];
  /** Wakes the log follower when the pod's status changed (a finished container means one last follow). */
  private readonly podChanged: Notifier;
  /** Wakes the follow's idle watchdog (a pod change may shorten its bound; the attempt's end stops it). */
  private readonly idleCheck: Notifier;
  private lastPodLine = "";
  private cursor: LogCursor | null = null;
  private readonly garbled = createGarbledLineDetector();
  /** Lines read and their UTF-8 bytes (newlines included): where a garbled line is. */
  private linesRead = 0;
  private bytesRead = 0;

  constructor(
    private readonly ports: WatcherPorts,
    private readonly observed: ObservedRun,
    private readonly reducer: TranscriptReducer,
    private readonly reporter: RunReporter,
  ) {
    this.changed = new Notifier(ports.clock);
    this.podChanged = new Notifier(ports.clock);
    this.idleCheck = new Notifier(ports.clock);
  }

  private now(): number {
    return this.ports.clock.now();
  }

  async watchJob(ref: JobRef, signal: AbortSignal): Promise<void> {
    const o = this.observed;
    let backoff = WATCH_BACKOFF_MS;
    while (!signal.aborted && !o.jobGone) {
      try {
        for await (const event of this.ports.cluster.watchJob(ref, signal)) {
          foldReachable(o);
          backoff = WATCH_BACKOFF_MS;
          o.counters.watchEvents += 1;
          if (event.type === "deleted") foldJobGone(o, "watch-deleted", this.now());
          else foldJob(o, event.job, this.now());
          this.changed.notify();
          if (o.jobGone) return;
        }
      } catch (error) {
        if (signal.aborted || this.forbidden(error)) return;
        foldUnreachable(o, error, this.now());
        // The watch is down: one direct read tells whether the Job still exists meanwhile.
        try {
          o.counters.polls += 1;
          const job = await this.ports.cluster.getJob(ref);
          foldReachable(o);
          if (job === null || job.ref.uid !== ref.uid) foldJobGone(o, "get-404", this.now());
          else foldJob(o, job, this.now());
        } catch (readError) {
          foldUnreachable(o, readError, this.now());
        }
        this.changed.notify();
      }
      await this.ports.clock.sleep(backoff, signal);
      backoff = Math.min(backoff * 2, WATCH_BACKOFF_MAX_MS);
    }
  }

  async watchPods(ref: JobRef, signal: AbortSignal): Promise<void> {
    let backoff = WATCH_BACKOFF_MS;
    while (!signal.aborted) {
      try {
        for await (const event of this.ports.cluster.watchPods(ref, signal)) {
          foldReachable(this.observed);
          backoff = WATCH_BACKOFF_MS;
          this.observed.counters.watchEvents += 1;
          await this.seePod(event.type, event.pod);
        }
      } catch (error) {
        if (signal.aborted || this.forbidden(error)) return;
        foldUnreachable(this.observed, error, this.now());
        this.changed.notify();
      }
      await this.ports.clock.sleep(backoff, signal);
      backoff = Math.min(backoff * 2, WATCH_BACKOFF_MAX_MS);
    }
  }

  /** Folds a pod event, wakes the follower and the supervisor, and reports the pod's state when it changed. */
  async seePod(type: "added" | "modified" | "deleted", pod: PodSnapshot): Promise<void> {
    if (!foldPod(this.observed, type, pod, this.now())) return;
    this.podChanged.notify();
    this.idleCheck.notify();
    const line = type === "deleted" ? this.lastPodLine : describePod(pod);
    if (line !== this.lastPodLine) {
      this.lastPodLine = line;
      await this.reporter.progress({ type: "pod", pod: pod.ref.name, phase: pod.phase, detail: line, atMs: this.now() });
    }
    this.changed.notify();
  }

  async follow(job: JobRef, pod: ObjectRef, signal: AbortSignal): Promise<void> {
    const o = this.observed;
    let backoff = FOLLOW_BACKOFF_MS;
    let emptyEofs = 0;
    let idleLimit = FOLLOW_IDLE_MS;
    while (!signal.aborted) {
      // Only an EOF that began after the container finished proves the log is complete; an earlier EOF
      // may be a dropped stream.
      const finishedBefore = containerFinished(o);
      this.podChanged.reset();
      const attempt = new AbortController();
      const stopAttempt = () => attempt.abort();
      signal.addEventListener("abort", stopAttempt, { once: true });
      const idle = { lastLineAt: this.now(), fired: false };
      const watchdog = this.idleWatchdog(idle, idleLimit, attempt);
      let lines: LogFollow | null = null;
      let transientError = false;
      try {
        lines = this.ports.logs.follow(pod, AGENT_CONTAINER, this.cursor, attempt.signal);
        for await (const line of lines) {
          this.cursor = line.cursor;
          idle.lastLineAt = this.now();
          idleLimit = FOLLOW_IDLE_MS;
          if (line.gap) await this.seeGap({ reason: line.gap.reason, after: line.gap.after, before: line.timestamp });
          backoff = FOLLOW_BACKOFF_MS;
          emptyEofs = -1;
          await this.seeLine(line.text, line.bytes);
        }
        emptyEofs += 1;
      } catch (error) {
        if (signal.aborted || this.forbidden(error)) return;
        if (isClusterError(error) && error.code === "not_found") return this.drained();
        if (!idle.fired && (!isClusterError(error) || error.transient)) o.lastError = describeError(error);
        transientError = isClusterError(error) && error.transient;
      } finally {
        signal.removeEventListener("abort", stopAttempt);
        attempt.abort();
        this.idleCheck.notify();
        await watchdog;
      }
      if (signal.aborted) return;
      if (idle.fired) {
        // Reopened from the cursor at once: nothing is lost or repeated, and the next silence may last longer.
        // A stalled stream proves nothing about the end of the log, whatever the container's state.
        o.counters.idleFollowReopens += 1;
        idleLimit = Math.min(idleLimit * 2, FOLLOW_IDLE_MAX_MS);
        continue;
      }
      if (finishedBefore && transientError) {
        // The container has finished but its log could not be read (a 503, a reset): the log is still on the
        // node, so read it again rather than end the transcript where the failure struck.
        await this.podChanged.wait(backoff);
        backoff = Math.min(backoff * 2, FOLLOW_BACKOFF_MAX_MS);
        continue;
      }
      if (finishedBefore) {
        // The last response of a finished container ended without reaching the cursor's place: the log's
        // end was rotated away while no follow was open. Said at once and kept, never an exact transcript.
        const endGap = lines?.endGap ?? null;
        if (endGap !== null) await this.seeGap({ reason: endGap.reason, after: endGap.after, before: null });
        return this.drained();
      }
      if (!containerFinished(o)) {
        // EOF while the pod still says "running": a dropped stream, or the kubelet has not reported the exit
        // yet. A pod status change (or the backoff) decides the next attempt, so a finished container costs
        // one more follow, not a poll loop.
        await this.podChanged.wait(backoff);
        backoff = Math.min(backoff * 2, FOLLOW_BACKOFF_MAX_MS);
        // Repeated empty streams and still no news from the pod watch: the watch may be silently dead (a
        // half-open connection is only noticed at its timeout). Read the pod directly rather than trust it.
        if (emptyEofs >= 2 && !containerFinished(o)) await this.refreshPod(job);
      }
    }
  }

  /**
   * Ends `attempt` once no line has arrived for `limitMs` while the container runs, or for
   * FOLLOW_FINISHED_IDLE_MS after its exit was seen. Wakes on pod changes, so an exit shortens a long wait.
   */
  private async idleWatchdog(idle: { lastLineAt: number; fired: boolean }, limitMs: number, attempt: AbortController): Promise<void> {
    let finishedSeenAt: number | null = null;
    this.idleCheck.reset();
    while (!attempt.signal.aborted) {
      if (finishedSeenAt === null && containerFinished(this.observed)) finishedSeenAt = this.now();
      const due =
        finishedSeenAt === null ? idle.lastLineAt + limitMs - this.now() : Math.max(idle.lastLineAt, finishedSeenAt) + FOLLOW_FINISHED_IDLE_MS - this.now();
      if (due <= 0) {
        idle.fired = true;
        attempt.abort();
        return;
      }
      await this.idleCheck.wait(due);
    }
  }

  /**
   * The run stopped waiting for a log it never read to the end (the follow kept failing after the Job
   * finished): whatever followed the last line read is unknown, said as a gap at the end.
   */
  async logUnread(): Promise<void> {
    await this.seeGap({ reason: "unread", after: this.cursor?.timestamp ?? null, before: null });
  }

  /** Lines may be missing here: said at once, and kept for the outcome, so no one takes the transcript for exact. */
  private async seeGap(gap: TranscriptGap): Promise<void> {
    const gaps = this.observed.transcriptGaps;
    if (gaps.length < MAX_TRANSCRIPT_GAPS) gaps.push(gap);
    await this.reporter.notice("warn", transcriptGapMessage(gap));
  }

  private drained(): void {
    foldLogDrained(this.observed, this.now());
    this.changed.notify();
  }

  private async seeLine(text: string, knownBytes: number | undefined): Promise<void> {
    // One UTF-8 count per line, shared by the reducer and the run's stdout total: the adapter's decoder's
    // when it counted them, else one walk here.
    const bytes = knownBytes ?? utf8ByteLength(text);
    const kind = this.reducer.push(text, bytes);
    const line = ++this.linesRead;
    const offset = this.bytesRead;
    this.bytesRead += bytes + 1;
    if (kind === "blank") return;
    for (const g of this.garbled.see(text, kind, bytes, { line, offset })) {
      if (this.observed.garbledLines.length < MAX_TRANSCRIPT_GAPS) this.observed.garbledLines.push(g);
      await this.reporter.notice("warn", garbledLineMessage(g));
    }
    const result = kind === "event" && text.includes('"result"') ? this.reducer.summary().result : null;
    const firstResult = result !== null && this.observed.resultSeenAt === null;
    foldLine(this.observed, kind, bytes, result ? { isError: result.isError } : null, this.now());
    // Output only moves time-based verdicts later, so it needs no wake-up; a first result starts a bound.
    if (firstResult) this.changed.notify();
    this.tail.push(text.length > TAIL_LINE_CHARS ? `${text.slice(0, TAIL_LINE_CHARS)}…` : text);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    await this.reporter.safely(() => this.reporter.observer.onLine?.(kind === "event" ? "stdout" : "stderr", text));
  }

  private async refreshPod(job: JobRef): Promise<void> {
    const o = this.observed;
    try {
      o.counters.polls += 1;
      const pods = await this.ports.cluster.listPods(job);
      const pod = pods.find((p) => p.ref.uid === o.pod?.ref.uid);
      if (pod) await this.seePod("modified", pod);
      else if (o.pod) await this.seePod("deleted", o.pod);
    } catch (error) {
      if (!this.forbidden(error)) o.lastError = describeError(error);
    }
  }

  private forbidden(error: unknown): boolean {
    if (!foldForbidden(this.observed, error)) return false;
    this.changed.notify();
    return true;
  }
}
