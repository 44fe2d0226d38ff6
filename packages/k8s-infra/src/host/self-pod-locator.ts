import { readFileSync, statSync } from "node:fs";
import type { DirectoryOwnership } from "@clipjob/core";
import type { KubeConfig } from "@kubernetes/client-node";

const SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/** Where the facts about the host process come from; injectable so tests need no pod. */
export interface HostEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Contents of the service-account namespace file, or undefined when there is none. */
  readonly serviceAccountNamespace: () => string | undefined;
  /** Owner and mode of a local directory (e.g. the /paperclip mount), or undefined when it cannot be read. */
  readonly statDirectory?: (path: string) => DirectoryOwnership | undefined;
}

export const processHostEnvironment: HostEnvironment = {
  env: process.env,
  serviceAccountNamespace: () => {
    try {
      return readFileSync(SERVICE_ACCOUNT_NAMESPACE, "utf8").trim() || undefined;
    } catch {
      return undefined;
    }
  },
  statDirectory: (path) => {
    try {
      const st = statSync(path);
      return st.isDirectory() ? { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 } : undefined;
    } catch {
      return undefined;
    }
  },
};

export interface SelfPodLocation {
  /** Set only when this process runs in a pod (HOSTNAME plus a sign of a pod: the service env or SA file). */
  readonly podName?: string;
  readonly namespace?: string;
}

/**
 * Pod name from HOSTNAME (the kubelet sets it to the pod name); namespace from PAPERCLIP_NAMESPACE,
 * POD_NAMESPACE, the service-account namespace file, then the kubeconfig context's namespace.
 */
export function locateSelfPod(kc: KubeConfig, host: HostEnvironment): SelfPodLocation {
  const env = host.env;
  const saNamespace = host.serviceAccountNamespace();
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  const namespace = nonEmpty(env["PAPERCLIP_NAMESPACE"]) ?? nonEmpty(env["POD_NAMESPACE"]) ?? saNamespace ?? nonEmpty(contextNamespace);
  const inPod = nonEmpty(env["KUBERNETES_SERVICE_HOST"]) !== undefined || saNamespace !== undefined;
  const podName = inPod ? nonEmpty(env["HOSTNAME"]) : undefined;
  return { ...(podName === undefined ? {} : { podName }), ...(namespace === undefined ? {} : { namespace }) };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}
