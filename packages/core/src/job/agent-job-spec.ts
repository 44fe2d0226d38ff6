// What a run asks the cluster to execute, in core's words. The k8s-infra renderer turns it into a
// batch/v1 Job plus the per-run payload Secret; the fake cluster runs it directly. Every string in it has
// already been validated (names, labels, paths), so adapters never re-validate.

import type { ObjectRef } from "../ports/cluster-objects.js";
import type { PromptMetrics } from "./prompt-metrics.js";
import type { EnvSource, Resources, Toleration } from "./spec-values.js";

export interface EnvVar {
  readonly name: string;
  readonly source: EnvSource;
}

export type EnvFromSource =
  | { readonly kind: "secret"; readonly name: string; readonly optional?: boolean; readonly prefix?: string }
  | { readonly kind: "configMap"; readonly name: string; readonly optional?: boolean; readonly prefix?: string };

export interface Payload {
  /** Claude's stdin. */
  readonly prompt: string;
  /** Paperclip's run JWT, exposed to the container only through a secretKeyRef. */
  readonly runToken?: string;
  /**
   * Credentials that arrived as literal values (e.g. Paperclip resolves its secret bindings to plain
   * strings): they travel in the payload Secret and reach the container by secretKeyRef, so no credential
   * is ever written into the Job or Pod spec.
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** The payload Secret's data, key by key: the one layout the renderer and the fake cluster both use. */
export function payloadData(payload: Payload): Record<string, string> {
  const data: Record<string, string> = { prompt: payload.prompt };
  if (payload.runToken !== undefined) data["run-token"] = payload.runToken;
  for (const [name, value] of Object.entries(payload.env ?? {})) data[payloadEnvKey(name)] = value;
  return data;
}

export function payloadEnvKey(name: string): `env.${string}` {
  return `env.${name}`;
}

export type Volume =
  | { readonly kind: "pvc"; readonly name: string; readonly claimName: string; readonly mountPath: string; readonly readOnly?: boolean }
  | {
      readonly kind: "secret";
      readonly name: string;
      readonly secretName: string;
      readonly mountPath: string;
      readonly defaultMode?: number;
      readonly optional?: boolean;
    }
  | { readonly kind: "emptyDir"; readonly name: string; readonly mountPath: string; readonly sizeLimit?: string };

export interface DnsConfig {
  readonly nameservers?: readonly string[];
  readonly searches?: readonly string[];
  readonly options?: readonly { readonly name: string; readonly value?: string }[];
}

export interface PodSecurity {
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
  readonly runAsNonRoot: true;
}

/** The name of the container that runs Claude; the one whose log and exit code the run reads. */
export const AGENT_CONTAINER = "claude";
/**
 * Where the payload Secret is mounted (read-only) inside the agent container; the key `prompt` is the file
 * Claude's stdin comes from. The renderer adds this volume itself: `volumes` never lists it.
 */
export const PAYLOAD_MOUNT_PATH = "/var/run/clipjob/payload";

export interface AgentJobSpec {
  readonly ref: ObjectRef;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly image: string;
  readonly imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  readonly imagePullSecrets: readonly string[];
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken: boolean;
  /** Full container argv (command + args); runs Claude with the payload prompt on stdin, no shell pipe. */
  readonly command: readonly string[];
  /** Claude's own argv, in order, for display and tests. */
  readonly claudeArgs: readonly string[];
  readonly workingDir: string;
  readonly env: readonly EnvVar[];
  readonly envFrom: readonly EnvFromSource[];
  readonly payload: Payload;
  /**
   * The Secret that already holds `payload` (the run's agent claim, created before the Job). Set: `submit`
   * creates only the Job, mounting it. Unset: `submit` creates `<job>-payload` itself, owned by the Job.
   */
  readonly payloadSecret?: string;
  /**
   * The uid of that claim: the Job is owned by it (no controller, no blockOwnerDeletion), so deleting the claim
   * collects the Job and its pods, and a Job created after its claim was replaced (a fenced holder's) is
   * collected at once.
   */
  readonly payloadSecretUid?: string;
  readonly resources: Resources;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly dnsConfig?: DnsConfig;
  readonly volumes: readonly Volume[];
  readonly podSecurity: PodSecurity;
  /** Unset means no deadline (timeoutSec 0). */
  readonly activeDeadlineSeconds?: number;
  readonly ttlSecondsAfterFinished?: number;
  /** Seconds the kubelet waits between SIGTERM and SIGKILL on delete. */
  readonly terminationGracePeriodSeconds: number;
  /** Sizes of the prompt and its sections, for the run's invocation metadata. */
  readonly promptMetrics?: PromptMetrics;
  /** What planning left out and why (env not inherited, labels skipped), for the run log. */
  readonly notes?: readonly string[];
}

/** `<job>-payload`: the payload Secret `submit` creates for a spec that names none (no agent claim). */
export function payloadSecretName(jobName: string): string {
  return `${jobName}-payload`;
}

/**
 * The Secret the Job's pods read the payload from: the run's agent claim when the spec names one
 * (`payloadSecret`, see docs/architecture.md, "Across processes"), else `<job>-payload`.
 */
export function payloadSecretOf(spec: Pick<AgentJobSpec, "ref" | "payloadSecret">): string {
  return spec.payloadSecret ?? payloadSecretName(spec.ref.name);
}
