import type { Clock } from "@clipjob/core";
import { TimerHeap } from "./timer-heap.js";

export interface TimerHandle {
  cancel(): void;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  /** Daemon timers (watch timeouts, back-off retries) fire when time passes them but never pull time forward. */
  readonly daemon: boolean;
  readonly fire: () => void;
  cancelled: boolean;
  /** Fired or dropped by stop(): no longer counted as pending. */
  gone: boolean;
}

export interface VirtualClockOptions {
  /** Virtual epoch milliseconds at construction. */
  readonly startMs?: number;
  /** Jump to the next timer whenever every task is idle (default true). */
  readonly autoAdvance?: boolean;
}

/** Quiet macrotask turns that count as "idle", after the first turn that lets a fired timer's consequences run. */
const QUIET_TURNS = 1;

/**
 * Virtual time. Everything in the fake cluster sleeps on this clock, so a 30-minute run completes as fast as
 * its work allows. With auto-advance on, the clock waits until no microtask or setImmediate work remains and
 * then jumps to the earliest pending timer.
 */
export class VirtualClock implements Clock {
  private nowMs: number;
  /** Pending timers; a cancelled one stays in the heap (skipped when it surfaces) until a bulk clean-up. */
  private readonly timers = new TimerHeap<Timer>();
  private live = 0;
  private liveWork = 0;
  private seq = 0;
  private activity = 0;
  private auto: boolean;
  private stopped = false;
  private idleLoopRunning = false;
  private manualDepth = 0;
  private readonly workListeners = new Set<(pending: boolean) => void>();

  constructor(options: VirtualClockOptions = {}) {
    this.nowMs = options.startMs ?? Date.parse("2026-01-01T00:00:00Z");
    this.auto = options.autoAdvance ?? true;
  }

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.wait(ms, signal, false);
  }

  /** Like sleep, but the wait alone never moves time forward (for retries of things nobody waits on). */
  sleepDaemon(ms: number, signal?: AbortSignal): Promise<void> {
    return this.wait(ms, signal, true);
  }

  /** Runs `fn` after `ms` of virtual time. */
  schedule(ms: number, fn: () => void, options: { daemon?: boolean } = {}): TimerHandle {
    const timer: Timer = { at: this.nowMs + Math.max(0, ms), seq: this.seq++, daemon: options.daemon ?? false, fire: fn, cancelled: false, gone: false };
    this.timers.push(timer);
    this.count(timer, 1);
    this.touch();
    return {
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        if (!timer.gone) this.count(timer, -1);
        timer.gone = true;
        if (this.timers.size > 1024 && this.live * 2 < this.timers.size) this.timers.retain((t) => !t.cancelled);
        this.touch();
      },
    };
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order and letting each one's work settle.
   * A stopped clock stays where it stopped, also when stop() comes while an advance is under way (a pacer step
   * in progress when the fake cluster is disposed must not move time on).
   */
  async advance(ms: number): Promise<void> {
    const target = this.nowMs + Math.max(0, ms);
    this.manualDepth++;
    try {
      for (;;) {
        await this.settle();
        if (this.stopped) return;
        const next = this.earliest();
        if (!next || next.at > target) break;
        this.fireTimer(next);
      }
      this.nowMs = Math.max(this.nowMs, target);
      await this.settle();
    } finally {
      this.manualDepth--;
      this.touch();
    }
  }

  /** Stops automatic advancement; time moves only through advance(). */
  freeze(): void {
    this.auto = false;
  }

  unfreeze(): void {
    this.auto = true;
    this.touch();
  }

  /** Ends the clock for good: pending timers never fire. Used when a fake cluster is disposed. */
  stop(): void {
    this.stopped = true;
    for (let t = this.timers.pop(); t; t = this.timers.pop()) t.gone = true;
    this.live = 0;
    this.setLiveWork(0);
  }

  get frozen(): boolean {
    return !this.auto;
  }

  /** Pending timers that would pull time forward (tests use it to assert a simulation went quiet). */
  pendingWork(): number {
    return this.liveWork;
  }

  /** Calls `listener` whenever pendingWork() goes from 0 to more or back; returns the unsubscribe. */
  onPendingWorkChange(listener: (pending: boolean) => void): () => void {
    this.workListeners.add(listener);
    return () => void this.workListeners.delete(listener);
  }

  private wait(ms: number, signal: AbortSignal | undefined, daemon: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted || this.stopped) return resolve();
      if (ms === Number.POSITIVE_INFINITY) {
        signal?.addEventListener("abort", () => resolve(), { once: true });
        return;
      }
      const onAbort = (): void => {
        handle.cancel();
        resolve();
      };
      const handle = this.schedule(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, { daemon });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private touch(): void {
    this.activity++;
    if (!this.auto || this.stopped || this.idleLoopRunning || this.manualDepth > 0) return;
    this.idleLoopRunning = true;
    void this.idleLoop();
  }

  private async idleLoop(): Promise<void> {
    try {
      for (;;) {
        await this.settle();
        if (!this.auto || this.stopped || this.manualDepth > 0) return;
        if (this.liveWork === 0) return;
        const next = this.earliest();
        if (!next) return;
        this.fireTimer(next);
      }
    } finally {
      this.idleLoopRunning = false;
    }
  }

  /**
   * Resolves once every microtask has run and then QUIET_TURNS macrotask turns passed without a timer being
   * added, cancelled or fired (so setImmediate chains that schedule work are waited for too).
   */
  private async settle(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    let seen = this.activity;
    let quiet = 0;
    while (quiet < QUIET_TURNS) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.activity !== seen) {
        seen = this.activity;
        quiet = 0;
      } else {
        quiet++;
      }
    }
  }

  private earliest(): Timer | undefined {
    while (this.timers.peek()?.cancelled) this.timers.pop();
    return this.timers.peek();
  }

  private count(timer: Timer, sign: 1 | -1): void {
    this.live += sign;
    if (!timer.daemon) this.setLiveWork(this.liveWork + sign);
  }

  private setLiveWork(value: number): void {
    const was = this.liveWork > 0;
    this.liveWork = value;
    if (was !== value > 0) for (const listener of this.workListeners) listener(value > 0);
  }

  /** `timer` is the earliest live one (from earliest()). */
  private fireTimer(timer: Timer): void {
    this.timers.pop();
    timer.gone = true;
    this.count(timer, -1);
    this.nowMs = Math.max(this.nowMs, timer.at);
    this.activity++;
    timer.fire();
  }
}
