import { AgentLocks, runAgentJob, type RunDependencies, type RunObserver, type RunOptions, type RunOutcome, type RunRequest } from "@clipjob/core";
import { FakeCluster, simImage, type FakeClusterOptions, type Program } from "@clipjob/fake-cluster";

export const NAMESPACE = "clipjob";

/** A node big enough for hundreds of agent pods at once (the default node fits eight at 1 CPU each). */
const BIG_NODE = { name: "bench-node-1", capacity: { cpu: "4000", memory: "16000Gi", pods: 5000 } };

export interface BenchCluster {
  readonly fake: FakeCluster;
  deps(): RunDependencies;
  /** The host process restarts: new ports, new locks; the cluster keeps running. */
  restartHost(): void;
  /**
   * Another host process on the same cluster (a second Paperclip replica): its own ports and in-process
   * locks (`identity` names it, as a Lease holder), sharing the API server, the kubelet and the clock.
   */
  openProcess(identity: string): { run(request: RunRequest, options?: RunOptions): Promise<RunOutcome> };
  run(request: RunRequest, options?: RunOptions): Promise<RunOutcome>;
  dispose(): void;
}

/** The bench's cluster: seeded, one big node (plain data, so a worker thread can build the same one). */
export const BENCH_CLUSTER_OPTIONS: FakeClusterOptions = { seed: 1, namespace: NAMESPACE, nodes: [BIG_NODE] };

export function benchCluster(options: FakeClusterOptions = {}): BenchCluster {
  const fake = new FakeCluster({ ...BENCH_CLUSTER_OPTIONS, ...options });
  let locks = new AgentLocks();
  const deps = (): RunDependencies => ({ cluster: fake.cluster, logs: fake.logs, host: fake.host, leases: fake.leases, clock: fake.clock, defaultNamespace: NAMESPACE, locks });
  return {
    fake,
    deps,
    restartHost() {
      fake.hostRestart();
      locks = new AgentLocks();
    },
    openProcess(identity) {
      const { exit: _exit, ...ports } = fake.openProcess();
      const own = new AgentLocks({ identity });
      return { run: (request, runOptions = {}) => runAgentJob({ ...ports, clock: fake.clock, defaultNamespace: NAMESPACE, locks: own }, request, runOptions) };
    },
    run: (request, runOptions = {}) => runAgentJob(deps(), request, runOptions),
    dispose: () => fake.dispose(),
  };
}

let runs = 0;

/** A request whose container runs `program` (registered on the cluster) for agent `agentId`. */
export function benchRequest(program: string, opts: { agentId?: string; config?: Record<string, unknown> } = {}): RunRequest {
  runs += 1;
  return {
    runId: `bench-run-${runs}`,
    agent: { id: opts.agentId ?? "agent-bench", companyId: "company-bench", name: "Bench" },
    taskId: `task-${runs}`,
    config: { image: simImage(program), timeoutSec: 0, ...opts.config },
  };
}

/** Wraps a program so the bench learns, in real time, when the container process returned. */
export function timedProgram(program: Program, onExit: (atMs: number) => void): Program {
  return async (ctx) => {
    try {
      return await program(ctx);
    } finally {
      onExit(performance.now());
    }
  };
}

/** Records stdout lines, in order, as the run delivers them. */
export function lineRecorder(): { readonly stdout: string[]; readonly observer: RunObserver } {
  const stdout: string[] = [];
  return { stdout, observer: { onLine: (stream, line) => void (stream === "stdout" && stdout.push(line)) } };
}
