import type { ObjectStore } from "../store/object-store.js";
import { FOREGROUND_FINALIZER, type AnyObject } from "../store/objects.js";
import type { VirtualClock } from "../virtual-clock.js";
import { WorkQueue } from "./work-queue.js";

/**
 * The garbage collector: deletes objects whose every owner (by uid) is gone (Background cascade), and for an
 * owner deleted with Foreground propagation deletes its dependents first, removing the `foregroundDeletion`
 * finalizer once no dependent with blockOwnerDeletion remains.
 */
export class GarbageCollector {
  private readonly queue: WorkQueue;

  constructor(
    private readonly store: ObjectStore,
    clock: VirtualClock,
    latencyMs: number,
  ) {
    this.queue = new WorkQueue(clock, latencyMs, () => this.sweep());
    store.onChange((e) => {
      if (e.type === "DELETED" || e.object.metadata.deletionTimestamp !== undefined || e.object.metadata.ownerReferences.length > 0) this.queue.enqueue("sweep");
    });
  }

  stop(): void {
    this.queue.stop();
  }

  private sweep(): void {
    const all = this.store.all();
    const byUid = new Map(all.map((o) => [o.metadata.uid, o]));
    for (const o of all) {
      const owners = o.metadata.ownerReferences;
      if (owners.length > 0 && owners.every((r) => !byUid.has(r.uid)) && o.metadata.deletionTimestamp === undefined) {
        this.remove(o, "Background");
      }
    }
    for (const owner of all) {
      const m = owner.metadata;
      if (m.deletionTimestamp === undefined || !m.finalizers.includes(FOREGROUND_FINALIZER)) continue;
      const dependents = all.filter((d) => d.metadata.ownerReferences.some((r) => r.uid === m.uid) && this.exists(d));
      for (const d of dependents) if (d.metadata.deletionTimestamp === undefined) this.remove(d, "Foreground");
      const blocking = dependents.filter((d) => d.metadata.ownerReferences.some((r) => r.uid === m.uid && r.blockOwnerDeletion) && this.exists(d));
      if (blocking.length === 0) {
        this.store.update(owner.kind, m.namespace, m.name, (x) => {
          x.metadata.finalizers = x.metadata.finalizers.filter((f) => f !== FOREGROUND_FINALIZER);
        });
      }
    }
  }

  private exists(o: AnyObject): boolean {
    return this.store.get(o.kind, o.metadata.namespace, o.metadata.name)?.metadata.uid === o.metadata.uid;
  }

  private remove(o: AnyObject, propagation: "Background" | "Foreground"): void {
    if (!this.exists(o)) return;
    // Pods have no dependents of their own: a plain graceful delete, like the GC issues for leaf objects.
    this.store.delete(o.kind, o.metadata.namespace, o.metadata.name, { uid: o.metadata.uid, ...(o.kind === "Pod" ? {} : { propagation }) });
  }
}
