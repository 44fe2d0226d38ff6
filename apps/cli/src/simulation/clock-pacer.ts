// The fake cluster runs on virtual time and would finish a ten-minute run in milliseconds. For a person
// watching, the pacer holds the (frozen) virtual clock to a multiple of real time: each real tick moves it
// by the real time that passed, times the speed. The fake stays in charge of ordering timers; the pacer
// only decides how fast time flows.

export interface SteppableClock {
  /** Moves virtual time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): Promise<void>;
}

export interface ClockPacerOptions {
  /** Virtual milliseconds per real millisecond. */
  readonly speed: number;
  /** Real milliseconds between steps. */
  readonly tickMs?: number;
  /** Real time source (tests pass their own). */
  readonly realNow?: () => number;
}

export class ClockPacer {
  private stopped = false;
  private readonly done: Promise<void>;
  private wake: (() => void) | null = null;

  constructor(
    private readonly clock: SteppableClock,
    private readonly options: ClockPacerOptions,
  ) {
    if (!(options.speed > 0) || !Number.isFinite(options.speed)) throw new RangeError(`speed must be a positive number, got ${options.speed}`);
    this.done = this.run();
  }

  /** Stops stepping; resolves once the step in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    const realNow = this.options.realNow ?? (() => performance.now());
    const tickMs = this.options.tickMs ?? 20;
    let last = realNow();
    while (!this.stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, tickMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      if (this.stopped) return;
      const now = realNow();
      const step = Math.round((now - last) * this.options.speed);
      last = now;
      if (step > 0) await this.clock.advance(step);
    }
  }
}
