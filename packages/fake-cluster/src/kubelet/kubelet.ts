import { AGENT_CONTAINER } from "@clipjob/core";
import type { ObjectStore, StoreEvent } from "../store/object-store.js";
import { isTerminalPhase } from "../store/object-store.js";
import type { Condition, ContainerStatusObject, PodObject } from "../store/objects.js";
import type { VirtualClock } from "../virtual-clock.js";
import type { Random } from "../prng.js";
import type { Program, ProgramContext } from "../programs/program.js";
import { parseQuantity } from "../quantity.js";
import type { LogFiles } from "./container-log.js";
import { missingExecutable, mountedSecrets, parseInvocation, readMountedFile, resolveEnv, SIM_CLAUDE_EXECUTABLES } from "./container-env.js";
import { RunningProcess } from "./container-process.js";

export interface KubeletDeps {
  readonly store: ObjectStore;
  readonly clock: VirtualClock;
  readonly random: Random;
  readonly logs: LogFiles;
  /** The program an image runs; `undefined` means the image does not exist in any registry. */
  readonly programFor: (image: string) => Program | undefined;
  readonly imageExists: (image: string) => boolean;
  /** A transient registry failure for pulls now (the ErrImagePull message), or null when the registry answers. */
  readonly registryFailure: () => string | null;
  readonly sessions: ProgramContext["sessions"];
  readonly statusLagMs: () => number;
}

const PULL_MS = 300;
const MOUNT_RETRY_MS = 2_000;
const CONFIG_RETRY_MS = 10_000;
const MAX_PULL_BACKOFF_MS = 300_000;


/**
 * The kubelet of every node: pod workers that mount, pull, run init containers and the agent container as a
 * program, write pod status after a lag, handle graceful deletion (SIGTERM → 143, SIGKILL after the grace
 * period → 137), OOM kills and node-pressure eviction. restartPolicy is always Never for our Jobs, so there is
 * no CrashLoopBackOff: a failed init container fails the pod.
 */
export class Kubelet {
  private readonly workers = new Map<string, PodWorker>();
  private readonly deadNodes = new Set<string>();

  constructor(private readonly deps: KubeletDeps) {
    deps.store.onChange((e) => this.onEvent(e));
    // The container log manager: every monitor interval, rotate the logs that reached their size limit. A
    // daemon timer: it never keeps virtual time moving by itself.
    const rotate = (): void => {
      deps.logs.rotateFull();
      deps.clock.schedule(deps.logs.monitorIntervalMs, rotate, { daemon: true });
    };
    deps.clock.schedule(deps.logs.monitorIntervalMs, rotate, { daemon: true });
  }

  isNodeDead(node: string): boolean {
    return this.deadNodes.has(node);
  }

  /** The node's kubelet stops: processes vanish unobserved, nothing more is reported. */
  killNode(node: string): void {
    this.deadNodes.add(node);
    for (const w of this.workers.values()) if (w.node === node) w.vanish();
  }

  /** Node-pressure eviction: the kubelet kills the pod's containers and fails it with reason Evicted. */
  evictForPressure(podUid: string): void {
    this.workers.get(podUid)?.evict();
  }

  stopAll(): void {
    for (const w of this.workers.values()) w.vanish();
  }

  private onEvent(e: StoreEvent): void {
    if (e.object.kind !== "Pod") return;
    const pod = e.object;
    const uid = pod.metadata.uid;
    if (e.type === "DELETED") {
      this.workers.get(uid)?.vanish();
      this.workers.delete(uid);
      this.deps.logs.removePod(uid);
      return;
    }
    const node = pod.spec.nodeName;
    if (node === undefined || this.deadNodes.has(node)) return;
    let w = this.workers.get(uid);
    if (!w) {
      if (isTerminalPhase(pod.status.phase)) return;
      w = new PodWorker(this.deps, pod, node);
      this.workers.set(uid, w);
      w.start();
    }
    if (pod.metadata.deletionTimestamp !== undefined) w.terminate(pod.metadata.deletionTimestamp);
  }
}

