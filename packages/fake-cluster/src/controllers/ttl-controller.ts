import type { ObjectStore } from "../store/object-store.js";
import type { VirtualClock } from "../virtual-clock.js";
import { WorkQueue } from "./work-queue.js";

/** ttl-after-finished: deletes a finished Job (Foreground, as the upstream controller does) `ttlSecondsAfterFinished` after it finished. */
export class TtlController {
  private readonly queue: WorkQueue;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: VirtualClock,
    latencyMs: number,
  ) {
    this.queue = new WorkQueue(clock, latencyMs, (k) => this.reconcile(k));
    store.onChange((e) => {
      if (e.object.kind === "Job" && e.type !== "DELETED" && e.object.spec.ttlSecondsAfterFinished !== undefined) {
        this.queue.enqueue(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
      }
    });
  }

  stop(): void {
    this.queue.stop();
  }

  private reconcile(key: string): void {
    const [ns, name] = key.split("/") as [string, string];
    const job = this.store.get("Job", ns, name);
    const ttl = job?.spec.ttlSecondsAfterFinished;
    if (!job || ttl === undefined || job.metadata.deletionTimestamp !== undefined) return;
    const done = job.status.conditions.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    if (!done) return;
    const due = done.lastTransitionTime + ttl * 1000;
    const now = this.clock.now();
    if (now < due) {
      this.queue.enqueue(key, due - now);
      return;
    }
    this.store.delete("Job", ns, name, { propagation: "Foreground", uid: job.metadata.uid });
  }
}
