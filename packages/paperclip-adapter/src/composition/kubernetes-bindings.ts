// The real-cluster binding. Loaded on demand (the Kubernetes client is large and evaluation-mode runs never
// need it). Reading the kubeconfig is the only work done while binding; adapters, and with them any
// connection, are created on first resolve and then kept per kubeconfig + context for the process.
import type { DependencyContainer } from "tsyringe";
import { ACCESS_PORT, CLOCK, CLUSTER_PORT, HOST_PORT, LOG_PORT, ok, systemClock, type AccessPort, type ClusterPort, type HostPort, type LogPort, type Result } from "@clipjob/core";
import { KubeAccessAdapter, KubeClusterAdapter, KubeHostAdapter, KubeLogAdapter, loadKubeConfig, type KubeConfigError } from "@clipjob/k8s-infra";
import { DEFAULT_NAMESPACE } from "./adapter-tokens.js";

export interface KubernetesTarget {
  /** Null: the in-cluster service account. */
  readonly kubeconfig: string | null;
  readonly kubeContext: string | null;
}

type KubeConfig = Extract<ReturnType<typeof loadKubeConfig>, { ok: true }>["value"];

interface KubePorts {
  readonly kc: KubeConfig;
  readonly defaultNamespace: string;
  cluster?: ClusterPort;
  logs?: LogPort;
  host?: HostPort;
  access?: AccessPort;
}

export type KubePortsCache = Map<string, KubePorts>;

/** Namespace of last resort, as kubectl uses it. */
const KUBERNETES_DEFAULT_NAMESPACE = "default";

export function bindKubernetes(
  container: DependencyContainer,
  target: KubernetesTarget,
  cache: KubePortsCache,
  env: NodeJS.ProcessEnv,
): Result<void, KubeConfigError> {
  const key = `${target.kubeconfig ?? "<in-cluster>"}\u0000${target.kubeContext ?? ""}`;
  let ports = cache.get(key);
  if (!ports) {
    const loaded = loadKubeConfig(
      { ...(target.kubeconfig !== null ? { kubeconfigPath: target.kubeconfig } : {}), ...(target.kubeContext !== null ? { context: target.kubeContext } : {}) },
      env,
    );
    if (!loaded.ok) return loaded;
    const kc = loaded.value;
    ports = { kc, defaultNamespace: kc.getContextObject(kc.getCurrentContext())?.namespace ?? KUBERNETES_DEFAULT_NAMESPACE };
    cache.set(key, ports);
  }
  const p = ports;
  container.register(CLOCK.key, { useValue: systemClock });
  container.register(CLUSTER_PORT.key, { useFactory: () => (p.cluster ??= new KubeClusterAdapter(p.kc, { clock: systemClock })) });
  container.register(LOG_PORT.key, { useFactory: () => (p.logs ??= new KubeLogAdapter(p.kc, { clock: systemClock })) });
  container.register(HOST_PORT.key, { useFactory: () => (p.host ??= new KubeHostAdapter(p.kc, { clock: systemClock })) });
  container.register(ACCESS_PORT.key, { useFactory: () => (p.access ??= new KubeAccessAdapter(p.kc, { clock: systemClock })) });
  container.register(DEFAULT_NAMESPACE.key, { useValue: p.defaultNamespace });
  return ok(undefined);
}
