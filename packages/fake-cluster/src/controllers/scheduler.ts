import type { ObjectStore, StoreEvent } from "../store/object-store.js";
import { isTerminalPhase } from "../store/object-store.js";
import type { AnyObject, NodeObject, PodObject } from "../store/objects.js";
import type { VirtualClock } from "../virtual-clock.js";
import { parseQuantity } from "../quantity.js";
import { setCondition } from "../kubelet/kubelet.js";
import { WorkQueue } from "./work-queue.js";

/**
 * kube-scheduler, reduced to the filters that matter for one-pod Jobs: node readiness and cordon, nodeSelector,
 * NoSchedule/NoExecute taints, cpu/memory requests and pod count against allocatable, and PVC existence.
 * An unschedulable pod stays Pending with PodScheduled=False, reason Unschedulable and the scheduler's message,
 * and is retried whenever a node or PVC changes.
 *
 * Like kube-scheduler's cache it keeps, from the change stream, what each node has committed (requests and pod
 * count of its non-terminal pods) and which pods wait for a node, instead of re-reading every pod per decision.
 */
export class Scheduler {
  private readonly queue: WorkQueue;
  /** Pod uid → what it holds on its node. */
  private readonly placed = new Map<string, Placement>();
  /** Node name → the sum of its placements. */
  private readonly committed = new Map<string, Usage>();
  /** Unbound, not-deleting pods by "namespace/name", for the retry when nodes or claims change. */
  private readonly waiting = new Map<string, PodObject>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: VirtualClock,
    latencyMs: number,
  ) {
    this.queue = new WorkQueue(clock, latencyMs, (k) => this.schedule(k));
    store.onChange((e) => this.onEvent(e));
  }

  stop(): void {
    this.queue.stop();
  }

  private onEvent(e: StoreEvent): void {
    const o = e.object;
    if (o.kind === "Pod") this.track(o, e.type === "DELETED");
    if (o.kind === "Pod" && e.type !== "DELETED" && isWaiting(o)) {
      this.queue.enqueue(`${o.metadata.namespace}/${o.metadata.name}`);
    }
    if (o.kind === "Node" || o.kind === "PersistentVolumeClaim" || (o.kind === "Pod" && e.type === "DELETED")) {
      // The order a list would give: creation time, then name.
      const pods = [...this.waiting.values()].sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp || a.metadata.name.localeCompare(b.metadata.name));
      for (const p of pods) this.queue.enqueue(`${p.metadata.namespace}/${p.metadata.name}`);
    }
  }

  private track(pod: PodObject, deleted: boolean): void {
    const uid = pod.metadata.uid;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (!deleted && isWaiting(pod)) this.waiting.set(key, pod);
    else if (this.waiting.get(key)?.metadata.uid === uid) this.waiting.delete(key);
    const before = this.placed.get(uid);
    const node = pod.spec.nodeName;
    const holds = !deleted && node !== undefined && !isTerminalPhase(pod.status.phase);
    if (before && (!holds || before.node !== node)) {
      this.placed.delete(uid);
      this.add(before.node, before, -1);
    }
    if (holds && !this.placed.has(uid)) {
      const requests = pod.spec.template.resources.requests;
      const p: Placement = { node, cpu: millis(requests.cpu), memory: parseQuantity(requests.memory) ?? 0 };
      this.placed.set(uid, p);
      this.add(node, p, 1);
    }
  }

  private add(node: string, p: Placement, sign: 1 | -1): void {
    const u = this.committed.get(node) ?? { pods: 0, cpu: 0, memory: 0 };
    const next = { pods: u.pods + sign, cpu: u.cpu + sign * p.cpu, memory: u.memory + sign * p.memory };
    if (next.pods === 0) this.committed.delete(node);
    else this.committed.set(node, next);
  }

  private schedule(key: string): void {
    const [ns, name] = key.split("/") as [string, string];
    const pod = this.store.get("Pod", ns, name);
    if (!pod || pod.spec.nodeName !== undefined || pod.metadata.deletionTimestamp !== undefined) return;
    const nodes = this.store.list("Node").items;
    const now = this.clock.now();
    const claim = pod.spec.template.volumes.find((v) => v.kind === "pvc" && !this.store.get("PersistentVolumeClaim", ns, v.claimName));
    let message: string;
    if (claim && claim.kind === "pvc") {
      message = `0/${nodes.length} nodes are available: persistentvolumeclaim "${claim.claimName}" not found. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
    } else {
      const reasons = new Map<string, number>();
      const fit = nodes.find((n) => {
        const why = this.misfit(pod, n);
        if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
        return why === null;
      });
      if (fit) {
        this.store.update("Pod", ns, name, (p) => {
          p.spec.nodeName = fit.metadata.name;
          setCondition(p.status.conditions, "PodScheduled", "True", undefined, now);
        });
        return;
      }
      const parts = [...reasons.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([why, n]) => `${n} ${why}`);
      message = `0/${nodes.length} nodes are available: ${parts.join(", ")}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
    }
    const current = pod.status.conditions.find((c) => c.type === "PodScheduled");
    if (current?.status === "False" && current.message === message) return;
    this.store.update("Pod", ns, name, (p) => setCondition(p.status.conditions, "PodScheduled", "False", "Unschedulable", now, message));
  }

  private misfit(pod: PodObject, node: NodeObject): string | null {
    const spec = pod.spec.template;
    const ready = node.status.conditions.find((c) => c.type === "Ready");
    if (node.spec.unschedulable) return "node(s) were unschedulable";
    for (const [k, v] of Object.entries(spec.nodeSelector)) {
      if (node.metadata.labels[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
    }
    const taints = [...node.spec.taints];
    if (ready && ready.status !== "True") taints.push({ key: ready.status === "Unknown" ? "node.kubernetes.io/unreachable" : "node.kubernetes.io/not-ready", effect: "NoSchedule" });
    for (const t of taints) {
      if (t.effect === "PreferNoSchedule") continue;
      const tolerated = spec.tolerations.some(
        (tol) => (tol.effect === undefined || tol.effect === t.effect) && (tol.operator === "Exists" ? tol.key === undefined || tol.key === t.key : tol.key === t.key && (tol.value ?? "") === (t.value ?? "")),
      );
      if (!tolerated) return `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`;
    }
    const used = this.committed.get(node.metadata.name) ?? { pods: 0, cpu: 0, memory: 0 };
    if (used.pods + 1 > node.status.allocatable.pods) return "Too many pods";
    const cpu = millis(spec.resources.requests.cpu);
    const memory = parseQuantity(spec.resources.requests.memory) ?? 0;
    if (used.cpu + cpu > Math.round(node.status.allocatable.cpu * 1000)) return "Insufficient cpu";
    if (used.memory + memory > node.status.allocatable.memory) return "Insufficient memory";
    return null;
  }
}

interface Usage {
  readonly pods: number;
  readonly cpu: number;
  readonly memory: number;
}

interface Placement {
  readonly node: string;
  /** Millicores: integers, so the running total never drifts the way summed fractions would. */
  readonly cpu: number;
  readonly memory: number;
}

function isWaiting(o: AnyObject): o is PodObject {
  return o.kind === "Pod" && o.spec.nodeName === undefined && o.metadata.deletionTimestamp === undefined;
}

function millis(cpu: string | undefined): number {
  return Math.round((parseQuantity(cpu) ?? 0) * 1000);
}
