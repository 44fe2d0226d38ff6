import { AgentLocks, runAgentJob, type AgentLocksOptions, type ProgressEvent, type RunDependencies, type RunObserver, type RunOptions, type RunOutcome, type RunRequest } from "@clipjob/core";
import { FakeCluster, simImage, SCRIPT_ENV, type FakeClusterOptions, type ScriptBehaviour } from "@clipjob/fake-cluster";

export const NAMESPACE = "clipjob";

export interface Recorded {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly progress: ProgressEvent[];
  readonly jobs: string[];
}

/** Another host process on the scenario's cluster (a second Paperclip replica): its own ports and locks. */
export interface HostProcess {
  readonly locks: AgentLocks;
  deps(): RunDependencies;
  start(request: RunRequest, options?: Omit<RunOptions, "observer">): { done: Promise<RunOutcome>; seen: Recorded };
  run(request: RunRequest, options?: Omit<RunOptions, "observer">): Promise<{ outcome: RunOutcome; seen: Recorded }>;
  /** The process crashes: its streams end and its requests fail from now on. */
  exit(): void;
}

export interface Scenario {
  readonly fake: FakeCluster;
  readonly locks: AgentLocks;
  deps(): RunDependencies;
  /** The host process dies and comes back: in-memory state (ports, locks) is gone, the cluster keeps running. */
  restartHost(): void;
  run(request: RunRequest, options?: Omit<RunOptions, "observer">): Promise<{ outcome: RunOutcome; seen: Recorded }>;
  /** Starts a run without awaiting it; `seen` fills as the run goes. */
  start(request: RunRequest, options?: Omit<RunOptions, "observer">): { done: Promise<RunOutcome>; seen: Recorded };
  /** A second host process on the same cluster, holding its Lease and agent claims as `identity`. */
  process(identity: string, options?: AgentLocksOptions): HostProcess;
  /** Virtual-time wait until `predicate` holds (bounded). */
  until(predicate: () => boolean, maxMs?: number): Promise<void>;
  dispose(): void;
}

export function scenario(options: FakeClusterOptions = {}): Scenario {
  const fake = new FakeCluster({ seed: 1, namespace: NAMESPACE, ...options });
  let locks = new AgentLocks();
  const deps = (): RunDependencies => ({ cluster: fake.cluster, logs: fake.logs, host: fake.host, leases: fake.leases, clock: fake.clock, defaultNamespace: NAMESPACE, locks });
  const start = (request: RunRequest, runOptions: Omit<RunOptions, "observer"> = {}) => startOn(deps(), request, runOptions);
  return {
    fake,
    get locks() {
      return locks;
    },
    deps,
    restartHost() {
      fake.hostRestart();
      locks = new AgentLocks();
    },
    start,
    async run(request, runOptions) {
      const { done, seen } = start(request, runOptions);
      return { outcome: await done, seen };
    },
    process(identity, lockOptions = {}) {
      const ports = fake.openProcess();
      const own = new AgentLocks({ ...lockOptions, identity });
      const ownDeps = (): RunDependencies => ({ ...ports, clock: fake.clock, defaultNamespace: NAMESPACE, locks: own });
      return {
        locks: own,
        deps: ownDeps,
        start: (request, runOptions = {}) => startOn(ownDeps(), request, runOptions),
        async run(request, runOptions = {}) {
          const { done, seen } = startOn(ownDeps(), request, runOptions);
          return { outcome: await done, seen };
        },
        exit: () => ports.exit(),
      };
    },
    async until(predicate, maxMs = 3_600_000) {
      const limit = fake.clock.now() + maxMs;
      while (!predicate()) {
        if (fake.clock.now() > limit) throw new Error(`condition not reached within ${maxMs} ms of virtual time`);
        await fake.clock.sleep(100);
      }
    },
    dispose: () => fake.dispose(),
  };
}

function startOn(deps: RunDependencies, request: RunRequest, runOptions: Omit<RunOptions, "observer">): { done: Promise<RunOutcome>; seen: Recorded } {
  const seen: Recorded = { stdout: [], stderr: [], progress: [], jobs: [] };
  const observer: RunObserver = {
    onLine: (stream, line) => void (stream === "stdout" ? seen.stdout : seen.stderr).push(line),
    onProgress: (event) => void seen.progress.push(event),
    onJob: (job) => void seen.jobs.push(job.name),
  };
  // Ports are captured now: after a host restart, an old run keeps its (dead) ports like a real process would.
  return { done: runAgentJob(deps, request, { ...runOptions, observer }), seen };
}

let counter = 0;

export function request(overrides: Partial<RunRequest> & { configOverrides?: Record<string, unknown>; program?: string } = {}): RunRequest {
  counter += 1;
  const { configOverrides, program, ...rest } = overrides;
  return {
    runId: `run-${counter}`,
    agent: { id: "agent-7f3a", companyId: "company-1", name: "Builder" },
    taskId: "task-42",
    config: { image: simImage(program ?? "success"), timeoutSec: 0, ...configOverrides },
    ...rest,
  };
}

/** A request whose container runs the `script` program with this behaviour. */
export function scripted(behaviour: ScriptBehaviour, overrides: Parameters<typeof request>[0] = {}): RunRequest {
  const base = request({ program: "script", ...overrides });
  const config = base.config as Record<string, unknown>;
  return { ...base, config: { ...config, env: { ...(config.env as Record<string, string> | undefined), [SCRIPT_ENV]: JSON.stringify(behaviour) } } };
}

/** Realistic stream-json lines for a scripted run: init, N assistant messages, a result. */
export function transcriptLines(count: number, opts: { sessionId?: string; isError?: boolean } = {}): string[] {
  const session = opts.sessionId ?? "5d0c6e1e-2f3b-4c55-9a57-7d8c2b0f4e11";
  const lines = [JSON.stringify({ type: "system", subtype: "init", session_id: session, model: "claude-sonnet-4-6", tools: ["Bash"] })];
  for (let i = 0; i < count; i += 1) {
    lines.push(
      JSON.stringify({
        type: "assistant",
        session_id: session,
        message: { id: `msg_${i}`, role: "assistant", model: "claude-sonnet-4-6", stop_reason: "end_turn", content: [{ type: "text", text: `step ${i} done` }], usage: { input_tokens: 10, output_tokens: 5 } },
      }),
    );
  }
  lines.push(
    JSON.stringify({
      type: "result",
      subtype: opts.isError ? "error_during_execution" : "success",
      is_error: opts.isError ?? false,
      result: opts.isError ? "Something broke" : `finished ${count} steps`,
      session_id: session,
      num_turns: count,
      total_cost_usd: 0.0123,
      usage: { input_tokens: 100, cache_creation_input_tokens: 20, cache_read_input_tokens: 300, output_tokens: 50 },
    }),
  );
  return lines;
}

/**
 * Jobs left once the fake's garbage collector has acted (a second of virtual time, far beyond its latency): a
 * finished Job goes with the run's agent claim, which owns it.
 */
export async function jobsLeft(fake: FakeCluster): Promise<string[]> {
  await fake.clock.sleep(1_000);
  return liveJobs(fake);
}

export function liveJobs(fake: FakeCluster): string[] {
  return fake.jobs(NAMESPACE).map((j) => j.ref.name);
}

export function payloads(fake: FakeCluster): string[] {
  // A run's payload is its agent claim (`clipjob-agent-…`); a submit without one makes `<job>-payload`.
  return fake.secrets(NAMESPACE).filter((s) => s.ref.name.endsWith("-payload") || s.ref.name.startsWith("clipjob-agent-")).map((s) => s.ref.name);
}
