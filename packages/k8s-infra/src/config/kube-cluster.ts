import { err, ok, systemClock, type BoundCluster, type Clock, type Result } from "@clipjob/core";
import { KubeAccessAdapter } from "../access/kube-access-adapter.js";
import { KubeClusterAdapter } from "../cluster/kube-cluster-adapter.js";
import { KubeHostAdapter } from "../host/kube-host-adapter.js";
import { KubeLeaseAdapter } from "../lease/kube-lease-adapter.js";
import { KubeLogAdapter } from "../log/kube-log-adapter.js";
import { loadKubeConfig, type KubeConfigError, type KubeConfigOptions } from "./load-kube-config.js";

/** Namespace of last resort, as kubectl uses it. */
const KUBERNETES_DEFAULT_NAMESPACE = "default";

export interface KubeClusterOptions extends KubeConfigOptions {
  /** The clock every adapter reads (the system clock by default). */
  readonly clock?: Clock;
}

/**
 * Every port on the cluster a kubeconfig (or, without one, the in-cluster service account) names, with the
 * namespace of its context as the default (`default` when the context has none). Reads the kubeconfig and
 * builds the adapters; connects to nothing (the first request does). Errors: the kubeconfig's, by code.
 */
export function openKubeCluster(options: KubeClusterOptions = {}, env: NodeJS.ProcessEnv = process.env): Result<BoundCluster, KubeConfigError> {
  const { clock = systemClock, ...kubeconfig } = options;
  const loaded = loadKubeConfig(kubeconfig, env);
  if (!loaded.ok) return err(loaded.error);
  const kc = loaded.value;
  return ok({
    ports: {
      cluster: new KubeClusterAdapter(kc, { clock }),
      logs: new KubeLogAdapter(kc, { clock }),
      host: new KubeHostAdapter(kc, { clock }),
      access: new KubeAccessAdapter(kc, { clock }),
      leases: new KubeLeaseAdapter(kc, { clock }),
      clock,
    },
    defaultNamespace: kc.getContextObject(kc.getCurrentContext())?.namespace ?? KUBERNETES_DEFAULT_NAMESPACE,
  });
}
