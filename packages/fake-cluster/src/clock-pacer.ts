import type { VirtualClock } from "./virtual-clock.js";

/** Virtual milliseconds per real millisecond, or `max`: auto-advance (a run takes as long as its work). */
export type SimulationSpeed = number | "max";

/** Real milliseconds between steps: short enough that a person watching sees smooth progress. */
const TICK_MS = 20;

export function assertSpeed(speed: SimulationSpeed): void {
  if (speed === "max") return;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive finite number or "max", got ${String(speed)}`);
}

/**
 * Holds a frozen VirtualClock to a multiple of real time: each real tick advances it by the real time that
 * passed, times the speed. The clock still orders the timers; the pacer only decides how fast time flows.
 *
 * The real timer keeps the process alive only while the simulation has work waiting on virtual time, so a
 * host (the Paperclip server) can exit while the simulation idles, and a CLI run is not cut short while
 * every one of its waits is virtual.
 */
export class ClockPacer {
  private readonly timer: NodeJS.Timeout;
  private readonly unwatch: () => void;
  private last = performance.now();
  private owed = 0;
  private stepping: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: VirtualClock,
    private readonly speed: number,
  ) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.keepAlive(clock.pendingWork() > 0);
    this.unwatch = clock.onPendingWorkChange((pending) => this.keepAlive(pending));
  }

  /** Stops stepping; resolves once the step in progress has finished. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.unwatch();
    await this.stepping;
  }

  private keepAlive(pending: boolean): void {
    if (pending) this.timer.ref();
    else this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    // Whole milliseconds per step, the fraction carried to the next: dropping it would let virtual time fall
    // behind real time by a fraction of a millisecond every tick (~80 ms over a 6 s run at speed 1).
    this.owed += (now - this.last) * this.speed;
    this.last = now;
    const step = Math.floor(this.owed);
    if (step <= 0) return;
    this.owed -= step;
    // Steps never overlap: a slow one delays the next, and the real time it took is caught up then.
    // A timer callback that throws is a bug in the simulation: reported, and the next steps still run.
    this.stepping = this.stepping
      .then(() => this.clock.advance(step))
      .catch((error: unknown) => process.emitWarning(`fake cluster clock step failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}
