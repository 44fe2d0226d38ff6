import {
  AGENT_CONTAINER,
  DEFAULT_READ_RETRY,
  type AccessCheck,
  type AccessPort,
  type AgentJobSpec,
  type ClusterPort,
  type HostFacts,
  type HostPort,
  type JobSnapshot,
  type LeasePort,
  type LeaseRecord,
  type LogPort,
  type PodSnapshot,
  type PropagationPolicy,
} from "@clipjob/core";
import { ApiGateway } from "./api/api-gateway.js";
import { GarbageCollector } from "./controllers/garbage-collector.js";
import { JobController } from "./controllers/job-controller.js";
import { markNodeLost } from "./controllers/node-lifecycle.js";
import { Scheduler } from "./controllers/scheduler.js";
import { TtlController } from "./controllers/ttl-controller.js";
import { FaultInjector } from "./faults/fault-injector.js";
import { DEFAULT_LOG_ROTATION, LogFiles, type CriRecord, type LogEntry, type LogPiece, type LogRotation } from "./kubelet/container-log.js";
import { Kubelet, setCondition } from "./kubelet/kubelet.js";
import { openPodLog } from "./kubelet/log-api.js";
import { FakeAccessPort } from "./ports/fake-access-port.js";
import { FakeClusterPort } from "./ports/fake-cluster-port.js";
import { FakeHostPort } from "./ports/fake-host-port.js";
import { FakeLeasePort, toLeaseRecord } from "./ports/fake-lease-port.js";
import { FakeLogPort } from "./ports/fake-log-port.js";
import { PortSession } from "./ports/port-session.js";
import { createReadRetrier, type ReadRetrier } from "./ports/read-retrier.js";
import { toJobSnapshot, toPodSnapshot } from "./ports/snapshots.js";
import { mulberry32, seededRandom, type Random } from "./prng.js";
import { PROGRAMS } from "./programs/builtin-programs.js";
import { programNameOfSimImage, type Program } from "./programs/program.js";
import { parseQuantity } from "./quantity.js";
import { rfc3339 } from "./rfc3339.js";
import { ObjectStore } from "./store/object-store.js";
import type { OwnerReference, Taint } from "./store/objects.js";
import { VirtualClock } from "./virtual-clock.js";
import { assertSpeed, ClockPacer, type SimulationSpeed } from "./clock-pacer.js";
import type { FakeClusterOptions, FakeJobView, FakeNodeView, FakePodView, FakeSecretView, NodeSpec } from "./fake-cluster-options.js";

export type { FakeClusterOptions, FakeJobView, FakeNodeView, FakePodView, FakeSecretView, NodeSpec } from "./fake-cluster-options.js";

/** One host process's ports on a shared FakeCluster (see `openProcess`). */
export interface FakeProcessPorts {
  readonly cluster: ClusterPort;
  readonly logs: LogPort;
  readonly host: HostPort;
  readonly access: AccessPort;
  readonly leases: LeasePort;
  /** The process dies: its streams end and whatever it still tries fails with `unavailable`. */
  exit(): void;
}

const DEFAULT_NODE: NodeSpec = { name: "sim-node-1" };

/**
 * A simulated Kubernetes cluster on a virtual clock, with core's ports on top. See README.md for what is
 * simulated and what is not.
 */
export class FakeCluster {
  readonly clock: VirtualClock;
  readonly faults: FaultInjector;
  /** The API server's storage, for tests that need the raw watch (410 Gone) or list semantics. */
  readonly store: ObjectStore;
  readonly namespace: string;
  readonly options: FakeClusterOptions;

  private readonly random: Random;
  /** The ports' read retries; their jitter has its own PRNG stream so a retry does not shift the cluster's. */
  private readonly reads: ReadRetrier;
  private readonly api: ApiGateway;
  private readonly logFiles: LogFiles;
  private readonly kubelet: Kubelet;
  private readonly programs = new Map<string, Program>(Object.entries(PROGRAMS));
  private readonly sessions = new Set<string>();
  private readonly controllers: { stop(): void }[];
  private session = new PortSession();
  private ports!: { cluster: ClusterPort; logs: LogPort; host: HostPort; access: AccessPort; leases: LeasePort };
  private pacer: ClockPacer | null = null;
  private currentSpeed: SimulationSpeed = "max";

