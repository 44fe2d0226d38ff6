import type { VirtualClock } from "../virtual-clock.js";

/**
 * A controller's work queue: keys are reconciled after the controller's reaction latency, each key at most
 * once per due time (real controllers coalesce bursts of events the same way).
 */
export class WorkQueue {
  private readonly due = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly clock: VirtualClock,
    private readonly latencyMs: number,
    private readonly handler: (key: string) => void,
  ) {}

  enqueue(key: string, afterMs: number = this.latencyMs): void {
    if (this.stopped) return;
    const at = this.clock.now() + afterMs;
    const existing = this.due.get(key);
    if (existing !== undefined && existing <= at && existing >= this.clock.now()) return;
    this.due.set(key, at);
    this.clock.schedule(afterMs, () => {
      if (this.due.get(key) !== at || this.stopped) return;
      this.due.delete(key);
      this.handler(key);
    });
  }

  stop(): void {
    this.stopped = true;
  }
}
