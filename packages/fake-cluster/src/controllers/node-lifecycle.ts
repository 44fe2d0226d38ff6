import type { ObjectStore } from "../store/object-store.js";
import { isTerminalPhase } from "../store/object-store.js";
import type { VirtualClock } from "../virtual-clock.js";
import { setCondition } from "../kubelet/kubelet.js";

/** node-monitor-grace-period: how long a silent kubelet goes unnoticed. */
export const NODE_MONITOR_GRACE_MS = 40_000;
/** The default toleration of node.kubernetes.io/unreachable:NoExecute before pods on the node are given up. */
export const UNREACHABLE_TOLERATION_MS = 300_000;

/**
 * What node-lifecycle does when a kubelet stops reporting: after the grace period the node's Ready turns
 * Unknown (NodeStatusUnknown) and its pods' Ready turns False; after the unreachable toleration the pods are
 * marked Failed with reason NodeLost (nobody is left to report their containers).
 */
export function markNodeLost(store: ObjectStore, clock: VirtualClock, node: string): void {
  clock.schedule(NODE_MONITOR_GRACE_MS, () => {
    const now = clock.now();
    if (!store.get("Node", "", node)) return;
    store.update("Node", "", node, (n) => {
      for (const type of ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]) {
        setCondition(n.status.conditions, type, "Unknown", "NodeStatusUnknown", now, "Kubelet stopped posting node status.");
      }
      n.spec.taints = [...n.spec.taints.filter((t) => t.key !== "node.kubernetes.io/unreachable"), { key: "node.kubernetes.io/unreachable", effect: "NoExecute" }];
    });
    for (const p of podsOn(store, node)) {
      store.update("Pod", p.metadata.namespace, p.metadata.name, (q) => setCondition(q.status.conditions, "Ready", "False", "NodeLost", now));
    }
    clock.schedule(UNREACHABLE_TOLERATION_MS, () => {
      const later = clock.now();
      for (const p of podsOn(store, node)) {
        store.update("Pod", p.metadata.namespace, p.metadata.name, (q) => {
          q.status.phase = "Failed";
          q.status.reason = "NodeLost";
          q.status.message = `Node ${node} which was running pod ${q.metadata.name} is unresponsive`;
          setCondition(q.status.conditions, "DisruptionTarget", "True", "DeletionByTaintManager", later, "Taint manager: deleting due to NoExecute taint");
        });
      }
    });
  });
}

function podsOn(store: ObjectStore, node: string) {
  return store.list("Pod").items.filter((p) => p.spec.nodeName === node && !isTerminalPhase(p.status.phase));
}
