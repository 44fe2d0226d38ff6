import type { HostSignals } from "./host-signals.js";

/** The abort reason Paperclip's lease watcher uses; it also fires during a graceful host shutdown. */
export const LEASE_LOST_REASON = "Legacy controller lease lost";

export interface RunStopSignals {
  /** An operator cancel: the run deletes its Job. */
  readonly cancel: AbortSignal;
  /** The host is going down: the run stops waiting and keeps its Job for the next run to reattach. */
  readonly shutdown: AbortSignal;
  dispose(): void;
}

/**
 * Splits Paperclip's one `ctx.signal` into core's cancel and shutdown signals. An abort is a cancel only if
 * its reason is not the lease watcher's and the process has not received SIGTERM/SIGINT; anything else is a
 * shutdown, because deleting a Job that a restarted host could reattach loses the agent's work.
 */
export function splitStopSignal(hostSignal: AbortSignal | undefined, signals: HostSignals): RunStopSignals {
  const cancel = new AbortController();
  const shutdown = new AbortController();
  const onAbort = (): void => {
    if (cancel.signal.aborted || shutdown.signal.aborted) return;
    const reason = abortReasonText(hostSignal?.reason);
    if (reason === LEASE_LOST_REASON || signals.received()) shutdown.abort(reason);
    else cancel.abort(reason);
  };
  const unsubscribe = signals.subscribe(() => {
    if (!cancel.signal.aborted) shutdown.abort("host process is shutting down");
  });
  if (hostSignal?.aborted) onAbort();
  else hostSignal?.addEventListener("abort", onAbort, { once: true });
  return {
    cancel: cancel.signal,
    shutdown: shutdown.signal,
    dispose: () => {
      unsubscribe();
      hostSignal?.removeEventListener("abort", onAbort);
    },
  };
}

export function abortReasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  if (typeof reason === "string" && reason.trim() !== "") return reason;
  return "Run cancelled";
}
