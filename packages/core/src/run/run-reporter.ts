import { failureOutcome } from "../outcome/failure-outcome.js";
import type { ErrorCode } from "../outcome/error-codes.js";
import type { RunOutcome } from "../outcome/run-outcome.js";
import type { Clock } from "../ports/clock.js";
import type { ProgressEvent, RunObserver, RunPhase } from "./progress.js";

/**
 * What a run tells its host: phases, notices and lines through the observer, and failure outcomes timed from
 * the run's start. Observer callbacks belong to the host; a throwing one never breaks the run.
 */
export class RunReporter {
  readonly startedAt: number;

  constructor(
    private readonly clock: Clock,
    readonly observer: RunObserver,
  ) {
    this.startedAt = clock.now();
  }

  fail(code: ErrorCode, message: string, errorMeta?: Record<string, unknown>): RunOutcome {
    return failureOutcome({ code, message, ...(errorMeta ? { errorMeta } : {}), durationMs: this.clock.now() - this.startedAt });
  }

  async phase(phase: RunPhase): Promise<void> {
    await this.progress({ type: "phase", phase, atMs: this.clock.now() });
  }

  async notice(level: "info" | "warn", message: string): Promise<void> {
    await this.progress({ type: "notice", level, message, atMs: this.clock.now() });
  }

  async progress(event: ProgressEvent): Promise<void> {
    await this.safely(() => this.observer.onProgress?.(event));
  }

  async safely(fn: () => void | Promise<void> | undefined): Promise<void> {
    try {
      await fn();
    } catch {
      // Deliberately ignored: a UI that cannot take a line must not lose the run's outcome.
    }
  }
}
