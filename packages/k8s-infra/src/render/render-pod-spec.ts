import {
  AGENT_CONTAINER,
  PAYLOAD_MOUNT_PATH,
  payloadSecretOf,
  type AgentJobSpec,
  type EnvFromSource,
  type EnvVar,
  type ResourceList,
  type Volume,
} from "@clipjob/core";
import type { V1Container, V1EnvFromSource, V1EnvVar, V1PodSpec, V1Volume, V1VolumeMount } from "@kubernetes/client-node";

/** Name of the pod volume carrying the payload Secret; prefixed so it cannot collide with a configured one. */
export const PAYLOAD_VOLUME = "clipjob-payload";
// Owner and group read: files in a secret volume belong to root:fsGroup, and the agent runs as a non-root
// member of fsGroup, so group read is what lets it read the prompt (0400 would lock it out).
const PAYLOAD_FILE_MODE = 0o440;

export function renderPodSpec(spec: AgentJobSpec): V1PodSpec {
  const podSpec: V1PodSpec = {
    restartPolicy: "Never",
    automountServiceAccountToken: spec.automountServiceAccountToken,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    securityContext: {
      runAsNonRoot: spec.podSecurity.runAsNonRoot,
      runAsUser: spec.podSecurity.runAsUser,
      runAsGroup: spec.podSecurity.runAsGroup,
      fsGroup: spec.podSecurity.fsGroup,
      // Without it the kubelet chowns the whole shared PVC on every pod start.
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [renderContainer(spec)],
    volumes: [
      {
        name: PAYLOAD_VOLUME,
        secret: {
          secretName: payloadSecretOf(spec),
          // Only the prompt is a file; the run token reaches the container through an env secretKeyRef.
          items: [{ key: "prompt", path: "prompt" }],
          defaultMode: PAYLOAD_FILE_MODE,
        },
      },
      ...spec.volumes.map(renderVolume),
    ],
  };
  if (spec.serviceAccountName !== undefined) podSpec.serviceAccountName = spec.serviceAccountName;
  if (spec.imagePullSecrets.length > 0) podSpec.imagePullSecrets = spec.imagePullSecrets.map((name) => ({ name }));
  if (Object.keys(spec.nodeSelector).length > 0) podSpec.nodeSelector = { ...spec.nodeSelector };
  if (spec.tolerations.length > 0) podSpec.tolerations = spec.tolerations.map((t) => ({ ...t }));
  if (spec.dnsConfig !== undefined) {
    const { nameservers, searches, options } = spec.dnsConfig;
    // dnsPolicy None drops the cluster resolver entirely, which is only valid (and only wanted) when the
    // config brings its own nameservers; otherwise the config is merged into ClusterFirst.
    podSpec.dnsPolicy = nameservers !== undefined && nameservers.length > 0 ? "None" : "ClusterFirst";
    podSpec.dnsConfig = {
      ...(nameservers === undefined ? {} : { nameservers: [...nameservers] }),
      ...(searches === undefined ? {} : { searches: [...searches] }),
      ...(options === undefined ? {} : { options: options.map((o) => ({ ...o })) }),
    };
  }
  return podSpec;
}

function renderContainer(spec: AgentJobSpec): V1Container {
  const container: V1Container = {
    name: AGENT_CONTAINER,
    image: spec.image,
    imagePullPolicy: spec.imagePullPolicy,
    command: [...spec.command],
    workingDir: spec.workingDir,
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
    },
    volumeMounts: [{ name: PAYLOAD_VOLUME, mountPath: PAYLOAD_MOUNT_PATH, readOnly: true }, ...spec.volumes.map(renderVolumeMount)],
  };
  if (spec.env.length > 0) container.env = spec.env.map((v) => renderEnvVar(v, payloadSecretOf(spec)));
  if (spec.envFrom.length > 0) container.envFrom = spec.envFrom.map(renderEnvFrom);
  const requests = resourceList(spec.resources.requests);
  const limits = resourceList(spec.resources.limits);
  if (requests || limits) container.resources = { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
  return container;
}

export function renderEnvVar(v: EnvVar, payloadSecret: string): V1EnvVar {
  const s = v.source;
  switch (s.kind) {
    case "literal":
      return { name: v.name, value: s.value };
    case "secretKey":
      return { name: v.name, valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, ...optional(s.optional) } } };
    case "configMapKey":
      return { name: v.name, valueFrom: { configMapKeyRef: { name: s.configMapName, key: s.key, ...optional(s.optional) } } };
    case "field":
      return { name: v.name, valueFrom: { fieldRef: { fieldPath: s.fieldPath } } };
    case "payload":
      return { name: v.name, valueFrom: { secretKeyRef: { name: payloadSecret, key: s.key } } };
  }
}

function renderEnvFrom(e: EnvFromSource): V1EnvFromSource {
  const ref = { name: e.name, ...optional(e.optional) };
  return {
    ...(e.prefix === undefined ? {} : { prefix: e.prefix }),
    ...(e.kind === "secret" ? { secretRef: ref } : { configMapRef: ref }),
  };
}

function renderVolume(v: Volume): V1Volume {
  switch (v.kind) {
    case "pvc":
      return { name: v.name, persistentVolumeClaim: { claimName: v.claimName, ...(v.readOnly === undefined ? {} : { readOnly: v.readOnly }) } };
    case "secret":
      return {
        name: v.name,
        secret: {
          secretName: v.secretName,
          ...(v.defaultMode === undefined ? {} : { defaultMode: v.defaultMode }),
          ...optional(v.optional),
        },
      };
    case "emptyDir":
      return { name: v.name, emptyDir: v.sizeLimit === undefined ? {} : { sizeLimit: v.sizeLimit } };
  }
}

function renderVolumeMount(v: Volume): V1VolumeMount {
  const mount: V1VolumeMount = { name: v.name, mountPath: v.mountPath };
  if (v.kind === "secret") mount.readOnly = true;
  else if (v.kind === "pvc" && v.readOnly !== undefined) mount.readOnly = v.readOnly;
  return mount;
}

function resourceList(list: ResourceList): Record<string, string> | undefined {
  const entries = Object.entries(list).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "");
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function optional(flag: boolean | undefined): { optional?: boolean } {
  return flag === undefined ? {} : { optional: flag };
}
