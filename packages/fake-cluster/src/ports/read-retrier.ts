import { retryTransientRead, type Clock, type ReadRetryPolicy } from "@clipjob/core";

/**
 * How the fake's ports retry a read that failed transiently: core's `retryTransientRead` with the policy the
 * Kubernetes adapters use (k8s-infra), on the virtual clock, with jitter from the cluster's seed. So an
 * injected fault reaches a run exactly when it would in production: a blip the retries absorb never does,
 * an outage that outlasts them does. Writes never come here.
 */
export interface ReadRetrier {
  readonly policy: ReadRetryPolicy;
  /** Runs `read` (which throws ClusterErrors), retried on transient ones; `signal` ends the retries. */
  read<T>(read: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export function createReadRetrier(policy: ReadRetryPolicy, clock: Clock, random: () => number): ReadRetrier {
  return {
    policy,
    read: (read, signal) => retryTransientRead({ policy, clock, random, ...(signal === undefined ? {} : { signal }) }, read),
  };
}