  constructor(options: FakeClusterOptions = {}) {
    if (options.speed !== undefined) assertSpeed(options.speed);
    if (options.freeze && typeof options.speed === "number") throw new RangeError("freeze and a numeric speed exclude each other: a paced clock is not frozen");
    this.options = options;
    this.logFiles = new LogFiles({ ...DEFAULT_LOG_ROTATION, ...options.containerLogRotation });
    this.namespace = options.namespace ?? "clipjob";
    const start = typeof options.startTime === "string" ? Date.parse(options.startTime) : options.startTime;
    this.clock = new VirtualClock({ ...(start !== undefined ? { startMs: start } : {}), autoAdvance: !options.freeze });
    this.random = seededRandom(options.seed ?? 1);
    this.reads = createReadRetrier(options.readRetry ?? DEFAULT_READ_RETRY, this.clock, mulberry32(((options.seed ?? 1) ^ 0x5eed4e7) >>> 0));
    this.store = new ObjectStore(this.clock, this.random, {
      eventHistoryMs: options.eventHistoryMs ?? 5 * 60_000,
      watchTimeoutMs: options.watchTimeoutMs ?? 30 * 60_000,
    });
    this.faults = new FaultInjector(this.clock, this.random, options.statusLagMs ?? 1000, { expireWatches: () => this.store.expireWatches(), silenceWatches: () => this.store.silenceWatches() });
    this.api = new ApiGateway(this.faults);
    const latency = options.controllerLatencyMs ?? 10;
    this.kubelet = new Kubelet({
      store: this.store,
      clock: this.clock,
      random: this.random,
      logs: this.logFiles,
      programFor: (image) => this.programFor(image),
      imageExists: (image) => this.programFor(image) !== undefined || programNameOfSimImage(image) === undefined,
      registryFailure: () => this.faults.registryFailure(),
      sessions: { has: (id) => this.sessions.has(id), add: (id) => void this.sessions.add(id) },
      statusLagMs: () => this.faults.statusLagMs,
    });
    this.controllers = [
      new JobController(this.store, this.clock, this.random, { latencyMs: latency, conditionLagMs: () => this.faults.jobConditionLagMs }),
      new GarbageCollector(this.store, this.clock, latency),
      new TtlController(this.store, this.clock, latency),
      new Scheduler(this.store, this.clock, latency),
    ];
    for (const ns of new Set(["default", this.namespace])) this.addNamespace(ns);
    for (const node of options.nodes ?? [DEFAULT_NODE]) this.addNode(node);
    this.buildPorts();
    if (typeof options.speed === "number") this.startPacing(options.speed);
  }

  /** The current pace of virtual time (for a frozen cluster: "max", though nothing advances it). */
  get speed(): SimulationSpeed {
    return this.currentSpeed;
  }

  /**
   * Changes the pace: a number paces the clock at that multiple of real time, "max" lets it run free (e.g. to
   * let a finished run's clean-up complete at once). Resolves once the previous pacer's last step finished.
   */
  async setSpeed(speed: SimulationSpeed): Promise<void> {
    assertSpeed(speed);
    const previous = this.pacer;
    this.pacer = null;
    await previous?.stop();
    if (typeof speed === "number") this.startPacing(speed);
    else {
      this.currentSpeed = "max";
      this.clock.unfreeze();
    }
  }

  get cluster(): ClusterPort {
    return this.ports.cluster;
  }

  get logs(): LogPort {
    return this.ports.logs;
  }

  get host(): HostPort {
    return this.ports.host;
  }

  /** Leases (coordination.k8s.io/v1): the processes' Leases the agent claims name; two FakeClusters' ports never share one, two runs' may. */
  get leases(): LeasePort {
    return this.ports.leases;
  }

  get access(): AccessPort {
    return this.ports.access;
  }

  registerProgram(name: string, program: Program): void {
    this.programs.set(name, program);
  }

  /** API requests made through the ports, by kind ("get job", "watch pods", "follow log", …). */
  requests(): Readonly<Record<string, number>> {
    return this.api.requests();
  }

  resetRequests(): void {
    this.api.resetRequests();
  }

  // ---- inspection -------------------------------------------------------------------------------

  jobs(namespace: string = this.namespace): FakeJobView[] {
    return this.store.list("Job", namespace).items.map((j) => ({
      ...toJobSnapshot(j),
      spec: j.spec.template,
      finalizers: j.metadata.finalizers,
      ownerReferences: j.metadata.ownerReferences,
    }));
  }

  pods(namespace: string = this.namespace): FakePodView[] {
    return this.store.list("Pod", namespace).items.map((p) => ({
      ...toPodSnapshot(p),
      spec: p.spec.template,
      finalizers: p.metadata.finalizers,
      ownerReferences: p.metadata.ownerReferences,
    }));
  }

