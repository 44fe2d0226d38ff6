import type { ObjectStore, StoreEvent } from "../store/object-store.js";
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type AnyObject } from "../store/objects.js";
import type { VirtualClock } from "../virtual-clock.js";
import { WorkQueue } from "./work-queue.js";

/**
 * The garbage collector: deletes objects whose every owner (by uid) is gone (Background cascade), and for an
 * owner deleted with Foreground propagation deletes its dependents first, removing the `foregroundDeletion`
 * finalizer once no dependent with blockOwnerDeletion remains; an owner deleted with Orphan propagation is
 * dropped from its dependents' ownerReferences, then its `orphan` finalizer is removed.
 *
 * Like the real one it works from its dependency graph, not by scanning storage: each change marks the objects
 * whose verdict it can alter (the object itself, its dependents when it goes, its owners), and a sweep looks
 * at those only.
 */
export class GarbageCollector {
  private readonly queue: WorkQueue;
  /** uids that may have lost every owner. */
  private readonly maybeOrphaned = new Set<string>();
  /** uids of owners that may be waiting on their dependents (foreground deletion). */
  private readonly maybeWaiting = new Set<string>();

  constructor(
    private readonly store: ObjectStore,
    clock: VirtualClock,
    latencyMs: number,
  ) {
    this.queue = new WorkQueue(clock, latencyMs, () => this.sweep());
    store.onChange((e) => this.onEvent(e));
  }

  stop(): void {
    this.queue.stop();
  }

  private onEvent(e: StoreEvent): void {
    const m = e.object.metadata;
    if (!(e.type === "DELETED" || m.deletionTimestamp !== undefined || m.ownerReferences.length > 0)) return;
    if (e.type === "DELETED") {
      for (const d of this.store.dependents(m.uid)) this.maybeOrphaned.add(d.metadata.uid);
    } else {
      if (m.ownerReferences.length > 0) this.maybeOrphaned.add(m.uid);
      if (m.finalizers.includes(FOREGROUND_FINALIZER) || m.finalizers.includes(ORPHAN_FINALIZER)) this.maybeWaiting.add(m.uid);
    }
    for (const r of m.ownerReferences) this.maybeWaiting.add(r.uid);
    this.queue.enqueue("sweep");
  }

  private sweep(): void {
    const orphans = this.take(this.maybeOrphaned);
    const owners = this.take(this.maybeWaiting);
    // Verdicts first, on the state the sweep started from: a cascade this sweep starts is seen by the next one.
    const doomed = orphans.filter((o) => {
      const refs = o.metadata.ownerReferences;
      return refs.length > 0 && refs.every((r) => !this.store.getByUid(r.uid)) && o.metadata.deletionTimestamp === undefined;
    });
    for (const o of doomed) this.remove(o, "Background");
    for (const owner of owners) {
      const m = owner.metadata;
      if (m.deletionTimestamp !== undefined && m.finalizers.includes(ORPHAN_FINALIZER)) {
        // Orphan propagation: free the dependents (drop this owner from their ownerReferences), then let it go.
        for (const d of this.store.dependents(m.uid)) {
          this.store.update(d.kind, d.metadata.namespace, d.metadata.name, (x) => {
            x.metadata.ownerReferences = x.metadata.ownerReferences.filter((r) => r.uid !== m.uid);
          });
        }
        this.store.update(owner.kind, m.namespace, m.name, (x) => {
          x.metadata.finalizers = x.metadata.finalizers.filter((f) => f !== ORPHAN_FINALIZER);
        });
        continue;
      }
      if (m.deletionTimestamp === undefined || !m.finalizers.includes(FOREGROUND_FINALIZER)) continue;
      for (const d of this.store.dependents(m.uid)) if (d.metadata.deletionTimestamp === undefined) this.remove(d, "Foreground");
      const blocking = this.store.dependents(m.uid).filter((d) => d.metadata.ownerReferences.some((r) => r.uid === m.uid && r.blockOwnerDeletion));
      if (blocking.length === 0 && this.exists(owner)) {
        this.store.update(owner.kind, m.namespace, m.name, (x) => {
          x.metadata.finalizers = x.metadata.finalizers.filter((f) => f !== FOREGROUND_FINALIZER);
        });
      }
    }
  }

  /** The marked objects that still exist, in storage order (the order a full scan would visit them); clears the marks. */
  private take(marks: Set<string>): AnyObject[] {
    const objs = [...marks].map((uid) => this.store.getByUid(uid)).filter((o) => o !== undefined);
    marks.clear();
    return this.store.inStorageOrder(objs);
  }

  private exists(o: AnyObject): boolean {
    return this.store.getByUid(o.metadata.uid) !== undefined;
  }

  private remove(o: AnyObject, propagation: "Background" | "Foreground"): void {
    if (!this.exists(o)) return;
    // Pods have no dependents of their own: a plain graceful delete, like the GC issues for leaf objects.
    this.store.delete(o.kind, o.metadata.namespace, o.metadata.name, { uid: o.metadata.uid, ...(o.kind === "Pod" ? {} : { propagation }) });
  }
}
