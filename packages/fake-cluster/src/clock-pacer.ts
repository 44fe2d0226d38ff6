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
 * The virtual time a pacer owes for the real time that passed: whole milliseconds per step, the fraction
 * carried to the next. Dropping it would let virtual time fall behind real time by a fraction of a
 * millisecond every tick (~80 ms over a 6 s run at speed 1). After every step, the virtual milliseconds
 * handed out in total are at most (real ms since start) × speed, and less than one millisecond below it.
 */
export class PaceAccount {
  private last: number;
  private owed = 0;

  /** `startRealMs`: the real time (ms, e.g. performance.now()) from which virtual time is owed. */
  constructor(
    private readonly speed: number,
    startRealMs: number,
  ) {
    this.last = startRealMs;
  }

  /** Whole virtual milliseconds to advance now, for real time `nowRealMs` (ms, same origin as the start). */
  step(nowRealMs: number): number {
    // A real clock that went backwards owes nothing (performance.now() never does; Date.now() may).
    if (nowRealMs > this.last) this.owed += (nowRealMs - this.last) * this.speed;
    this.last = Math.max(this.last, nowRealMs);
    const step = Math.floor(this.owed);
    if (step <= 0) return 0;
    this.owed -= step;
    return step;
  }
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
  private readonly account: PaceAccount;
  private stepping: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly clock: VirtualClock,
    speed: number,
  ) {
    this.account = new PaceAccount(speed, performance.now());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.keepAlive(clock.pendingWork() > 0);
    this.unwatch = clock.onPendingWorkChange((pending) => this.keepAlive(pending));
  }

  /**
   * Stops stepping: from this call on, the pacer moves the clock no further (steps already queued behind a
   * slow one are dropped). Resolves once the step in progress has finished.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.unwatch();
    await this.stepping;
  }

  private keepAlive(pending: boolean): void {
    if (pending) this.timer.ref();
    else this.timer.unref();
  }

  private tick(): void {
    const step = this.account.step(performance.now());
    if (step <= 0) return;
    // Steps never overlap: a slow one delays the next, and the real time it took is caught up then.
    // A timer callback that throws is a bug in the simulation: reported, and the next steps still run.
    this.stepping = this.stepping
      .then(() => (this.stopped ? undefined : this.clock.advance(step)))
      .catch((error: unknown) => process.emitWarning(`fake cluster clock step failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}
