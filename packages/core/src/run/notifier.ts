import type { Clock } from "../ports/clock.js";

/**
 * Wakes the run loop when any watcher changed the run's state, or after a timeout on the injected clock.
 * Level-triggered: a notify that arrives while nobody waits is remembered, so no change is ever missed.
 */
export class Notifier {
  private pending = false;
  private wake: (() => void) | null = null;

  constructor(private readonly clock: Clock) {}

  notify(): void {
    this.pending = true;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Forgets a pending notify: only changes after this call will wake the next wait. */
  reset(): void {
    this.pending = false;
  }

  /** Resolves on the next notify (or a pending one), or after `ms` (`null`: only on a notify). */
  async wait(ms: number | null): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    const timer = new AbortController();
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    await (ms === null ? woken : Promise.race([woken, this.clock.sleep(Math.max(0, ms), timer.signal)]));
    timer.abort();
    this.wake = null;
    this.pending = false;
  }
}