class PodWorker {
  private readonly stop = new AbortController();
  private dead = false;
  private lastStatusAt = 0;
  private terminating: number | null = null;
  private readonly ns: string;
  private readonly name: string;
  private readonly uid: string;
  private readonly template: PodObject["spec"];
  private process: RunningProcess | null = null;
  private mainStarted = false;

  constructor(
    private readonly deps: KubeletDeps,
    pod: PodObject,
    readonly node: string,
  ) {
    this.ns = pod.metadata.namespace;
    this.name = pod.metadata.name;
    this.uid = pod.metadata.uid;
    this.template = pod.spec;
  }

  start(): void {
    void this.run();
  }

  /** Graceful deletion began; `deadline` is when SIGKILL is due. */
  terminate(deadline: number): void {
    if (this.terminating !== null) return;
    this.terminating = deadline;
    if (this.process) this.process.sigterm(deadline);
    else this.stop.abort();
  }

  evict(): void {
    if (this.process) this.process.kill({ exitCode: 137, reason: "Error", signal: 9 }, { evicted: true });
  }

  vanish(): void {
    this.dead = true;
    this.stop.abort();
    this.process?.vanish();
  }

  private get pod(): PodObject | undefined {
    const p = this.deps.store.get("Pod", this.ns, this.name);
    return p && p.metadata.uid === this.uid ? p : undefined;
  }

