import type { DnsConfig, EnvFromSource, EnvSource, HostFacts, InheritedSecretVolume } from "@clipjob/core";
import type { V1Container, V1EnvVar, V1Pod } from "@kubernetes/client-node";

export const MAIN_CONTAINER = "paperclip";
export const PAPERCLIP_MOUNT_PATH = "/paperclip";

// Service-mesh proxies are injected into the pod next to the app; inheriting their image or env would
// start agents as proxies.
const SIDECAR_NAMES = new Set(["istio-proxy", "istio-init", "istio-validation", "linkerd-proxy", "linkerd-init"]);
const SIDECAR_IMAGE = /(^|\/)(istio\/proxyv2|proxyv2|linkerd[^/]*\/proxy|proxy-init)(:|@|$)/;

/** The container the host process runs in: named `paperclip`, else the first that is not a mesh sidecar. */
export function mainContainer(pod: V1Pod): V1Container | undefined {
  const containers = pod.spec?.containers ?? [];
  return containers.find((c) => c.name === MAIN_CONTAINER) ?? containers.find((c) => !isSidecar(c)) ?? containers[0];
}

function isSidecar(c: V1Container): boolean {
  return SIDECAR_NAMES.has(c.name) || SIDECAR_IMAGE.test(c.image ?? "");
}

/** What the host pod offers to inherit. Pure: the pod object in, the facts out. */
export function hostFactsFromPod(pod: V1Pod): HostFacts {
  const main = mainContainer(pod);
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  const mounts = main?.volumeMounts ?? [];

  const claimMount = mounts.find((m) => trimSlash(m.mountPath) === PAPERCLIP_MOUNT_PATH && m.subPath === undefined);
  const paperclipClaimName = claimMount ? volumes.get(claimMount.name)?.persistentVolumeClaim?.claimName : undefined;

  const secretVolumes: InheritedSecretVolume[] = [];
  for (const m of mounts) {
    const secret = volumes.get(m.name)?.secret;
    // A subPath mount exposes one file of the Secret; re-mounting the whole volume would expose more.
    if (!secret?.secretName || m.subPath !== undefined) continue;
    secretVolumes.push({
      volumeName: m.name,
      secretName: secret.secretName,
      mountPath: m.mountPath,
      ...(secret.defaultMode === undefined ? {} : { defaultMode: secret.defaultMode }),
    });
  }

  const env: Record<string, EnvSource> = {};
  for (const e of main?.env ?? []) {
    const source = envSource(e);
    if (source) env[e.name] = source;
  }

  const envFrom: EnvFromSource[] = [];
  for (const f of main?.envFrom ?? []) {
    const prefix = f.prefix ? { prefix: f.prefix } : {};
    if (f.secretRef?.name) envFrom.push({ kind: "secret", name: f.secretRef.name, ...optional(f.secretRef.optional), ...prefix });
    else if (f.configMapRef?.name) envFrom.push({ kind: "configMap", name: f.configMapRef.name, ...optional(f.configMapRef.optional), ...prefix });
  }

  const dnsConfig = dns(pod);
  return {
    ...(main?.image ? { image: main.image } : {}),
    imagePullSecrets: (pod.spec?.imagePullSecrets ?? []).map((s) => s.name ?? "").filter((n) => n !== ""),
    ...(dnsConfig === undefined ? {} : { dnsConfig }),
    ...(paperclipClaimName ? { paperclipClaimName } : {}),
    secretVolumes,
    env,
    envFrom,
  };
}

// resourceFieldRef has no EnvSource form (it needs the container's own limits); such env is not offered.
function envSource(e: V1EnvVar): EnvSource | undefined {
  const from = e.valueFrom;
  if (!from) return { kind: "literal", value: e.value ?? "" };
  if (from.secretKeyRef?.name) return { kind: "secretKey", secretName: from.secretKeyRef.name, key: from.secretKeyRef.key, ...optional(from.secretKeyRef.optional) };
  if (from.configMapKeyRef?.name) return { kind: "configMapKey", configMapName: from.configMapKeyRef.name, key: from.configMapKeyRef.key, ...optional(from.configMapKeyRef.optional) };
  if (from.fieldRef) return { kind: "field", fieldPath: from.fieldRef.fieldPath };
  return undefined;
}

function dns(pod: V1Pod): DnsConfig | undefined {
  const c = pod.spec?.dnsConfig;
  if (!c) return undefined;
  return {
    ...(c.nameservers?.length ? { nameservers: [...c.nameservers] } : {}),
    ...(c.searches?.length ? { searches: [...c.searches] } : {}),
    ...(c.options?.length ? { options: c.options.map((o) => ({ name: o.name ?? "", ...(o.value === undefined ? {} : { value: o.value }) })) } : {}),
  };
}

function optional(flag: boolean | undefined): { optional?: boolean } {
  return flag === undefined ? {} : { optional: flag };
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}
