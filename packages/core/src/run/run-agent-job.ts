// The use case: one heartbeat run through plan → guard → submit/adopt → await start → stream → settle →
// classify → clean up (ARCHITECTURE §2). Watch-driven: watchers and the log follower update the run's
// state and wake the loop; the loop only decides. Every wait is bounded, nothing throws out of here.

import { parseConfig } from "../config/index.js";
import type { ClipjobConfig } from "../config/clipjob-config.js";
import { decideGuard, needsPodCheck } from "../guard/index.js";
import { guardSelector, planAgentJob } from "../job/index.js";
import type { AgentJobSpec } from "../job/agent-job-spec.js";
import { AGENT_CONTAINER } from "../job/agent-job-spec.js";
import { classifyOutcome, failureOutcome } from "../outcome/index.js";
import type { RunEnding } from "../outcome/classify-input.js";
import type { ErrorCode } from "../outcome/error-codes.js";
import type { JobDisposition, JobGoneDetection, JobGoneForensics, PodTermination, RunOutcome } from "../outcome/run-outcome.js";
import type { Clock } from "../ports/clock.js";
import { ClusterError, isClusterError } from "../ports/cluster-error.js";
import type { JobRef, JobSnapshot, ObjectRef, PodSnapshot } from "../ports/cluster-objects.js";
import type { ClusterPort } from "../ports/cluster-port.js";
import { NO_HOST_FACTS, type HostFacts, type HostPort } from "../ports/host-port.js";
import type { LogCursor, LogPort } from "../ports/log-port.js";
import { createTranscriptReducer, type TranscriptReducer } from "../stream/index.js";
import { utf8ByteLength } from "../stream/utf8-byte-length.js";
import type { AgentLocks } from "./agent-locks.js";
import { Notifier } from "./notifier.js";
import { agentStarted, agentTermination, describePod, detectDisruption, detectStartFatal, type PodFatal } from "./pod-state.js";
import type { ProgressEvent, RunObserver, RunPhase } from "./progress.js";
import type { RunRequest } from "./run-request.js";

export interface RunDependencies {
  readonly cluster: ClusterPort;
  readonly logs: LogPort;
  readonly host: HostPort;
  readonly clock: Clock;
  /** Namespace used when neither the config nor the host pod names one. */
  readonly defaultNamespace: string;
  /** Shared by every run of the process (one instance per composition root). */
  readonly locks: AgentLocks;
}

export interface RunOptions {
  readonly observer?: RunObserver;
  /** Explicit cancel: the Job is deleted and the run returns `cancelled`. */
  readonly cancelSignal?: AbortSignal;
  /** Host shutdown: the run stops waiting and leaves the Job running for the next run to reattach. */
  readonly shutdownSignal?: AbortSignal;
}

/** Runs one heartbeat as a Kubernetes Job. Never throws: every failure is a classified outcome. */
export async function runAgentJob(deps: RunDependencies, request: RunRequest, options: RunOptions = {}): Promise<RunOutcome> {
  const run = new AgentJobRun(deps, request, options);
  return run.execute();
}

const TAIL_LINES = 40;
const TAIL_LINE_CHARS = 2000;
/** After a Job vanished, how long to let the log follower finish what it was reading. */
const JOB_GONE_DRAIN_MS = 5_000;
const TERMINATION_READS = 8;
const TERMINATION_READ_INTERVAL_MS = 500;

type StartResult =
  | { readonly kind: "started"; readonly job: JobSnapshot; readonly reattached: boolean; readonly release: () => void }
  | { readonly kind: "failed"; readonly outcome: RunOutcome };

class AgentJobRun {
  private readonly clock: Clock;
  private readonly observer: RunObserver;
  private readonly reducer: TranscriptReducer = createTranscriptReducer();
  private readonly tail: string[] = [];
  private readonly notifier: Notifier;
  private readonly startedAt: number;

  // State written by watchers and the follower, read by the loop.
  private job: JobSnapshot | null = null;
  private jobTerminalAt: number | null = null;
  private jobGone: { at: number; via: JobGoneDetection } | null = null;
  private pod: PodSnapshot | null = null;
  private podGone = false;
  private podRunningAt: number | null = null;
  private lastPodLine = "";
  private fatal: PodFatal | null = null;
  private disruption: PodFatal | null = null;
  private logDrained = false;
  private followerStarted = false;
  private cursor: LogCursor | null = null;
  private lastOutputAt: number;
  private unreachableSince: number | null = null;
  private lastError = "";
  private deletingOurselves = false;
  private resultSeenAt: number | null = null;
  private externalDeletionAt: number | null = null;
  /** The container's exit code says how it was killed, not how Claude did (eviction after its result). */
  private terminationIsTheKill = false;
  private readonly podChanged: Notifier;
  private hungAfterResult = false;
  private polls = 0;
  private watchEvents = 0;
  private stdoutBytes = 0;
  private stdoutNonEmptyLines = 0;