  secrets(namespace: string = this.namespace): FakeSecretView[] {
    return this.store.list("Secret", namespace).items.map((s) => ({
      ref: { namespace: s.metadata.namespace, name: s.metadata.name, uid: s.metadata.uid },
      labels: s.metadata.labels,
      annotations: s.metadata.annotations,
      data: s.data,
      ownerReferences: s.metadata.ownerReferences,
      ...(s.metadata.deletionTimestamp !== undefined ? { deletionTimestamp: rfc3339(s.metadata.deletionTimestamp) } : {}),
    }));
  }

  nodes(): FakeNodeView[] {
    return this.store.list("Node").items.map((n) => ({
      name: n.metadata.name,
      labels: n.metadata.labels,
      ready: n.status.conditions.find((c) => c.type === "Ready")?.status ?? "Unknown",
      taints: n.spec.taints,
    }));
  }

  /** Everything the kubelet holds for a container's log (both streams), or [] once the pod is gone. */
  podLog(podName: string, container: string = AGENT_CONTAINER, namespace: string = this.namespace): LogEntry[] {
    const pod = this.store.get("Pod", namespace, podName);
    return pod ? (this.logFiles.find(pod.metadata.uid, container)?.snapshot() ?? []) : [];
  }

  /** The CRI records the container runtime wrote for a container, in every file still on the node. */
  podLogRecords(podName: string, container: string = AGENT_CONTAINER, namespace: string = this.namespace): CriRecord[] {
    const pod = this.store.get("Pod", namespace, podName);
    return pod ? (this.logFiles.find(pod.metadata.uid, container)?.records() ?? []) : [];
  }

  /**
   * The raw pods/log API (not counted, no faults): the response body in pieces (`pieceText` joins them), for
   * tests of sinceTime, prefix and follow semantics.
   */
  readPodLog(podName: string, opts: { container?: string; namespace?: string; follow?: boolean; sinceTime?: string; timestamps?: boolean; signal?: AbortSignal } = {}): AsyncIterable<LogPiece> {
    return openPodLog(this.store, this.kubelet, this.logFiles, opts.namespace ?? this.namespace, podName, opts.container ?? AGENT_CONTAINER, {
      follow: opts.follow ?? false,
      timestamps: opts.timestamps ?? false,
      ...(opts.sinceTime !== undefined ? { sinceTime: opts.sinceTime } : {}),
      signal: opts.signal ?? new AbortController().signal,
    });
  }

  /** The Leases in a namespace as stored (times epoch ms). */
  leaseObjects(namespace: string = this.namespace): LeaseRecord[] {
    return this.store.list("Lease", namespace).items.map(toLeaseRecord);
  }

  // ---- set-up -----------------------------------------------------------------------------------

  addNamespace(name: string): void {
    this.store.create<"Namespace">({ kind: "Namespace", metadata: { name, namespace: "" }, status: { phase: "Active" } });
  }

  addSecret(name: string, data: Readonly<Record<string, string>>, namespace: string = this.namespace): void {
    this.store.create<"Secret">({ kind: "Secret", metadata: { name, namespace }, data: { ...data } });
  }

  addConfigMap(name: string, data: Readonly<Record<string, string>>, namespace: string = this.namespace): void {
    this.store.create<"ConfigMap">({ kind: "ConfigMap", metadata: { name, namespace }, data: { ...data } });
  }

  addPvc(name: string, accessModes: readonly string[], namespace: string = this.namespace): void {
    this.store.create<"PersistentVolumeClaim">({ kind: "PersistentVolumeClaim", metadata: { name, namespace }, spec: { accessModes: [...accessModes] }, status: { phase: "Bound" } });
  }

