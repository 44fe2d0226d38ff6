// The fake cluster's clock is virtual: left alone, a ten-minute scripted run ends in milliseconds, too fast
// for anyone to watch or cancel it from Paperclip's UI. The pacer holds the frozen clock to a multiple of
// real time by stepping it, on a real timer, by the real time that passed times the speed.

export interface SteppableClock {
  advance(ms: number): Promise<void>;
}

const TICK_MS = 25;

export class ClockPacer {
  private timer: NodeJS.Timeout | null = null;
  private last: number;
  private stepping: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: SteppableClock,
    /** Virtual milliseconds per real millisecond. */
    private readonly speed: number,
    private readonly realNow: () => number = () => performance.now(),
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive finite number, got ${speed}`);
    this.last = realNow();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    // The host process must be able to exit while the simulation idles.
    this.timer.unref();
  }

  /** Stops stepping; resolves once the step in progress has finished. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.stepping;
  }

  private tick(): void {
    const now = this.realNow();
    const step = Math.round((now - this.last) * this.speed);
    if (step <= 0) return;
    this.last = now;
    // Steps never overlap: a slow one delays the next, and the real time it took is caught up then.
    this.stepping = this.stepping.then(() => this.clock.advance(step)).catch(() => undefined);
  }
}
