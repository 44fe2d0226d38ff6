import type { ObjectStore } from "../store/object-store.js";
import { isTerminalPhase } from "../store/object-store.js";
import type { NodeObject, PodObject } from "../store/objects.js";
import type { VirtualClock } from "../virtual-clock.js";
import { parseQuantity } from "../quantity.js";
import { setCondition } from "../kubelet/kubelet.js";
import { WorkQueue } from "./work-queue.js";

/**
 * kube-scheduler, reduced to the filters that matter for one-pod Jobs: node readiness and cordon, nodeSelector,
 * NoSchedule/NoExecute taints, cpu/memory requests and pod count against allocatable, and PVC existence.
 * An unschedulable pod stays Pending with PodScheduled=False, reason Unschedulable and the scheduler's message,
 * and is retried whenever a node or PVC changes.
 */
export class Scheduler {
  private readonly queue: WorkQueue;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: VirtualClock,
    latencyMs: number,
  ) {
    this.queue = new WorkQueue(clock, latencyMs, (k) => this.schedule(k));
    store.onChange((e) => {
      const o = e.object;
      if (o.kind === "Pod" && e.type !== "DELETED" && o.spec.nodeName === undefined && o.metadata.deletionTimestamp === undefined) {
        this.queue.enqueue(`${o.metadata.namespace}/${o.metadata.name}`);
      }
      if (o.kind === "Node" || o.kind === "PersistentVolumeClaim" || (o.kind === "Pod" && e.type === "DELETED")) {
        for (const p of this.store.list("Pod").items) {
          if (p.spec.nodeName === undefined && p.metadata.deletionTimestamp === undefined) this.queue.enqueue(`${p.metadata.namespace}/${p.metadata.name}`);
        }
      }
    });
  }

  stop(): void {
    this.queue.stop();
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
    const others = this.store.list("Pod").items.filter((p) => p.spec.nodeName === node.metadata.name && !isTerminalPhase(p.status.phase));
    const used = others.reduce(
      (acc, p) => ({ cpu: acc.cpu + (parseQuantity(p.spec.template.resources.requests.cpu) ?? 0), memory: acc.memory + (parseQuantity(p.spec.template.resources.requests.memory) ?? 0) }),
      { cpu: 0, memory: 0 },
    );
    if (others.length + 1 > node.status.allocatable.pods) return "Too many pods";
    const cpu = parseQuantity(spec.resources.requests.cpu) ?? 0;
    const memory = parseQuantity(spec.resources.requests.memory) ?? 0;
    if (used.cpu + cpu > node.status.allocatable.cpu) return "Insufficient cpu";
    if (used.memory + memory > node.status.allocatable.memory) return "Insufficient memory";
    return null;
  }
}