  addNode(spec: NodeSpec): void {
    const now = this.clock.now();
    const conditions = [];
    for (const [type, status] of [["Ready", "True"], ["MemoryPressure", "False"], ["DiskPressure", "False"], ["PIDPressure", "False"]] as const) {
      const c = { type, status, lastTransitionTime: now, reason: type === "Ready" ? "KubeletReady" : `KubeletHasNo${type}` };
      conditions.push(c);
    }
    this.store.create<"Node">({
      kind: "Node",
      metadata: {
        name: spec.name,
        namespace: "",
        labels: { "kubernetes.io/hostname": spec.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", ...spec.labels },
      },
      spec: { taints: [...(spec.taints ?? [])], unschedulable: false },
      status: {
        allocatable: {
          cpu: parseQuantity(spec.capacity?.cpu ?? "8") ?? 8,
          memory: parseQuantity(spec.capacity?.memory ?? "32Gi") ?? 32 * 1024 ** 3,
          pods: spec.capacity?.pods ?? 110,
        },
        conditions,
      },
    });
  }

  /** RBAC: requests needing this permission get 403 and the access review says not allowed. */
  denyPermission(check: Omit<AccessCheck, "namespace">): void {
    this.api.deny(check);
  }

  allowPermission(check: Omit<AccessCheck, "namespace">): void {
    this.api.allow(check);
  }

  // ---- external actions -------------------------------------------------------------------------

  /** Someone else (kubectl, another controller) deletes the Job. */
  async deleteJobExternally(name: string, propagation: PropagationPolicy = "Background", namespace: string = this.namespace): Promise<void> {
    this.store.delete("Job", namespace, name, { propagation });
  }

  /**
   * Evicts a pod. "api": the Eviction API (DisruptionTarget condition, then a graceful delete: SIGTERM, 143).
   * "node-pressure": the kubelet kills it for memory pressure (Failed, reason Evicted, 137), the pod stays.
   */
  async evictPod(name: string, how: "api" | "node-pressure" = "api", namespace: string = this.namespace): Promise<void> {
    const pod = this.store.get("Pod", namespace, name);
    if (!pod) return;
    if (how === "node-pressure") {
      this.kubelet.evictForPressure(pod.metadata.uid);
      return;
    }
    this.store.update("Pod", namespace, name, (p) => setCondition(p.status.conditions, "DisruptionTarget", "True", "EvictionByEvictionAPI", this.clock.now(), "Eviction API: evicting"));
    this.store.delete("Pod", namespace, name, { uid: pod.metadata.uid });
  }

  /** The node's kubelet goes silent: its processes are lost; node-lifecycle then marks the node and its pods. */
  loseNode(name: string): void {
    this.kubelet.killNode(name);
    markNodeLost(this.store, this.clock, name);
  }

  /**
   * The host process restarts while the cluster keeps running: every stream the old port instances opened
   * ends, anything they try afterwards fails with `unavailable`, and `cluster`/`logs`/`host`/`access` are new
   * instances with no memory of the old ones.
   */
  hostRestart(): void {
    this.session.end();
    this.session = new PortSession();
    this.buildPorts();
  }

  /**
   * The ports of a second host process on this cluster (another Paperclip replica during a rolling update):
   * its own session, sharing the API server, the kubelet and the clock with every other process. `exit()`
   * ends it the way a crash does.
   */
  openProcess(): FakeProcessPorts {
    const session = new PortSession();
    return { ...this.portsFor(session), exit: () => session.end() };
  }

  /** Stops every simulated process, controller and timer, the pacer's real one included. */
  dispose(): void {
    void this.pacer?.stop();
    this.pacer = null;
    this.session.end();
    for (const c of this.controllers) c.stop();
    this.kubelet.stopAll();
    this.clock.stop();
  }

  private startPacing(speed: number): void {
    this.clock.freeze();
    this.currentSpeed = speed;
    this.pacer = new ClockPacer(this.clock, speed);
  }

  private buildPorts(): void {
    this.ports = this.portsFor(this.session);
  }

  private portsFor(s: PortSession): { cluster: ClusterPort; logs: LogPort; host: HostPort; access: AccessPort; leases: LeasePort } {
    const facts: HostFacts = { imagePullSecrets: [], secretVolumes: [], env: {}, envFrom: [], namespace: this.namespace, ...this.options.host };
    return {
      cluster: new FakeClusterPort(this.store, this.api, s, this.clock, this.reads),
      logs: new FakeLogPort(
        this.api,
        (ns, pod, container, req) => openPodLog(this.store, this.kubelet, this.logFiles, ns, pod, container, req),
        this.faults,
        this.clock,
        s,
        this.reads,
      ),
      host: new FakeHostPort(facts, this.api, s, this.reads),
      access: new FakeAccessPort(this.store, this.api, s, this.reads),
      leases: new FakeLeasePort(this.store, this.api, s, this.reads),
    };
  }

  private programFor(image: string): Program | undefined {
    const choice = this.options.programForImage?.(image);
    if (typeof choice === "function") return choice;
    const name = typeof choice === "string" ? choice : (programNameOfSimImage(image) ?? "success");
    return this.programs.get(name);
  }
}
