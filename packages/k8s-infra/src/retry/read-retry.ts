import { retryTransientRead, type ReadRetryContext, type ReadRetryPolicy } from "@clipjob/core";
import { toClusterError } from "../errors/classify-kube-error.js";
import type { KubeOperation } from "../errors/kube-operation.js";

export { DEFAULT_READ_RETRY } from "@clipjob/core";

/** Reads are retried on transient failures; writes never go through here. Core's policy, shared with the fake cluster. */
export type RetryPolicy = ReadRetryPolicy;

export type RetryContext = ReadRetryContext;

/**
 * Runs a read, retrying transient failures with full-jitter exponential backoff (core's
 * `retryTransientRead`, the loop every port implementation uses). Whatever the client throws is classified
 * as a ClusterError of `operation` first. A server-sent Retry-After (429/503) replaces the computed delay,
 * capped at the policy's maximum.
 */
export function retryRead<T>(operation: KubeOperation, ctx: RetryContext, read: () => Promise<T>): Promise<T> {
  return retryTransientRead(ctx, read, (raw) => toClusterError(raw, operation));
}

