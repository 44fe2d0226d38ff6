import { ClusterError } from "@clipjob/core";

/**
 * One incarnation of the host process as the cluster sees it. A host restart ends the session: its open
 * streams stop, and anything the dead process still tries is refused, so a stale run instance can neither
 * observe nor change the cluster.
 */
export class PortSession {
  private readonly dead = new AbortController();

  get alive(): boolean {
    return !this.dead.signal.aborted;
  }

  end(): void {
    this.dead.abort();
  }

  check(operation: string): void {
    if (!this.alive) throw new ClusterError({ code: "unavailable", operation, message: "host restarted: this process no longer exists" });
  }

  /** A signal that aborts when the caller's does or when the session ends. */
  link(signal?: AbortSignal): AbortSignal {
    return signal ? AbortSignal.any([signal, this.dead.signal]) : this.dead.signal;
  }
}