  private async run(): Promise<void> {
    const spec = this.template.template;
    const inits = this.template.initContainers;
    this.writeStatus((s) => {
      s.startTime ??= this.deps.clock.now();
      s.hostIP = "10.0.0.10";
      s.podIP = `10.244.0.${2 + Math.floor(this.deps.random.next() * 250)}`;
      setCondition(s.conditions, "PodReadyToStartContainers", "False", undefined, this.deps.clock.now());
      setCondition(s.conditions, "Initialized", inits.length > 0 ? "False" : "True", inits.length > 0 ? "ContainersNotInitialized" : undefined, this.deps.clock.now());
      setCondition(s.conditions, "Ready", "False", "ContainersNotReady", this.deps.clock.now());
      setCondition(s.conditions, "ContainersReady", "False", "ContainersNotReady", this.deps.clock.now());
      s.initContainerStatuses = inits.map((c) => waiting(c.name, c.image, "PodInitializing"));
      s.containerStatuses = [waiting(AGENT_CONTAINER, spec.image, inits.length > 0 ? "PodInitializing" : "ContainerCreating")];
    });

    // Volumes: a missing secret keeps the pod in ContainerCreating (FailedMount events) until it appears.
    while (!this.stop.signal.aborted) {
      const missing = mountedSecrets(spec).find((m) => !m.optional && !this.deps.store.get("Secret", this.ns, m.name));
      if (!missing) break;
      await this.deps.clock.sleepDaemon(MOUNT_RETRY_MS, this.stop.signal);
    }
    if (this.stop.signal.aborted) return this.finishWithoutStart();
    this.writeStatus((s) => setCondition(s.conditions, "PodReadyToStartContainers", "True", undefined, this.deps.clock.now()));

    for (let i = 0; i < inits.length; i++) {
      const c = inits[i]!;
      if (!(await this.pull(c.image, "init", i))) return this.finishWithoutStart();
      const startedAt = this.deps.clock.now();
      this.writeStatus((s) => (s.initContainerStatuses[i] = { ...s.initContainerStatuses[i]!, state: { kind: "running", startedAt } }));
      this.deps.logs.open(this.uid, c.name);
      await this.deps.clock.sleep(c.runMs, this.stop.signal);
      if (this.stop.signal.aborted && this.dead) return;
      const finishedAt = this.deps.clock.now();
      const exitCode = this.stop.signal.aborted ? 143 : c.exitCode;
      this.deps.logs.open(this.uid, c.name).seal(this.deps.clock.now());
      this.writeStatus((s) => {
        s.initContainerStatuses[i] = { ...s.initContainerStatuses[i]!, state: { kind: "terminated", exitCode, reason: exitCode === 0 ? "Completed" : "Error", startedAt, finishedAt } };
      });
      if (exitCode !== 0) {
        // restartPolicy Never: a failed init container fails the pod (no CrashLoopBackOff).
        this.writeStatus((s) => {
          s.phase = "Failed";
          setCondition(s.conditions, "Initialized", "False", "ContainersNotInitialized", finishedAt, `containers with incomplete status: [${c.name}]`);
          setCondition(s.conditions, "PodReadyToStartContainers", "False", undefined, finishedAt);
        });
        return this.finalDelete();
      }
    }
    if (inits.length > 0) {
      this.writeStatus((s) => {
        setCondition(s.conditions, "Initialized", "True", undefined, this.deps.clock.now());
        s.containerStatuses[0] = waiting(AGENT_CONTAINER, spec.image, "ContainerCreating");
      });
    }

    if (!(await this.pull(spec.image, "main", 0))) return this.finishWithoutStart();

    let env: Record<string, string> | undefined;
    for (;;) {
      const pod = this.pod;
      if (!pod || this.stop.signal.aborted) return this.finishWithoutStart();
      const r = resolveEnv(pod, this.deps.store);
      if (r.ok) {
        env = r.env;
        break;
      }
      this.writeStatus((s) => (s.containerStatuses[0] = { ...s.containerStatuses[0]!, state: { kind: "waiting", reason: "CreateContainerConfigError", message: r.message } }));
      await this.deps.clock.sleepDaemon(CONFIG_RETRY_MS, this.stop.signal);
    }

    const pod = this.pod;
    const invocation = parseInvocation(spec);
    const imageProgram = this.deps.programFor(spec.image);
    const program = imageProgram && invocation.executable !== undefined && !SIM_CLAUDE_EXECUTABLES.has(invocation.executable) ? missingExecutable(invocation.executable) : imageProgram;
    if (!pod || !program || this.stop.signal.aborted) return this.finishWithoutStart();
    const prompt = invocation.stdinPath ? readMountedFile(invocation.stdinPath, pod, this.deps.store) : "";
    const startedAt = this.deps.clock.now();
    this.mainStarted = true;
    this.writeStatus((s) => {
      s.phase = "Running";
      s.containerStatuses[0] = { ...s.containerStatuses[0]!, state: { kind: "running", startedAt }, ready: true };
      setCondition(s.conditions, "Ready", "True", undefined, startedAt);
      setCondition(s.conditions, "ContainersReady", "True", undefined, startedAt);
    });

    const memoryLimit = parseQuantity(spec.resources.limits.memory) ?? nodeMemory(this.deps.store, this.node);
    const log = this.deps.logs.open(this.uid, AGENT_CONTAINER);
    const proc = new RunningProcess(this.deps, program, {
      argv: invocation.argv,
      prompt,
      env,
      memoryLimit,
      log,
    });
    this.process = proc;
    if (this.terminating !== null) proc.sigterm(this.terminating);
    const outcome = await proc.wait();
    log.seal(this.deps.clock.now());
    if (outcome.vanished) return;
    const finishedAt = this.deps.clock.now();
    const d = outcome.death;
    this.writeStatus((s) => {
      s.containerStatuses[0] = {
        ...s.containerStatuses[0]!,
        ready: false,
        state: {
          kind: "terminated",
          exitCode: d.exitCode,
          reason: d.reason,
          ...(d.signal !== undefined ? { signal: d.signal } : {}),
          ...(d.message !== undefined ? { message: d.message } : {}),
          startedAt,
          finishedAt,
        },
      };
      s.phase = d.exitCode === 0 ? "Succeeded" : "Failed";
      setCondition(s.conditions, "Ready", "False", "PodCompleted", finishedAt);
      setCondition(s.conditions, "ContainersReady", "False", "PodCompleted", finishedAt);
      setCondition(s.conditions, "PodReadyToStartContainers", "False", undefined, finishedAt);
      if (outcome.evicted) {
        s.reason = "Evicted";
        s.message = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. Container claude was using 2Gi, request is 0, has larger consumption of memory.";
        setCondition(s.conditions, "DisruptionTarget", "True", "TerminationByKubelet", finishedAt, "The node was low on resource: memory.");
      }
    });
    return this.finalDelete();
  }

