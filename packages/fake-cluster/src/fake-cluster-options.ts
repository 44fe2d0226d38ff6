// What a FakeCluster is built from (its options and nodes) and what its inspection API shows of the objects
// it holds.
import type { AgentJobSpec, HostFacts, JobSnapshot, PodSnapshot, ReadRetryPolicy } from "@clipjob/core";
import type { SimulationSpeed } from "./clock-pacer.js";
import type { LogRotation } from "./kubelet/container-log.js";
import type { Program } from "./programs/program.js";
import type { OwnerReference, Taint } from "./store/objects.js";

export interface NodeSpec {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly capacity?: { readonly cpu?: string; readonly memory?: string; readonly pods?: number };
  readonly taints?: readonly Taint[];
}

export interface FakeClusterOptions {
  /** PRNG seed (default 1): the same seed replays the same run. */
  readonly seed?: number;
  /**
   * How the ports retry a read that failed transiently (default core's DEFAULT_READ_RETRY, what the
   * Kubernetes adapters use: 4 attempts). `{ attempts: 1, ... }` lets every injected read fault through.
   */
  readonly readRetry?: ReadRetryPolicy;
  /** The namespace created at start (default "clipjob"). */
  readonly namespace?: string;
  /** What `host.describeHost()` returns, over NO_HOST_FACTS. */
  readonly host?: Partial<HostFacts>;
  /** Default: one Ready node "sim-node-1" with 8 CPU, 32Gi and 110 pods. */
  readonly nodes?: readonly NodeSpec[];
  /** Kubelet delay between a container change and its pod status (default 1000 ms, about one PLEG relist). */
  readonly statusLagMs?: number;
  /** Reaction time of the Job controller, garbage collector, TTL controller and scheduler (default 10 ms). */
  readonly controllerLatencyMs?: number;
  /** Virtual epoch at start (default 2026-01-01T00:00:00Z). */
  readonly startTime?: number | string;
  /** No automatic time advancement: tests step with `clock.advance(ms)`. Not with a numeric `speed`. */
  readonly freeze?: boolean;
  /**
   * How fast virtual time flows (default "max"): "max" jumps to the next timer whenever everything is idle;
   * a number paces the clock at that multiple of real time (1 = real time) on a real timer until dispose().
   */
  readonly speed?: SimulationSpeed;
  /** The program an image runs: a registered name or a Program. Default: sim images by name, any other image "success". */
  readonly programForImage?: (image: string) => string | Program | undefined;
  /** The API server closes each watch after this, times a seeded factor in [1, 2) (default 30 min). */
  readonly watchTimeoutMs?: number;
  /** How far back watch history reaches; resuming from older gives 410 Gone (default 5 min). */
  readonly eventHistoryMs?: number;
  /** The kubelet's container log rotation (default 10 MiB × 5 files, checked every 10 s: the kubelet's defaults). */
  readonly containerLogRotation?: Partial<LogRotation>;
}

export type FakeJobView = JobSnapshot & { readonly spec: AgentJobSpec; readonly finalizers: readonly string[]; readonly ownerReferences: readonly OwnerReference[] };
export type FakePodView = PodSnapshot & { readonly finalizers: readonly string[]; readonly ownerReferences: readonly OwnerReference[]; readonly spec: AgentJobSpec };
export interface FakeSecretView {
  readonly ref: { readonly namespace: string; readonly name: string; readonly uid: string };
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly data: Readonly<Record<string, string>>;
  readonly ownerReferences: readonly OwnerReference[];
  readonly deletionTimestamp?: string;
}
export interface FakeNodeView {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ready: "True" | "False" | "Unknown";
  readonly taints: readonly Taint[];
}
