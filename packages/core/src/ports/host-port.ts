import type { DnsConfig, EnvFromSource } from "../job/agent-job-spec.js";
import type { EnvSource } from "../job/spec-values.js";
import type { DirectoryOwnership } from "../job/workspace-ownership.js";

export interface InheritedSecretVolume {
  readonly volumeName: string;
  readonly secretName: string;
  readonly mountPath: string;
  readonly defaultMode?: number;
}

/**
 * What the process hosting the adapter offers to its agent Jobs when it runs in a pod itself
 * (self-pod introspection). Every field is optional: outside a cluster there is no self pod.
 */
export interface HostFacts {
  readonly podName?: string;
  readonly namespace?: string;
  /** The main container's image (never a sidecar's). */
  readonly image?: string;
  readonly imagePullSecrets: readonly string[];
  readonly dnsConfig?: DnsConfig;
  /** The PVC the main container mounts at `/paperclip`, if any. */
  readonly paperclipClaimName?: string;
  /**
   * Owner and mode of `/paperclip` as this process sees it (the same volume the agent pods mount), when the
   * host mounts the claim there: the kubelet applies no `fsGroup` to hostPath or NFS roots.
   */
  readonly paperclipOwnership?: DirectoryOwnership;
  readonly secretVolumes: readonly InheritedSecretVolume[];
  /** Env of the main container, by name. Literal values are included so the allowlist can pick from them. */
  readonly env: Readonly<Record<string, EnvSource>>;
  readonly envFrom: readonly EnvFromSource[];
}

export interface HostPort {
  /** Facts about the host pod for the namespace the adapter targets; cached by the adapter per kubeconfig. */
  describeHost(): Promise<HostFacts>;
}

export const NO_HOST_FACTS: HostFacts = { imagePullSecrets: [], secretVolumes: [], env: {}, envFrom: [] };