  constructor(
    private readonly deps: RunDependencies,
    private readonly request: RunRequest,
    private readonly options: RunOptions,
  ) {
    this.clock = deps.clock;
    this.observer = options.observer ?? {};
    this.notifier = new Notifier(deps.clock);
    this.podChanged = new Notifier(deps.clock);
    this.startedAt = deps.clock.now();
    this.lastOutputAt = this.startedAt;
  }

  async execute(): Promise<RunOutcome> {
    try {
      return await this.executeUnsafe();
    } catch (error) {
      return this.fail("adapter_internal_error", `Unexpected adapter error: ${describeError(error)}`);
    } finally {
      await this.emitProgress({ type: "phase", phase: "done", atMs: this.clock.now() });
    }
  }

  private async executeUnsafe(): Promise<RunOutcome> {
    await this.phase("planning");
    const parsed = parseConfig(this.request.config);
    if (!parsed.ok) return this.fail("config_invalid", parsed.error.message, { fields: parsed.error.fields });
    const config = parsed.value;

    const host = await this.hostFacts();
    const plan = planAgentJob({ request: this.request, config, host, defaultNamespace: this.deps.defaultNamespace, promptBundle: this.request.promptBundle ?? null });
    if (!plan.ok) return this.fail(plan.error.code, plan.error.message, plan.error.field ? { field: plan.error.field } : undefined);
    const spec = plan.value;
    await this.safely(() => this.observer.onPlan?.(spec, { promptChars: spec.payload.prompt.length }));

    const cancelled = this.options.cancelSignal?.aborted || this.options.shutdownSignal?.aborted;
    if (cancelled) return this.fail("cancelled", "Run cancelled before the Job was created");

    const start = await this.deps.locks.withLock(this.request.agent.id, () => this.guardAndSubmit(spec, config));
    if (start.kind === "failed") return start.outcome;

    const ref = start.job.ref;
    this.job = start.job;
    // Registered inside the agent lock (see guardAndSubmit), released when this run stops supervising.
    const release = start.release;
    try {
      await this.safely(() =>
        this.observer.onJob?.({ namespace: ref.namespace, name: ref.name, reattached: start.reattached, spec: start.reattached ? null : spec }),
      );
      return await this.superviseAndSettle(ref, start.reattached, config);
    } finally {
      release();
    }
  }

  private async hostFacts(): Promise<HostFacts> {
    try {
      return await this.deps.host.describeHost();
    } catch (error) {
      await this.notice("warn", `Host pod introspection failed; nothing is inherited from it: ${describeError(error)}`);
      return NO_HOST_FACTS;
    }
  }

  // ---- guard + submit (serialised per agent) ----------------------------------------------------------