  /** Pulls until it succeeds (true) or the pod is being deleted (false); failures cycle ErrImagePull / ImagePullBackOff. */
  private async pull(image: string, which: "init" | "main", index: number): Promise<boolean> {
    const set = (state: ContainerStatusObject["state"]): void =>
      this.writeStatus((s) => {
        const list = which === "init" ? s.initContainerStatuses : s.containerStatuses;
        list[index] = { ...list[index]!, state };
      });
    let backoff = 10_000;
    for (;;) {
      if (this.stop.signal.aborted) return false;
      await this.deps.clock.sleep(PULL_MS, this.stop.signal);
      if (this.stop.signal.aborted) return false;
      const flaky = this.deps.registryFailure();
      if (flaky === null && this.deps.imageExists(image)) return true;
      set({
        kind: "waiting",
        reason: "ErrImagePull",
        message:
          flaky !== null
            ? `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": ${flaky}`
            : `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
      });
      await this.deps.clock.sleepDaemon(1_000, this.stop.signal);
      set({ kind: "waiting", reason: "ImagePullBackOff", message: `Back-off pulling image "${image}"` });
      await this.deps.clock.sleepDaemon(backoff, this.stop.signal);
      backoff = Math.min(backoff * 2, MAX_PULL_BACKOFF_MS);
    }
  }

  /** Deleted before the agent container ran: the pod ends Failed and is removed. */
  private finishWithoutStart(): void {
    if (this.dead || this.mainStarted) return;
    this.writeStatus((s) => {
      s.phase = "Failed";
      setCondition(s.conditions, "Ready", "False", "PodCompleted", this.deps.clock.now());
    });
    this.finalDelete();
  }

  /** After a terminal status, a pod being deleted is removed for good (grace 0), after the same status lag. */
  private finalDelete(): void {
    this.afterStatus(() => {
      const p = this.pod;
      if (p?.metadata.deletionTimestamp !== undefined) {
        this.deps.store.delete("Pod", this.ns, this.name, { gracePeriodSeconds: 0, uid: this.uid });
      }
    });
    this.stop.abort();
  }

  private writeStatus(mutate: (s: PodObject["status"]) => void): void {
    this.afterStatus(() => {
      if (!this.pod) return;
      this.deps.store.update("Pod", this.ns, this.name, (p) => mutate(p.status));
    });
  }

  /** Status writes are delayed by the kubelet's lag and kept in order. */
  private afterStatus(fn: () => void): void {
    if (this.dead) return;
    const now = this.deps.clock.now();
    const at = Math.max(now + this.deps.statusLagMs(), this.lastStatusAt);
    this.lastStatusAt = at;
    this.deps.clock.schedule(at - now, () => {
      if (!this.dead) fn();
    });
  }
}

function waiting(name: string, image: string, reason: string): ContainerStatusObject {
  return { name, image, state: { kind: "waiting", reason }, ready: false, restartCount: 0 };
}

function nodeMemory(store: ObjectStore, node: string): number {
  return store.get("Node", "", node)?.status.allocatable.memory ?? 32 * 1024 ** 3;
}

export function setCondition(list: Condition[], type: string, status: Condition["status"], reason: string | undefined, at: number, message?: string): void {
  const i = list.findIndex((c) => c.type === type);
  const prev = list[i];
  const next: Condition = {
    type,
    status,
    ...(reason !== undefined ? { reason } : {}),
    ...(message !== undefined ? { message } : {}),
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : at,
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
}
