import { AGENT_HOME, NO_HOST_FACTS, systemClock, type Clock, type HostFacts, type HostPort } from "@clipjob/core";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { toClusterError } from "../errors/classify-kube-error.js";
import { kubeOperation } from "../errors/kube-operation.js";
import { DEFAULT_READ_RETRY, retryRead, type RetryPolicy } from "../retry/read-retry.js";
import { hostFactsFromPod } from "./host-facts-from-pod.js";
import { locateSelfPod, processHostEnvironment, type HostEnvironment } from "./self-pod-locator.js";

/** Facts per kubeconfig identity; a failed lookup is not kept, so the next run asks again. */
export type HostFactsCache = Map<string, Promise<HostFacts>>;

const sharedCache: HostFactsCache = new Map();

export interface KubeHostAdapterOptions {
  readonly host?: HostEnvironment;
  readonly cache?: HostFactsCache;
  readonly clock?: Clock;
  readonly readRetry?: RetryPolicy;
}

/**
 * Self-pod introspection. The host pod does not change while the process lives, so facts are cached —
 * keyed by the kubeconfig's cluster, user and context, because two kubeconfigs may reach two clusters
 * (the predecessor cached one answer for all of them). Outside a pod the facts are empty, not an error.
 */
export class KubeHostAdapter implements HostPort {
  private readonly host: HostEnvironment;
  private readonly cache: HostFactsCache;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly kc: KubeConfig,
    opts: KubeHostAdapterOptions = {},
  ) {
    this.host = opts.host ?? processHostEnvironment;
    this.cache = opts.cache ?? sharedCache;
    this.clock = opts.clock ?? systemClock;
    this.policy = opts.readRetry ?? DEFAULT_READ_RETRY;
  }

  describeHost(): Promise<HostFacts> {
    const where = locateSelfPod(this.kc, this.host);
    if (where.podName === undefined || where.namespace === undefined) {
      return Promise.resolve(where.namespace === undefined ? NO_HOST_FACTS : { ...NO_HOST_FACTS, namespace: where.namespace });
    }
    const key = [this.kc.getCurrentCluster()?.server, this.kc.getCurrentUser()?.name, this.kc.getCurrentContext(), where.namespace, where.podName].join("|");
    const cached = this.cache.get(key);
    if (cached) return cached;
    const lookup = this.readFacts(where.namespace, where.podName);
    this.cache.set(key, lookup);
    lookup.catch(() => this.cache.delete(key));
    return lookup;
  }

  private async readFacts(namespace: string, podName: string): Promise<HostFacts> {
    const op = kubeOperation("read host pod", "get", "pods", namespace);
    const core = this.kc.makeApiClient(CoreV1Api);
    try {
      const pod = await retryRead(op, { policy: this.policy, clock: this.clock }, () => core.readNamespacedPod({ name: podName, namespace }));
      const facts = hostFactsFromPod(pod);
      // The claim the agents share is mounted here too: its root's owner decides whether they can write.
      const ownership = facts.paperclipClaimName ? this.host.statDirectory?.(AGENT_HOME) : undefined;
      return { ...facts, podName, namespace, ...(ownership ? { paperclipOwnership: ownership } : {}) };
    } catch (e) {
      // HOSTNAME names no pod here: the process is not in a pod of this cluster after all.
      if (toClusterError(e, op).code === "not_found") return { ...NO_HOST_FACTS, namespace };
      throw toClusterError(e, op);
    }
  }
}