  private async guardAndSubmit(spec: AgentJobSpec, config: ClipjobConfig): Promise<StartResult> {
    await this.phase("guarding");
    const selector = guardSelector(this.request.agent.id);
    if (!selector) {
      return { kind: "failed", outcome: this.fail("k8s_agent_id_invalid", `Agent ID "${this.request.agent.id}" cannot be sanitized to a valid Kubernetes label`) };
    }
    const namespace = spec.ref.namespace;
    let jobs: JobSnapshot[];
    const livePods = new Map<string, boolean>();
    try {
      jobs = await this.readWithRetry(() => this.deps.cluster.listJobs(namespace, selector));
      for (const job of jobs) {
        if (!needsPodCheck(job)) continue;
        const pods = await this.readWithRetry(() => this.deps.cluster.listPods(job.ref));
        livePods.set(job.ref.name, pods.some((p) => !p.deletionTimestamp || p.phase === "Running" || p.phase === "Pending"));
      }
    } catch (error) {
      const code: ErrorCode = isClusterError(error) && error.code === "forbidden" ? "k8s_permission_denied" : "k8s_concurrency_guard_unreachable";
      const message = code === "k8s_permission_denied" ? permissionMessage(error as ClusterError) : `Concurrency guard unreachable: ${describeError(error)}`;
      return { kind: "failed", outcome: this.fail(code, message) };
    }

    const decision = decideGuard({
      jobs,
      livePods,
      expected: { runId: this.request.runId, taskId: this.request.taskId ?? null, sessionId: this.request.session?.sessionId ?? null },
      reattachOrphanedJobs: config.reattachOrphanedJobs,
    });
    if (decision.kind === "block") {
      return { kind: "failed", outcome: this.fail(decision.code, decision.message, { jobs: decision.jobs }) };
    }
    if (decision.kind === "reattach") {
      const owner = this.deps.locks.supervisingRun(decision.job.ref.namespace, decision.job.ref.name);
      if (owner !== undefined && owner !== this.request.runId) {
        // Not an orphan: a live run of this very process is supervising it (two heartbeats at once).
        const message = `Concurrent run blocked: Job ${decision.job.ref.name} is still running for this agent (run ${owner})`;
        return { kind: "failed", outcome: this.fail("k8s_concurrent_run_blocked", message, { jobs: [decision.job.ref.name] }) };
      }
      await this.phase("reattaching");
      const job = await this.adopt(decision.job, spec);
      await this.notice("info", `Reattached to Job ${job.ref.name} from an earlier run (${decision.job.labels["paperclip.io/run-id"] ?? "unknown run"})`);
      return { kind: "started", job, reattached: true, release: this.deps.locks.supervise(job.ref.namespace, job.ref.name, this.request.runId) };
    }

    await this.phase("submitting");
    try {
      const job = await this.deps.cluster.submit(spec, this.options.cancelSignal);
      await this.notice("info", `Created Job ${job.ref.name} in namespace ${job.ref.namespace} (deadline: ${spec.activeDeadlineSeconds ? `${spec.activeDeadlineSeconds}s` : "none"})`);
      return { kind: "started", job, reattached: false, release: this.deps.locks.supervise(job.ref.namespace, job.ref.name, this.request.runId) };
    } catch (error) {
      const leftover = await this.removeFailedSubmit(spec);
      return { kind: "failed", outcome: this.submitFailure(error, leftover) };
    }
  }

