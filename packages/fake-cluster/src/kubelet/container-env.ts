import type { Program } from "../programs/program.js";
import { PAYLOAD_MOUNT_PATH, payloadSecretOf, type AgentJobSpec } from "@clipjob/core";
import type { ObjectStore } from "../store/object-store.js";
import type { PodObject } from "../store/objects.js";

export type EnvResolution = { readonly ok: true; readonly env: Record<string, string> } | { readonly ok: false; readonly message: string };

/** Resolves the container env as the kubelet does; a missing non-optional reference is CreateContainerConfigError. */
export function resolveEnv(pod: PodObject, store: ObjectStore): EnvResolution {
  const spec = pod.spec.template;
  const ns = pod.metadata.namespace;
  const env: Record<string, string> = { HOSTNAME: pod.metadata.name, HOME: "/home/node", PWD: spec.workingDir };
  const secret = (name: string): Record<string, string> | undefined => store.get("Secret", ns, name)?.data;
  const configMap = (name: string): Record<string, string> | undefined => store.get("ConfigMap", ns, name)?.data;

  for (const from of spec.envFrom) {
    const data = from.kind === "secret" ? secret(from.name) : configMap(from.name);
    if (!data) {
      if (from.optional) continue;
      return { ok: false, message: `${from.kind === "secret" ? "secret" : "configmap"} "${from.name}" not found` };
    }
    for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ""}${k}`] = v;
  }
  for (const v of spec.env) {
    const s = v.source;
    switch (s.kind) {
      case "literal":
        env[v.name] = s.value;
        break;
      case "field":
        env[v.name] = fieldValue(pod, s.fieldPath);
        break;
      case "secretKey":
      case "payload": {
        const name = s.kind === "payload" ? payloadSecretOf(pod.spec.template) : s.secretName;
        const key = s.key;
        const data = secret(name);
        const value = data?.[key];
        if (!data) {
          if (s.kind === "secretKey" && s.optional) break;
          return { ok: false, message: `secret "${name}" not found` };
        }
        if (value === undefined) {
          if (s.kind === "secretKey" && s.optional) break;
          return { ok: false, message: `couldn't find key ${key} in Secret ${ns}/${name}` };
        }
        env[v.name] = value;
        break;
      }
      case "configMapKey": {
        const data = configMap(s.configMapName);
        if (!data) {
          if (s.optional) break;
          return { ok: false, message: `configmap "${s.configMapName}" not found` };
        }
        const value = data[s.key];
        if (value === undefined) {
          if (s.optional) break;
          return { ok: false, message: `couldn't find key ${s.key} in ConfigMap ${ns}/${s.configMapName}` };
        }
        env[v.name] = value;
        break;
      }
    }
  }
  return { ok: true, env };
}

function fieldValue(pod: PodObject, path: string): string {
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return pod.metadata.labels[label[1]!] ?? "";
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (annotation) return pod.metadata.annotations[annotation[1]!] ?? "";
  switch (path) {
    case "metadata.name":
      return pod.metadata.name;
    case "metadata.namespace":
      return pod.metadata.namespace;
    case "metadata.uid":
      return pod.metadata.uid;
    case "spec.nodeName":
      return pod.spec.nodeName ?? "";
    case "status.podIP":
      return pod.status.podIP ?? "";
    case "status.hostIP":
      return pod.status.hostIP ?? "";
    default:
      return "";
  }
}

/** Secret volumes the pod mounts (the payload Secret always), for the FailedMount check. */
export function mountedSecrets(spec: AgentJobSpec): { name: string; optional: boolean }[] {
  const list = [{ name: payloadSecretOf(spec), optional: false }];
  for (const v of spec.volumes) if (v.kind === "secret") list.push({ name: v.secretName, optional: v.optional ?? false });
  return list;
}

export interface ProcessInvocation {
  /** The executable the shell execs (`$0` of the `sh -c` form clipjob uses). */
  readonly executable?: string;
  /** Claude's argv (what follows the program name). */
  readonly argv: readonly string[];
  /** A file the shell redirects stdin from, if any. */
  readonly stdinPath?: string;
}

/**
 * Reads the container command the way the shell would run it: `sh -c '<script>' claude arg…` puts `claude`
 * in $0 and the rest in "$@"; a `< file` redirection in the script is the process's stdin.
 */
export function parseInvocation(spec: AgentJobSpec): ProcessInvocation {
  const cmd = spec.command;
  if (cmd.length >= 3 && /(^|\/)(ba|da)?sh$/.test(cmd[0]!) && cmd[1] === "-c") {
    const script = cmd[2]!;
    const redirect = /<\s*"?([^\s"]+)"?/.exec(script);
    return { ...(cmd[3] !== undefined ? { executable: cmd[3] } : {}), argv: cmd.slice(4), ...(redirect ? { stdinPath: redirect[1]! } : {}) };
  }
  if (cmd.length === 0) return { argv: spec.claudeArgs };
  return { argv: cmd.slice(1) };
}

/** Where a simulated image has Claude Code: on its PATH, as `/usr/local/bin/claude` (npm's global bin). */
export const SIM_CLAUDE_EXECUTABLES: ReadonlySet<string> = new Set(["claude", "/usr/local/bin/claude"]);

/**
 * What the container runs when the command names an executable the image lacks: the shell's own failure,
 * as dash prints it (`sh: 1: exec: /x: not found`, exit 127). Exec never reaches Claude, so no stream-json.
 */
export function missingExecutable(executable: string): Program {
  return async (ctx) => {
    ctx.stderr(`sh: 1: exec: ${executable}: not found`);
    return 127;
  };
}

/** The stdin content for a redirect from a mounted Secret (the payload or another secret volume). */
export function readMountedFile(path: string, pod: PodObject, store: ObjectStore): string {
  const ns = pod.metadata.namespace;
  const mounts = [{ mountPath: PAYLOAD_MOUNT_PATH, secretName: payloadSecretOf(pod.spec.template) }];
  for (const v of pod.spec.template.volumes) if (v.kind === "secret") mounts.push({ mountPath: v.mountPath, secretName: v.secretName });
  for (const m of mounts) {
    if (path.startsWith(`${m.mountPath}/`)) {
      return store.get("Secret", ns, m.secretName)?.data[path.slice(m.mountPath.length + 1)] ?? "";
    }
  }
  return "";
}
