import { instancePerContainerCachingFactory, type DependencyContainer } from "tsyringe";
import { ACCESS_PORT, CLOCK, CLUSTER_PORT, HOST_PORT, LOG_PORT, ok, systemClock, type Result } from "@clipjob/core";
import { KubeAccessAdapter, KubeClusterAdapter, KubeHostAdapter, KubeLogAdapter, loadKubeConfig, type KubeConfigError } from "@clipjob/k8s-infra";
import { DEFAULT_NAMESPACE } from "./cli-tokens.js";
import type { ClusterTarget } from "./cluster-target.js";

export type KubernetesTargetError = KubeConfigError;

/** Namespace of last resort, as kubectl uses it. */
const KUBERNETES_DEFAULT_NAMESPACE = "default";

/**
 * Binds the ports to a real API server. Reading the kubeconfig is the only work done here; the adapters
 * (and with them any connection) are created on first resolve, once per scope.
 */
export function bindKubernetes(
  container: DependencyContainer,
  target: Extract<ClusterTarget, { kind: "kubernetes" }>,
  env: NodeJS.ProcessEnv,
): Result<void, KubernetesTargetError> {
  const loaded = loadKubeConfig({ ...(target.kubeconfigPath !== undefined ? { kubeconfigPath: target.kubeconfigPath } : {}), ...(target.context !== undefined ? { context: target.context } : {}) }, env);
  if (!loaded.ok) return loaded;
  const kc = loaded.value;
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  // One adapter of each kind per scope, created on first resolve: the container keeps it.
  container.register(CLOCK.key, { useValue: systemClock });
  container.register(CLUSTER_PORT.key, { useFactory: instancePerContainerCachingFactory(() => new KubeClusterAdapter(kc, { clock: systemClock })) });
  container.register(LOG_PORT.key, { useFactory: instancePerContainerCachingFactory(() => new KubeLogAdapter(kc, { clock: systemClock })) });
  container.register(HOST_PORT.key, { useFactory: instancePerContainerCachingFactory(() => new KubeHostAdapter(kc, { clock: systemClock })) });
  container.register(ACCESS_PORT.key, { useFactory: instancePerContainerCachingFactory(() => new KubeAccessAdapter(kc, { clock: systemClock })) });
  container.register(DEFAULT_NAMESPACE.key, { useValue: target.namespace ?? contextNamespace ?? KUBERNETES_DEFAULT_NAMESPACE });
  return ok(undefined);
}
