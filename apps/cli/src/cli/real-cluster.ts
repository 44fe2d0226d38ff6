import { delimiter } from "node:path";
import type { ClusterTarget } from "../composition/cluster-target.js";

export interface RealClusterFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
}

/**
 * The real cluster a command should talk to: `--kubeconfig`, else the first file of $KUBECONFIG, else the
 * in-cluster service account when running in a pod; null when there is none.
 */
export function realClusterTarget(flags: RealClusterFlags, env: NodeJS.ProcessEnv): Extract<ClusterTarget, { kind: "kubernetes" }> | null {
  const kubeconfigPath = flags.kubeconfig ?? kubeconfigFromEnv(env);
  const inCluster = (env["KUBERNETES_SERVICE_HOST"] ?? "") !== "";
  if (kubeconfigPath === undefined && !inCluster) return null;
  return {
    kind: "kubernetes",
    ...(kubeconfigPath !== undefined ? { kubeconfigPath } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
  };
}

export function kubeconfigFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const first = (env["KUBECONFIG"] ?? "").split(delimiter).find((p) => p.trim() !== "");
  return first?.trim();
}

export const NO_REAL_CLUSTER = [
  "No Kubernetes cluster is configured: pass --kubeconfig <file>, set KUBECONFIG, or run inside a pod.",
  "The embedded simulated cluster exists only while 'clipjob run' runs (its Jobs end with that process),",
  "so there is nothing to inspect here without a real cluster. Try 'clipjob run' to watch a simulated run.",
].join("\n");
