// How every port implementation retries a read that failed transiently (docs/architecture.md, "The ports"):
// the Kubernetes adapters (k8s-infra) and the fake cluster's ports run this one loop with one policy, so a
// run on the fake meets an API fault exactly as it would in production: a blip the retries absorb never
// reaches it, an outage that outlasts them does. Writes never come here: they are not blindly retried.

import { ClusterError, isClusterError } from "./cluster-error.js";
import type { Clock } from "./clock.js";
import type { InformerOptions } from "./shared-informer-types.js";

/** How often and how patiently a read is retried. */
export interface ReadRetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Ceiling of the first retry's delay, in ms; doubled per attempt up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  /** Ceiling of any delay, a server's Retry-After included, in ms. */
  readonly maxDelayMs: number;
}

/** 4 attempts, full-jitter backoff under 250 ms, 500 ms, 1 s, capped at 5 s. */
export const DEFAULT_READ_RETRY: ReadRetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 };

export interface ReadRetryContext {
  readonly policy: ReadRetryPolicy;
  readonly clock: Clock;
  /** Uniform in [0, 1): injectable so a test (or the fake's seed) pins the jitter. Default Math.random. */
  readonly random?: () => number;
  /** Aborting ends the retries: the last error is thrown. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `read`, retrying while it fails with a transient ClusterError (`ClusterError.transient`: rate
 * limited, server error, unavailable, timeout, a reset) and attempts remain, sleeping `readRetryDelay`
 * between attempts. `classify` turns what `read` throws into a ClusterError (an adapter's transport errors);
 * by default a ClusterError is taken as is and anything else is thrown at once, unretried.
 * Throws the last ClusterError: a permanent one at once, a transient one after the last attempt.
 */
export async function retryTransientRead<T>(ctx: ReadRetryContext, read: () => Promise<T>, classify: (raw: unknown) => ClusterError = asClusterError): Promise<T> {
  const random = ctx.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (raw) {
      const err = classify(raw);
      if (!err.transient || attempt >= ctx.policy.attempts || ctx.signal?.aborted) throw err;
      await ctx.clock.sleep(readRetryDelay(err, attempt, ctx.policy, random), ctx.signal);
      if (ctx.signal?.aborted) throw err;
    }
  }
}

/**
 * The wait after failed attempt `attempt` (1-based), in ms: a server-sent Retry-After (429/503) capped at
 * `maxDelayMs`, else full jitter under `min(maxDelayMs, baseDelayMs · 2^(attempt-1))`.
 */
export function readRetryDelay(err: ClusterError, attempt: number, policy: ReadRetryPolicy, random: () => number): number {
  if (err.retryAfterMs !== undefined) return Math.min(err.retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * A shared informer's waits and patience under `policy`, the same for every implementation: a failed list
 * or watch is retried after `baseDelayMs` doubling up to `maxDelayMs`, and subscribers hear of a failing
 * watch after `attempts` failures in a row (its list retries inside `retryTransientRead`).
 */
export function informerRetryOptions(policy: ReadRetryPolicy): Pick<InformerOptions, "backoffMs" | "backoffMaxMs" | "watchFailuresReported"> {
  return { backoffMs: policy.baseDelayMs, backoffMaxMs: Math.max(policy.maxDelayMs, policy.baseDelayMs), watchFailuresReported: policy.attempts };
}

function asClusterError(raw: unknown): ClusterError {
  if (isClusterError(raw)) return raw;
  throw raw;
}
