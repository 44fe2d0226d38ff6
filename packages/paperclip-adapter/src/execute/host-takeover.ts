// After a host shutdown the run's end is Paperclip's to record. Paperclip 2026.916.1's drain marks a running run
// `interrupted` (`server_shutdown_interrupted`) some milliseconds to seconds after SIGTERM, then waits up to 5 s
// for execute and exits. An execute that returned first got its own result recorded instead
// (`failed`/`k8s_job_kept_for_reattach`, seen on the real node): which of the two happened was a race. So a
// run that keeps its Job because the host is going down returns only once Paperclip has let go of the run — its
// lease watcher aborts `ctx.signal` ("Legacy controller lease lost") once the run is no longer `running` — or
// the process exits first, or a bound passes (a host that does not exit after all).

/** How long a kept run waits for the host to take its end over, in ms. */
export const HOST_TAKEOVER_BOUND_MS = 60_000;

/** Starts a one-shot timer; returns its cancel. Tests pass one they fire by hand. */
export type TakeoverTimer = (ms: number, fire: () => void) => () => void;

/** A real timer that does not keep the exiting process alive. */
export const processTimer: TakeoverTimer = (ms, fire) => {
  const timer = setTimeout(fire, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

/**
 * Resolves "released" once `signal` is aborted (at once if it already is), "bound" after `boundMs`, or
 * "no_signal" at once for a host that gives none (nothing to wait for).
 */
export function hostLetsGo(signal: AbortSignal | undefined, { boundMs = HOST_TAKEOVER_BOUND_MS, timer = processTimer }: { boundMs?: number; timer?: TakeoverTimer } = {}): Promise<"released" | "bound" | "no_signal"> {
  if (!signal) return Promise.resolve("no_signal");
  if (signal.aborted) return Promise.resolve("released");
  return new Promise((resolve) => {
    const onAbort = (): void => {
      cancel();
      resolve("released");
    };
    const cancel = timer(boundMs, () => {
      signal.removeEventListener("abort", onAbort);
      resolve("bound");
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
