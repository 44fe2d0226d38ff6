// Waiting for a state of a real system (control plane, real node, a CLI process) in tests: poll until it
// holds, with an explicit deadline. A poll only waits for a state to be reached; it never orders events.

export interface EventuallyOptions {
  /** The deadline, from the first probe (wall clock: these are real processes). */
  readonly timeoutMs: number;
  /** Pause between probes; default 200 ms. */
  readonly intervalMs?: number;
}

/**
 * Runs `probe` until it yields a value other than undefined, null or false, and returns that value. Throws
 * "timed out after <timeoutMs> ms waiting for <what>" at the deadline; a probe that throws ends the wait with
 * its error (a failing request is not retried).
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs, intervalMs = 200 }: EventuallyOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
