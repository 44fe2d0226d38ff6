// Turns a run's observations into Paperclip's callbacks. The transcript stays what Claude wrote: raw
// stream-json on stdout (the UI parser renders it), Claude's other output on stderr. Progress goes to the
// host's structured sinks; only notices a person must see (Job created or adopted, warnings, the final
// verdict) become `[clipjob] ` lines. Those go on stdout: Paperclip's run view passes only stdout chunks
// through the adapter's UI parser, which renders the prefix as a system entry (on stderr they would show
// as raw error text). The prefix keeps them apart from stream-json, which always starts with `{`.
import type { JobStarted, ProgressEvent, RunObserver, RunPhase, AgentJobSpec } from "@clipjob/core";
import type { AdapterExecutionContext, AdapterInvocationMeta } from "@paperclipai/adapter-utils";

export const NOTICE_PREFIX = "[clipjob] ";
export const NOTICE_STREAM = "stdout";

type Sinks = Pick<AdapterExecutionContext, "onLog" | "onMeta" | "onEvent" | "onRuntimeProgress" | "onDispatch">;

const STARTUP_PHASES: ReadonlySet<RunPhase> = new Set(["planning", "guarding", "submitting", "reattaching", "waiting_for_pod"]);
const FINAL_PHASES: ReadonlySet<RunPhase> = new Set(["settling", "cleaning_up"]);

/** The longest quiet stretch between two keepalive entries in the transcript. */
export const MAX_KEEPALIVE_GAP_SEC = 600;

export class RunReporter implements RunObserver {
  private dispatched = false;
  /** Silence (s) at which the next keepalive is shown; doubles after each, reset by output. */
  private nextKeepaliveAt = 0;

  constructor(
    private readonly sinks: Sinks,
    private readonly meta: (spec: AgentJobSpec, promptMetrics: Readonly<Record<string, number>>) => AdapterInvocationMeta,
  ) {}

  async onPlan(spec: AgentJobSpec, promptMetrics: Readonly<Record<string, number>>): Promise<void> {
    await this.sinks.onMeta?.(this.meta(spec, { ...(spec.promptMetrics ?? {}), ...promptMetrics }));
  }

  async onJob(job: JobStarted): Promise<void> {
    if (!this.dispatched) {
      this.dispatched = true;
      this.sinks.onDispatch?.();
    }
    await this.event("clipjob.job", "info", `${job.reattached ? "Reattached" : "Created"} Job ${job.namespace}/${job.name}`, { namespace: job.namespace, name: job.name, reattached: job.reattached });
  }

  async onLine(stream: "stdout" | "stderr", line: string): Promise<void> {
    this.nextKeepaliveAt = 0;
    await this.sinks.onLog(stream, `${line}\n`);
  }

  async onProgress(event: ProgressEvent): Promise<void> {
    switch (event.type) {
      case "phase":
        if (STARTUP_PHASES.has(event.phase)) await this.sinks.onRuntimeProgress?.({ phase: "adapter_startup", message: phaseMessage(event.phase) });
        else if (FINAL_PHASES.has(event.phase)) await this.sinks.onRuntimeProgress?.({ phase: "finalize", message: phaseMessage(event.phase) });
        return;
      case "pod":
        await this.event("clipjob.pod", "info", `pod ${event.pod}: ${event.detail}`, { pod: event.pod, phase: event.phase });
        return;
      case "keepalive":
        // Every keepalive would put a line in the transcript each keepaliveSec of a long quiet tool call;
        // shown at doubling silences (15 s, 30 s, 1 min, … at most every 10 min) it stays one line per phase.
        if (event.secondsSinceOutput < this.nextKeepaliveAt) return;
        this.nextKeepaliveAt = Math.min(event.secondsSinceOutput * 2, event.secondsSinceOutput + MAX_KEEPALIVE_GAP_SEC);
        await this.event("clipjob.keepalive", "info", `still running, quiet for ${quietFor(event.secondsSinceOutput)}`, {
          job: event.job,
          secondsSinceOutput: event.secondsSinceOutput,
        });
        return;
      case "notice":
        await this.event("clipjob.notice", event.level, event.message);
        await this.notice(event.message);
        return;
    }
  }

  /** A line for people reading the run log; the UI shows it as a system entry. */
  async notice(message: string): Promise<void> {
    await this.sinks.onLog(NOTICE_STREAM, `${NOTICE_PREFIX}${message}\n`);
  }

  private async event(eventType: string, level: "info" | "warn", message: string, payload?: Record<string, unknown>): Promise<void> {
    await this.sinks.onEvent?.({ eventType, stream: "system", level, message, ...(payload ? { payload } : {}) });
  }
}

/** 45s, 2m, 1h 5m. */
export function quietFor(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h${minutes % 60 ? ` ${minutes % 60}m` : ""}`;
}

function phaseMessage(phase: RunPhase): string {
  return {
    planning: "Planning the Kubernetes Job",
    guarding: "Checking for other Jobs of this agent",
    submitting: "Creating the Job",
    reattaching: "Adopting the Job of an earlier run",
    waiting_for_pod: "Waiting for the agent pod to start",
    running: "Claude is running",
    settling: "Reading the outcome",
    cleaning_up: "Cleaning up the Job",
    done: "Done",
  }[phase];
}
