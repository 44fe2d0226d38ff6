import { ClusterError, type Clock } from "@clipjob/core";
import { toClusterError } from "../errors/classify-kube-error.js";
import type { KubeOperation } from "../errors/kube-operation.js";

/** Reads are retried on transient failures; writes never go through here. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_READ_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 };

export interface RetryContext {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  /** Uniform in [0, 1): injectable so tests can pin the jitter. */
  readonly random?: () => number;
  readonly signal?: AbortSignal;
}

/**
 * Runs a read, retrying transient ClusterErrors with full-jitter exponential backoff. A server-sent
 * Retry-After (429/503) replaces the computed delay, capped at the policy's maximum.
 */
export async function retryRead<T>(operation: KubeOperation, ctx: RetryContext, read: () => Promise<T>): Promise<T> {
  const random = ctx.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (raw) {
      const err = toClusterError(raw, operation);
      if (!err.transient || attempt >= ctx.policy.attempts || ctx.signal?.aborted) throw err;
      await ctx.clock.sleep(backoffDelay(err, attempt, ctx.policy, random), ctx.signal);
      if (ctx.signal?.aborted) throw err;
    }
  }
}

export function backoffDelay(err: ClusterError, attempt: number, policy: RetryPolicy, random: () => number): number {
  if (err.retryAfterMs !== undefined) return Math.min(err.retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