  /**
   * The port rolls a failed submit back, but its rollback can fail too (the API that broke the submit may
   * still be broken). A suspended Job never finishes, so nothing would ever collect it: look for it by its
   * planned name and delete it, retrying — a delete is idempotent, unlike the create. Returns the Job that
   * could not be removed, if any, so the outcome says so.
   */
  private async removeFailedSubmit(spec: AgentJobSpec): Promise<JobDisposition | null> {
    let delay = 1_000;
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      try {
        const job = await this.deps.cluster.getJob(spec.ref);
        if (job === null) return null;
        await this.deps.cluster.deleteJob(job.ref, "Background");
        return null;
      } catch (error) {
        if (attempt === 6) {
          await this.notice("warn", `Job ${spec.ref.name} from the failed submit could not be removed: ${describeError(error)}`);
          break;
        }
        await this.clock.sleep(delay);
        delay = Math.min(delay * 2, 15_000);
      }
    }
    return { namespace: spec.ref.namespace, name: spec.ref.name, reattached: false, kept: true, keptBecause: "delete_failed" };
  }

  /** Relabels an orphan to this run so the next guard sees it as ours, not as another orphan. */
  private async adopt(orphan: JobSnapshot, spec: AgentJobSpec): Promise<JobSnapshot> {
    const labels: Record<string, string | null> = {};
    for (const key of ["paperclip.io/run-id", "paperclip.io/session-id", "paperclip.io/task-id"]) {
      labels[key] = spec.labels[key] ?? null;
    }
    // Keep the orphan's task label when we have none: it is what identified the orphan as ours.
    if (labels["paperclip.io/task-id"] === null) delete labels["paperclip.io/task-id"];
    try {
      return await this.deps.cluster.relabel(orphan.ref, labels);
    } catch (error) {
      await this.notice("warn", `Could not relabel reattached Job ${orphan.ref.name}: ${describeError(error)}`);
      return orphan;
    }
  }

  private submitFailure(error: unknown, leftover: JobDisposition | null): RunOutcome {
    const outcome = this.submitFailureOutcome(error);
    return leftover ? { ...outcome, job: leftover } : outcome;
  }

  private submitFailureOutcome(error: unknown): RunOutcome {
    if (isClusterError(error)) {
      if (error.code === "forbidden") return this.fail("k8s_permission_denied", permissionMessage(error));
      if (error.code === "too_large") return this.fail("k8s_payload_too_large", `The run payload was refused as too large: ${error.message}`);
      if (/secret/i.test(error.operation)) return this.fail("k8s_prompt_secret_create_failed", `Failed to create the run payload Secret: ${error.message}`);
    }
    if (this.options.cancelSignal?.aborted) return this.fail("cancelled", "Run cancelled while the Job was being created (nothing was left behind)");
    return this.fail("k8s_job_create_failed", `Failed to create Kubernetes Job: ${describeError(error)}`);
  }

  // ---- supervise --------------------------------------------------------------------------------------

  private async superviseAndSettle(ref: JobRef, reattached: boolean, config: ClipjobConfig): Promise<RunOutcome> {
    await this.phase("waiting_for_pod");
    const watchers = new AbortController();
    const wake = () => this.notifier.notify();
    this.options.cancelSignal?.addEventListener("abort", wake);
    this.options.shutdownSignal?.addEventListener("abort", wake);
    const tasks = [this.watchJobLoop(ref, watchers.signal), this.watchPodsLoop(ref, watchers.signal)];
    let ending: RunEnding;
    try {
      ending = await this.loop(ref, config, tasks, watchers.signal);
    } finally {
      watchers.abort();
      this.options.cancelSignal?.removeEventListener("abort", wake);
      this.options.shutdownSignal?.removeEventListener("abort", wake);
    }
    await Promise.allSettled(tasks);

    await this.phase("settling");
    const needsTermination = ending.kind !== "cancelled" && ending.kind !== "shutdown" && ending.kind !== "unreachable";
    const read = needsTermination ? await this.readTermination(ref) : agentTermination(this.pod);
    const termination = this.terminationIsTheKill ? null : read;

    await this.phase("cleaning_up");
    const disposition = await this.cleanUp(ref, reattached, ending, config);
    return classifyOutcome({
      transcript: this.reducer.summary(),
      termination,
      podPresence: this.podGone ? "gone" : this.pod ? "present" : "unknown",
      ...(this.pod ? { podPhase: this.pod.phase } : {}),
      ending,
      job: disposition,
      configuredModel: config.model,
      resumedSessionId: this.request.session?.sessionId ?? null,
      tail: [...this.tail],
      nowMs: this.clock.now(),
      durationMs: this.clock.now() - this.startedAt,
    });
  }

  private async loop(ref: JobRef, config: ClipjobConfig, tasks: Promise<void>[], watchSignal: AbortSignal): Promise<RunEnding> {
    const graceMs = config.graceSec * 1000;
    const deadlineAt = config.timeoutSec > 0 ? this.startedAt + (config.timeoutSec + config.graceSec) * 1000 : null;
    const startDeadline = this.clock.now() + config.startTimeoutSec * 1000;
    const keepaliveMs = config.keepaliveSec * 1000;
    const unreachableMs = config.apiUnreachableSec * 1000;
    let nextKeepalive = this.clock.now() + keepaliveMs;
    let drainedAt: number | null = null;

    for (;;) {
      const now = this.clock.now();
      if (this.options.cancelSignal?.aborted) {
        const reason = this.options.cancelSignal.reason;
        return { kind: "cancelled", ...(typeof reason === "string" ? { reason } : {}) };
      }
      if (this.options.shutdownSignal?.aborted) return { kind: "shutdown" };
      if (this.fatal) return { kind: "pod_fatal", code: this.fatal.code, message: this.fatal.message };
      // Unreachable only when the control channel (watches, reads) has been failing for the whole bound and
      // the log is not flowing either: a flowing log proves Claude is alive even if status cannot be read.
      if (this.unreachableSince !== null && now - this.unreachableSince >= unreachableMs && now - this.lastOutputAt >= unreachableMs) {
        return { kind: "unreachable", detail: `The Kubernetes API stayed unreachable for ${Math.round((now - this.unreachableSince) / 1000)}s: ${this.lastError}` };
      }
      if (deadlineAt !== null && now >= deadlineAt && this.jobTerminalAt === null && !this.jobGone) {
        return { kind: "deadline", timeoutSec: config.timeoutSec };
      }
      if (!agentStarted(this.pod) && this.jobTerminalAt === null && !this.jobGone && now >= startDeadline) {
        return { kind: "pod_fatal", code: "k8s_pod_schedule_failed", message: `Pod scheduling failed: timed out waiting for the pod to start (${config.startTimeoutSec}s)${this.pod ? `; last state: ${describePod(this.pod)}` : "; no pod was created"}` };
      }
      if (this.jobGone && (this.logDrained || now - this.jobGone.at >= JOB_GONE_DRAIN_MS)) {
        return { kind: "job_gone", forensics: this.forensics(ref) };
      }
      if (this.externalDeletionAt !== null && this.jobTerminalAt === null && !this.jobGone && this.logDrained) {
        return { kind: "job_gone", forensics: this.forensics(ref, "deletion-timestamp", this.externalDeletionAt) };
      }
      if (this.jobTerminalAt !== null && (this.logDrained || now - this.jobTerminalAt >= graceMs)) {
        return this.terminalEnding(config);
      }
      const resultAt = this.resultSeenAt;
      // Only when the pod's status is being read: a silent control channel is not evidence of a hang.
      if (resultAt !== null && this.unreachableSince === null && !this.logDrained && this.jobTerminalAt === null && !this.jobGone && now - resultAt >= graceMs) {
        // Claude printed its result but the process lingers (background children keep it alive): the run's
        // work is done, so finish it rather than wait for a deadline that may never come (timeoutSec 0).
        await this.notice("warn", `Claude printed its result but did not exit within ${config.graceSec}s; finishing the run and deleting Job ${ref.name}`);
        this.hungAfterResult = true;
        return { kind: "job_finished", jobCondition: "Complete", jobReason: "ResultWithoutExit" };
      }
      if (this.logDrained && this.jobTerminalAt === null && !this.jobGone) {
        // Job-condition lag: the container is done but the controller has not said so yet.
        drainedAt ??= now;
        if (now - drainedAt >= graceMs) {
          const termination = agentTermination(this.pod);
          if (termination) return { kind: "job_finished", jobCondition: termination.exitCode === 0 ? "Complete" : "Failed" };
          return { kind: "state_mismatch", detail: `Job ${ref.name} did not reach a terminal condition within ${config.graceSec}s after its log ended` };
        }
      }
      if (!this.followerStarted && (agentStarted(this.pod) || (this.pod && this.jobTerminalAt !== null))) {
        this.followerStarted = true;
        await this.phase("running");
        tasks.push(this.followLoop(ref, this.pod!.ref, watchSignal));
      }
      if (keepaliveMs > 0 && now >= nextKeepalive) {
        const silentFor = Math.floor((now - this.lastOutputAt) / 1000);
        if (agentStarted(this.pod) && silentFor * 1000 >= keepaliveMs) {
          await this.emitProgress({ type: "keepalive", job: ref.name, secondsSinceOutput: silentFor, atMs: now });
        }
        nextKeepalive = now + keepaliveMs;
      }

      const timers = [nextKeepalive];
      if (!agentStarted(this.pod)) timers.push(startDeadline);
      if (deadlineAt !== null) timers.push(deadlineAt);
      if (this.unreachableSince !== null) timers.push(this.unreachableSince + unreachableMs, this.lastOutputAt + unreachableMs);
      if (this.jobGone) timers.push(this.jobGone.at + JOB_GONE_DRAIN_MS);
      if (this.jobTerminalAt !== null) timers.push(this.jobTerminalAt + graceMs);
      if (drainedAt !== null) timers.push(drainedAt + graceMs);
      if (resultAt !== null) timers.push(resultAt + graceMs);
      // Only future timers: a passed one has already been acted on above (or no longer applies).
      const next = Math.min(...timers.filter((t) => t > now));
      await this.notifier.wait(Number.isFinite(next) ? next - now : keepaliveMs || 60_000);
    }
  }

  private terminalEnding(config: ClipjobConfig): RunEnding {
    if (this.externalDeletionAt !== null) {
      return { kind: "job_gone", forensics: this.forensics(this.job!.ref, "deletion-timestamp", this.externalDeletionAt) };
    }
    const result = this.reducer.summary().result;
    if (this.disruption && result && !result.isError) {
      // Evicted after Claude wrote a successful result: the work is done; the kill's exit code is not Claude's.
      this.terminationIsTheKill = true;
      return { kind: "job_finished", jobCondition: "Complete", jobReason: "DisruptedAfterResult" };
    }
    const failed = this.job?.conditions.find((c) => c.type === "Failed" && c.status === "True");
    if (failed?.reason === "DeadlineExceeded") return { kind: "deadline", timeoutSec: config.timeoutSec };
    if (failed && this.disruption && !this.reducer.summary().result) {
      return { kind: "pod_fatal", code: this.disruption.code, message: this.disruption.message };
    }
    return failed
      ? { kind: "job_finished", jobCondition: "Failed", ...(failed.reason ? { jobReason: failed.reason } : {}) }
      : { kind: "job_finished", jobCondition: "Complete" };
  }

  private async watchJobLoop(ref: JobRef, signal: AbortSignal): Promise<void> {
    let backoff = 1000;
    while (!signal.aborted && !this.jobGone) {
      try {
        for await (const event of this.deps.cluster.watchJob(ref, signal)) {
          this.reachable();
          backoff = 1000;
          this.watchEvents += 1;
          if (event.type === "deleted") this.markJobGone("watch-deleted");
          else this.observeJob(event.job);
          this.notifier.notify();
          if (this.jobGone) return;
        }
      } catch (error) {
        if (signal.aborted) return;
        if (this.forbidden(error)) return;
        this.unreachable(error);
        // The watch is down: one direct read tells whether the Job still exists meanwhile.
        try {
          this.polls += 1;
          const job = await this.deps.cluster.getJob(ref);
          this.reachable();
          if (job === null || job.ref.uid !== ref.uid) this.markJobGone("get-404");
          else this.observeJob(job);
        } catch (readError) {
          this.unreachable(readError);
        }
        this.notifier.notify();
      }
      await this.clock.sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 30_000);
    }
  }

  private observeJob(job: JobSnapshot): void {
    if (job.ref.uid !== this.job?.ref.uid && this.job) {
      // A same-named Job with another uid is not ours: ours is gone.
      this.markJobGone("relist-missing");
      return;
    }
    this.job = job;
    // Someone else is deleting our Job (Foreground propagation keeps it visible while its pod is killed):
    // whatever the pod reports next is the deletion's doing, not Claude's.
    if (job.deletionTimestamp && !this.deletingOurselves && this.externalDeletionAt === null) this.externalDeletionAt = this.clock.now();
    const terminal = job.conditions.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    if (terminal && this.jobTerminalAt === null) this.jobTerminalAt = this.clock.now();
  }

  private markJobGone(via: JobGoneDetection): void {
    if (this.deletingOurselves || this.jobGone) return;
    this.jobGone = { at: this.clock.now(), via };
  }

  private async watchPodsLoop(ref: JobRef, signal: AbortSignal): Promise<void> {
    let backoff = 1000;
    while (!signal.aborted) {
      try {
        for await (const event of this.deps.cluster.watchPods(ref, signal)) {
          this.reachable();
          backoff = 1000;
          this.watchEvents += 1;
          await this.observePod(event.type, event.pod);
          this.notifier.notify();
        }
      } catch (error) {
        if (signal.aborted) return;
        if (this.forbidden(error)) return;
        this.unreachable(error);
        this.notifier.notify();
      }
      await this.clock.sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 30_000);
    }
  }

  private async observePod(type: "added" | "modified" | "deleted", pod: PodSnapshot): Promise<void> {
    if (this.pod && this.pod.ref.uid !== pod.ref.uid) {
      // backoffLimit 0 means one pod per Job; a second one only appears if someone changed the Job. Follow
      // the pod we already read from, so the transcript stays one process's output.
      if (this.followerStarted) return;
    }
    if (type === "deleted") {
      if (!this.pod || this.pod.ref.uid === pod.ref.uid) this.podGone = true;
      this.pod = pod;
      this.podChanged.notify();
      return;
    }
    this.pod = pod;
    this.podGone = false;
    this.podChanged.notify();
    if (agentStarted(pod) && this.podRunningAt === null) this.podRunningAt = this.clock.now();
    const line = describePod(pod);
    if (line !== this.lastPodLine) {
      this.lastPodLine = line;
      await this.emitProgress({ type: "pod", pod: pod.ref.name, phase: pod.phase, detail: line, atMs: this.clock.now() });
    }
    if (!agentStarted(pod) && !this.fatal) this.fatal = detectStartFatal(pod);
    this.disruption ??= detectDisruption(pod);
  }

  private async refreshPod(job: JobRef): Promise<void> {
    try {
      this.polls += 1;
      const pods = await this.deps.cluster.listPods(job);
      const pod = pods.find((p) => p.ref.uid === this.pod?.ref.uid);
      if (pod) await this.observePod("modified", pod);
      else if (this.pod) await this.observePod("deleted", this.pod);
    } catch (error) {
      if (!this.forbidden(error)) this.lastError = describeError(error);
    }
  }

  private containerFinished(): boolean {
    return agentTermination(this.pod) !== null || this.podGone || this.jobTerminalAt !== null || this.jobGone !== null;
  }

  private async followLoop(job: JobRef, pod: ObjectRef, signal: AbortSignal): Promise<void> {
    // Long enough for the kubelet to report an exit (about 1 s) so a finished container costs one more follow.
    let backoff = 2_000;
    let emptyEofs = 0;
    while (!signal.aborted) {
      // Only an EOF that began after the container finished proves the log is complete; an earlier EOF
      // may be a dropped stream.
      const finishedBefore = this.containerFinished();
      this.podChanged.reset();
      try {
        for await (const line of this.deps.logs.follow(pod, AGENT_CONTAINER, this.cursor, signal)) {
          this.cursor = line.cursor;
          backoff = 2_000;
          emptyEofs = -1;
          await this.handleLine(line.text);
        }
        emptyEofs += 1;
      } catch (error) {
        if (signal.aborted) return;
        if (this.forbidden(error)) return;
        if (isClusterError(error) && error.code === "not_found") {
          this.logDrained = true;
          this.notifier.notify();
          return;
        }
        if (!isClusterError(error) || error.transient) this.lastError = describeError(error);
      }
      if (signal.aborted) return;
      if (finishedBefore) {
        this.logDrained = true;
        this.notifier.notify();
        return;
      }
      if (!this.containerFinished()) {
        // EOF while the pod still says "running": a dropped stream, or the kubelet has not reported the exit
        // yet. A pod status change (or the backoff) decides the next attempt, so a finished container costs
        // one more follow, not a poll loop.
        await this.podChanged.wait(backoff);
        backoff = Math.min(backoff * 2, 5_000);
        // Repeated empty streams and still no news from the pod watch: the watch may be silently dead (a
        // half-open connection is only noticed at its timeout). Read the pod directly rather than trust it.
        if (emptyEofs >= 2 && !this.containerFinished()) await this.refreshPod(job);
      }
    }
  }

  private async handleLine(text: string): Promise<void> {
    const kind = this.reducer.push(text);
    if (kind === "blank") return;
    if (kind === "event" && this.resultSeenAt === null && text.includes('"result"') && this.reducer.summary().result) {
      this.resultSeenAt = this.clock.now();
    }
    this.lastOutputAt = this.clock.now();
    this.stdoutBytes += utf8ByteLength(text) + 1;
    this.stdoutNonEmptyLines += 1;
    this.tail.push(text.length > TAIL_LINE_CHARS ? `${text.slice(0, TAIL_LINE_CHARS)}…` : text);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    await this.safely(() => this.observer.onLine?.(kind === "event" ? "stdout" : "stderr", text));
  }

  /**
   * RBAC refused a read the run depends on (the log, the pod or Job watch): waiting cannot fix that, and
   * without it the outcome would be a misleading "Claude said nothing". End the run naming the permission.
   */
  private forbidden(error: unknown): boolean {
    if (!isClusterError(error) || error.code !== "forbidden") return false;
    this.fatal ??= { code: "k8s_permission_denied", message: permissionMessage(error) };
    this.notifier.notify();
    return true;
  }

  private reachable(): void {
    this.unreachableSince = null;
  }

  private unreachable(error: unknown): void {
    this.lastError = describeError(error);
    this.unreachableSince ??= this.clock.now();
  }

  /** The kubelet may report the container's exit a little after the Job says it is done. */
  private async readTermination(ref: JobRef): Promise<PodTermination | null> {
    const known = agentTermination(this.pod);
    if (known || this.podGone || !this.pod) return known;
    for (let attempt = 0; attempt < TERMINATION_READS; attempt += 1) {
      try {
        this.polls += 1;
        const pods = await this.deps.cluster.listPods(ref);
        const pod = pods.find((p) => p.ref.uid === this.pod?.ref.uid) ?? null;
        if (!pod) {
          this.podGone = true;
          return null;
        }
        this.pod = pod;
        const termination = agentTermination(pod);
        if (termination) return termination;
        if (pod.phase === "Pending" || pod.phase === "Running") {
          if (this.jobTerminalAt === null) return null;
        }
      } catch {
        // A failing read is retried within the same small bound; classification copes with null.
      }
      await this.clock.sleep(TERMINATION_READ_INTERVAL_MS);
    }
    return null;
  }

  private forensics(ref: ObjectRef, via?: JobGoneDetection, at?: number): JobGoneForensics {
    const goneAt = at ?? this.jobGone?.at ?? null;
    return {
      detectedVia: via ?? this.jobGone?.via ?? "watch-deleted",
      job: ref.name,
      namespace: ref.namespace,
      secondsSincePodRunning: this.podRunningAt !== null && goneAt !== null ? Math.round((goneAt - this.podRunningAt) / 1000) : null,
      pollsSeen: this.polls,
      watchEventsSeen: this.watchEvents,
      lastJobConditions: (this.job?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}) })),
      stdoutBytes: this.stdoutBytes,
      stdoutNonEmptyLines: this.stdoutNonEmptyLines,
    };
  }

  // ---- clean up ---------------------------------------------------------------------------------------

  private async cleanUp(ref: JobRef, reattached: boolean, ending: RunEnding, config: ClipjobConfig): Promise<JobDisposition> {
    const base = { namespace: ref.namespace, name: ref.name, reattached };
    if (ending.kind === "job_gone") return { ...base, kept: false };
    if (ending.kind === "shutdown") return { ...base, kept: true, keptBecause: "shutdown" };
    if (ending.kind === "unreachable") return { ...base, kept: true, keptBecause: "outcome_unknown" };
    if (ending.kind === "state_mismatch") return { ...base, kept: true, keptBecause: "state_mismatch" };
    const mustDelete = ending.kind === "cancelled" || ending.kind === "deadline" || ending.kind === "pod_fatal" || this.hungAfterResult;
    if (config.retainJobs && !mustDelete) return { ...base, kept: true, keptBecause: "retain" };
    this.deletingOurselves = true;
    try {
      await this.deps.cluster.deleteJob(ref, "Background");
      return { ...base, kept: false };
    } catch (error) {
      await this.notice("warn", `Failed to delete Job ${ref.name}; its TTL will remove it: ${describeError(error)}`);
      return { ...base, kept: true, keptBecause: "delete_failed" };
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------

  /** Retries a read through transient API errors: a few attempts, so a guard never hangs. */
  private async readWithRetry<T>(read: () => Promise<T>): Promise<T> {
    let delay = 500;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await read();
      } catch (error) {
        const transient = isClusterError(error) ? error.transient : true;
        if (!transient || attempt >= 4) throw error;
        const retryAfter = isClusterError(error) ? error.retryAfterMs : undefined;
        await this.clock.sleep(Math.min(retryAfter ?? delay, 10_000), this.options.cancelSignal);
        delay *= 2;
      }
    }
  }

  private fail(code: ErrorCode, message: string, errorMeta?: Record<string, unknown>): RunOutcome {
    return failureOutcome({ code, message, ...(errorMeta ? { errorMeta } : {}), durationMs: this.clock.now() - this.startedAt });
  }

  private async phase(phase: RunPhase): Promise<void> {
    await this.emitProgress({ type: "phase", phase, atMs: this.clock.now() });
  }

  private async notice(level: "info" | "warn", message: string): Promise<void> {
    await this.emitProgress({ type: "notice", level, message, atMs: this.clock.now() });
  }

  private async emitProgress(event: ProgressEvent): Promise<void> {
    await this.safely(() => this.observer.onProgress?.(event));
  }

  /** Observer callbacks belong to the host; their failures must not break the run. */
  private async safely(fn: () => void | Promise<void> | undefined): Promise<void> {
    try {
      await fn();
    } catch {
      // Deliberately ignored: a UI that cannot take a line must not lose the run's outcome.
    }
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function permissionMessage(error: ClusterError): string {
  const p = error.permission;
  if (!p) return `Permission denied: ${error.message}`;
  const resource = `${p.resource}${p.subresource ? `/${p.subresource}` : ""}${p.group ? `.${p.group}` : ""}`;
  return `Permission denied: the adapter's service account may not ${p.verb} ${resource}${p.namespace ? ` in namespace ${p.namespace}` : ""} (${error.operation}). Grant it in the Role (see README "RBAC").`;
}
