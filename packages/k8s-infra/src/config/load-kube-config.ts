import { existsSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { err, ok, type Result } from "@clipjob/core";

export interface KubeConfigOptions {
  /** A kubeconfig file; without it the in-cluster service account is used. */
  readonly kubeconfigPath?: string;
  /** A context of that file; defaults to its current-context. */
  readonly context?: string;
}

export type KubeConfigErrorCode = "kubeconfig_unreadable" | "kubeconfig_context_missing" | "kubeconfig_no_cluster" | "not_in_cluster";

export interface KubeConfigError {
  readonly code: KubeConfigErrorCode;
  readonly message: string;
}

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/**
 * Builds the KubeConfig the adapters use. In-cluster by default, because the adapter normally runs in
 * the Paperclip pod; a path selects a kubeconfig file (development, CI, or a remote cluster).
 */
export function loadKubeConfig(opts: KubeConfigOptions = {}, env: NodeJS.ProcessEnv = process.env): Result<KubeConfig, KubeConfigError> {
  const kc = new KubeConfig();
  if (opts.kubeconfigPath === undefined) {
    if (!env["KUBERNETES_SERVICE_HOST"] || !env["KUBERNETES_SERVICE_PORT"] || !existsSync(SERVICE_ACCOUNT_TOKEN)) {
      return err({
        code: "not_in_cluster",
        message: "no kubeconfig path was given and this process is not in a pod (KUBERNETES_SERVICE_HOST or the service-account token is missing)",
      });
    }
    kc.loadFromCluster();
    return ok(kc);
  }
  try {
    kc.loadFromFile(opts.kubeconfigPath);
  } catch (e) {
    return err({ code: "kubeconfig_unreadable", message: `cannot read kubeconfig ${opts.kubeconfigPath}: ${e instanceof Error ? e.message : String(e)}` });
  }
  if (opts.context !== undefined) {
    if (!kc.getContextObject(opts.context)) {
      return err({ code: "kubeconfig_context_missing", message: `kubeconfig ${opts.kubeconfigPath} has no context "${opts.context}"` });
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) {
    return err({ code: "kubeconfig_no_cluster", message: `kubeconfig ${opts.kubeconfigPath} has no cluster for context "${kc.getCurrentContext()}"` });
  }
  return ok(kc);
}
