// `clipjob logs <job>`: the agent container's log of one Job. Following survives dropped streams the same
// way a run does (resume from the cursor; only an EOF that began after the container ended is the end).

import { AGENT_CONTAINER, err, isClusterError, ok, type Clock, type ClusterPort, type LogCursor, type LogLine, type LogPort, type ObjectRef, type PodSnapshot, type Result } from "@clipjob/core";

export interface JobLogDependencies {
  readonly cluster: ClusterPort;
  readonly logs: LogPort;
  readonly clock: Clock;
}

export interface JobLogOptions {
  /** Keep reading until the container ends (else: what the log holds now). */
  readonly follow: boolean;
  readonly signal: AbortSignal;
  readonly onLine: (line: LogLine) => void | Promise<void>;
  /** Without follow, a running container's log counts as read once it stayed quiet this long. */
  readonly quietMs?: number;
  /** With follow, how often to look for the Job's pod while it has none yet. */
  readonly podPollMs?: number;
}

export interface JobLogRead {
  readonly pod: string;
  readonly lines: number;
  /** The container had ended and its whole log was read. */
  readonly complete: boolean;
}

export type JobLogError =
  | { readonly code: "job_not_found"; readonly message: string }
  | { readonly code: "pod_not_found"; readonly message: string }
  | { readonly code: "cancelled"; readonly message: string };

const DEFAULT_QUIET_MS = 2_000;
const DEFAULT_POD_POLL_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;

export async function readJobLog(deps: JobLogDependencies, job: ObjectRef, options: JobLogOptions): Promise<Result<JobLogRead, JobLogError>> {
  const found = await deps.cluster.getJob(job);
  if (!found) return err({ code: "job_not_found", message: `Job ${job.namespace}/${job.name} not found` });
  const pod = await findPod(deps, job, options);
  if (!pod.ok) return pod;

  let current = pod.value;
  let cursor: LogCursor | null = null;
  let lines = 0;
  let backoff = 500;
  const deliver = async (line: LogLine) => {
    cursor = line.cursor;
    lines += 1;
    backoff = 500;
    await options.onLine(line);
  };
  for (;;) {
    const endedBefore = containerEnded(current);
    const stream = await readOnce(deps, current.ref, cursor, options, endedBefore, deliver);
    if (stream === "gone" || options.signal.aborted) return ok({ pod: current.ref.name, lines, complete: false });
    if (endedBefore) return ok({ pod: current.ref.name, lines, complete: true });
    if (!options.follow) return ok({ pod: current.ref.name, lines, complete: false });
    const fresh = await currentPod(deps, job, current);
    if (!fresh) return ok({ pod: current.ref.name, lines, complete: false });
    current = fresh;
    if (!containerEnded(current)) {
      await deps.clock.sleep(backoff, options.signal);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
}

/** The newest pod of the Job; with follow, waits for one to appear. */
async function findPod(deps: JobLogDependencies, job: ObjectRef, options: JobLogOptions): Promise<Result<PodSnapshot, JobLogError>> {
  for (;;) {
    const pod = newest(await deps.cluster.listPods(job));
    if (pod) return ok(pod);
    if (!options.follow) return err({ code: "pod_not_found", message: `Job ${job.namespace}/${job.name} has no pod (yet, or any more)` });
    if (!(await deps.cluster.getJob(job))) return err({ code: "job_not_found", message: `Job ${job.namespace}/${job.name} was deleted before it had a pod` });
    await deps.clock.sleep(options.podPollMs ?? DEFAULT_POD_POLL_MS, options.signal);
    if (options.signal.aborted) return err({ code: "cancelled", message: "Stopped before the Job had a pod" });
  }
}

async function currentPod(deps: JobLogDependencies, job: ObjectRef, previous: PodSnapshot): Promise<PodSnapshot | null> {
  try {
    const pods = await deps.cluster.listPods(job);
    return pods.find((p) => p.ref.uid === previous.ref.uid) ?? null;
  } catch (error) {
    if (isClusterError(error) && error.transient) return previous;
    throw error;
  }
}

/**
 * One log stream until it ends. A live container's stream without follow is cut once it stays quiet: the
 * log API only offers following, and what was written before the request arrives at once.
 */
async function readOnce(
  deps: JobLogDependencies,
  pod: ObjectRef,
  from: LogCursor | null,
  options: JobLogOptions,
  ended: boolean,
  deliver: (line: LogLine) => Promise<void>,
): Promise<"ended" | "gone"> {
  const stop = new AbortController();
  const forward = () => stop.abort();
  options.signal.addEventListener("abort", forward, { once: true });
  let lastLineAt = deps.clock.now();
  const quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
  const watchdog = !ended && !options.follow ? cutWhenQuiet(deps.clock, quietMs, () => lastLineAt, stop) : Promise.resolve();
  try {
    for await (const line of deps.logs.follow(pod, AGENT_CONTAINER, from, stop.signal)) {
      lastLineAt = deps.clock.now();
      await deliver(line);
    }
    return "ended";
  } catch (error) {
    if (isClusterError(error) && error.code === "not_found") return "gone";
    if (stop.signal.aborted || (isClusterError(error) && error.transient)) return "ended";
    throw error;
  } finally {
    options.signal.removeEventListener("abort", forward);
    stop.abort();
    await watchdog;
  }
}

async function cutWhenQuiet(clock: Clock, quietMs: number, lastLineAt: () => number, stop: AbortController): Promise<void> {
  while (!stop.signal.aborted) {
    const wait = lastLineAt() + quietMs - clock.now();
    if (wait <= 0) {
      stop.abort();
      return;
    }
    await clock.sleep(wait, stop.signal);
  }
}

function containerEnded(pod: PodSnapshot): boolean {
  if (pod.phase === "Succeeded" || pod.phase === "Failed") return true;
  return pod.containers.some((c) => c.name === AGENT_CONTAINER && c.state.kind === "terminated");
}

function newest(pods: readonly PodSnapshot[]): PodSnapshot | undefined {
  return [...pods].sort((a, b) => b.creationTimestamp.localeCompare(a.creationTimestamp))[0];
}
