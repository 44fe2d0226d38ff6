// Paperclip's graceful shutdown does not abort `ctx.signal`: the process gets SIGTERM, and the lease watcher
// may abort the signal seconds later as if the run were cancelled. A run must therefore know whether the
// process is going down, to keep its Job for the next run instead of deleting it.

export interface HostSignals {
  /** True once the host process received SIGTERM or SIGINT. */
  received(): boolean;
  /** Calls `listener` when the host process receives one (at once if it already has). Returns an unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** A latch that remembers the first termination signal. Tests fire it by hand instead of signalling the test process. */
export class HostSignalLatch implements HostSignals {
  private fired = false;
  private readonly listeners = new Set<() => void>();

  received(): boolean {
    return this.fired;
  }

  subscribe(listener: () => void): () => void {
    if (this.fired) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  fire(): void {
    if (this.fired) return;
    this.fired = true;
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
  }
}

const TERMINATION_SIGNALS = ["SIGTERM", "SIGINT"] as const;

/**
 * Latches the process's SIGTERM/SIGINT. Listening must not change what the signal does: when no one else
 * handles it (no host shutdown handler), the listener steps aside and re-raises it, so the default
 * behaviour (exit) still happens.
 *
 * The listener goes first (`prependListener`), whenever it is registered. Paperclip (2026.916.1) shuts down
 * from a `process.once("SIGTERM")` handler registered at start, before any run; a `once` listener removes
 * itself when it runs, so a listener appended after it saw itself alone, re-raised the signal and killed the
 * process before Paperclip's heartbeat drain (runs stayed `running`, the server exited 143). Going first, it
 * counts the host's handlers while they are all still registered.
 */
export function watchProcessSignals(latch: HostSignalLatch, proc: NodeJS.Process = process): void {
  for (const name of TERMINATION_SIGNALS) {
    const onSignal = (): void => {
      latch.fire();
      if (proc.listenerCount(name) === 1) {
        proc.removeListener(name, onSignal);
        proc.kill(proc.pid, name);
      }
    };
    proc.prependListener(name, onSignal);
  }
}
