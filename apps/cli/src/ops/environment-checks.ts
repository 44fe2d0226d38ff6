// `clipjob doctor`: can this identity run agent Jobs here? Every check runs (one failure does not hide the
// next) except when the API itself is unreachable, where every later answer would be the same error.

import {
  AGENT_POD_SECURITY,
  agentCanWrite,
  describeOwnership,
  REQUIRED_PERMISSIONS,
  type AccessCheck,
  type AccessPort,
  type AccessVerdict,
  type HostFacts,
  type HostPort,
} from "@clipjob/core";

export type CheckStatus = "pass" | "warn" | "fail";

export interface EnvironmentCheck {
  /** Stable id, e.g. `api_reachable`, `rbac_create_jobs`, `pvc_access_mode`. */
  readonly id: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** What to do about a warning or failure. */
  readonly hint?: string;
}

export interface EnvironmentReport {
  readonly status: CheckStatus;
  readonly namespace: string;
  readonly checks: readonly EnvironmentCheck[];
}

export interface EnvironmentCheckInput {
  readonly access: AccessPort;
  readonly host: HostPort;
  readonly namespace: string;
  /** The credentials Secret the config names (`secretRef`). */
  readonly secretRef: string;
}

export async function checkEnvironment(input: EnvironmentCheckInput): Promise<EnvironmentReport> {
  const { access, namespace } = input;
  const checks: EnvironmentCheck[] = [];
  let namespaceFound: boolean | "unknown";
  try {
    namespaceFound = await access.namespaceExists(namespace);
  } catch (error) {
    checks.push({
      id: "api_reachable",
      status: "fail",
      message: `The Kubernetes API did not answer: ${describe(error)}`,
      hint: "Check the kubeconfig (server address, credentials, context) or, in a pod, the service account token and network policy.",
    });
    return report(namespace, checks);
  }
  checks.push({ id: "api_reachable", status: "pass", message: "The Kubernetes API answered" });
  checks.push(namespaceCheck(namespace, namespaceFound));
  checks.push(...(await permissionChecks(access, namespace)));
  checks.push(await secretCheck(access, namespace, input.secretRef));
  const [claim, ownership] = await claimChecks(input, namespace);
  checks.push(claim, ...(ownership ? [ownership] : []));
  return report(namespace, checks);
}

function namespaceCheck(namespace: string, found: boolean | "unknown"): EnvironmentCheck {
  if (found === true) return { id: "namespace_exists", status: "pass", message: `Namespace ${namespace} exists` };
  if (found === false) {
    return { id: "namespace_exists", status: "fail", message: `Namespace ${namespace} does not exist`, hint: `Create it (kubectl create namespace ${namespace}) or set --namespace.` };
  }
  return {
    id: "namespace_exists",
    status: "warn",
    message: `Could not tell whether namespace ${namespace} exists (this identity may not read namespaces)`,
    hint: "Harmless when the permission checks below pass: runs only need access inside the namespace.",
  };
}

async function permissionChecks(access: AccessPort, namespace: string): Promise<EnvironmentCheck[]> {
  const wanted: AccessCheck[] = REQUIRED_PERMISSIONS.map((p) => ({ ...p, namespace }));
  let verdicts: AccessVerdict[];
  try {
    verdicts = await access.review(wanted);
  } catch (error) {
    return [{ id: "rbac_review", status: "warn", message: `Access review failed: ${describe(error)}`, hint: "Permissions could not be checked; a run will report any it lacks." }];
  }
  return wanted.map((check, i) => permissionCheck(check, verdicts[i]));
}

function permissionCheck(check: AccessCheck, verdict: AccessVerdict | undefined): EnvironmentCheck {
  const resource = check.subresource ? `${check.resource}/${check.subresource}` : check.resource;
  const id = `rbac_${check.verb}_${resource.replace("/", "_")}`;
  const what = `${check.verb} ${resource}${check.group ? `.${check.group}` : ""} in ${check.namespace}`;
  if (!verdict || verdict.allowed === "unknown") {
    return { id, status: "warn", message: `Could not check: ${what}${verdict ? ` (${verdict.error})` : ""}` };
  }
  if (verdict.allowed) return { id, status: "pass", message: `May ${what}` };
  return {
    id,
    status: "fail",
    message: `May not ${what}${verdict.reason ? ` (${verdict.reason})` : ""}`,
    hint: `Add to the Role: apiGroups ["${check.group}"], resources ["${resource}"], verbs ["${check.verb}"] (README "RBAC").`,
  };
}

async function secretCheck(access: AccessPort, namespace: string, name: string): Promise<EnvironmentCheck> {
  const id = "secret_exists";
  try {
    const found = await access.secretExists(namespace, name);
    if (found === true) return { id, status: "pass", message: `Secret ${name} exists in ${namespace}` };
    if (found === false) {
      return { id, status: "warn", message: `Secret ${name} not found in ${namespace}`, hint: "Create it with the model credentials (e.g. ANTHROPIC_API_KEY) or set secretRef to the Secret that holds them." };
    }
    return { id, status: "warn", message: `Could not tell whether Secret ${name} exists in ${namespace}` };
  } catch (error) {
    return { id, status: "warn", message: `Secret check failed: ${describe(error)}` };
  }
}

/** The /paperclip claim's access mode, and (when the host sees the mount) whether the agent uid can write to it. */
async function claimChecks(input: EnvironmentCheckInput, namespace: string): Promise<[EnvironmentCheck, EnvironmentCheck | null]> {
  let host: HostFacts;
  try {
    host = await input.host.describeHost();
  } catch (error) {
    return [{ id: "pvc_access_mode", status: "warn", message: `Host pod introspection failed: ${describe(error)}` }, null];
  }
  return [await claimCheck(input, host, namespace), ownershipCheck(host)];
}

/** hostPath and NFS roots get no fsGroup: a `root 0755` root makes Claude save no session, silently. */
function ownershipCheck(host: HostFacts): EnvironmentCheck | null {
  const dir = host.paperclipOwnership;
  if (!host.paperclipClaimName || !dir) return null;
  const id = "pvc_writable";
  const uid = AGENT_POD_SECURITY.runAsUser;
  if (agentCanWrite(dir)) return { id, status: "pass", message: `/paperclip (PVC ${host.paperclipClaimName}) is writable by the agent uid ${uid} (${describeOwnership(dir)})` };
  return {
    id,
    status: "fail",
    message: `/paperclip (PVC ${host.paperclipClaimName}) is not writable by the agent uid ${uid} (${describeOwnership(dir)}): agent runs would fail with k8s_agent_workspace_not_writable`,
    hint: `The kubelet applies no fsGroup to hostPath or NFS volumes: chown ${uid}:${AGENT_POD_SECURITY.runAsGroup} the volume's root (or make it group-writable for gid ${AGENT_POD_SECURITY.fsGroup}).`,
  };
}

async function claimCheck(input: EnvironmentCheckInput, host: HostFacts, namespace: string): Promise<EnvironmentCheck> {
  const id = "pvc_access_mode";
  const claim = host.paperclipClaimName;
  if (!claim) {
    return {
      id,
      status: "warn",
      message: "No PVC mounted at /paperclip was detected (not running in a pod, or the pod mounts none)",
      hint: "Agent pods share /paperclip with the host through a ReadWriteMany PVC; without one they start with an empty workspace.",
    };
  }
  const claimNamespace = host.namespace ?? namespace;
  try {
    const modes = await input.access.claimAccessModes(claimNamespace, claim);
    if (modes === null) return { id, status: "fail", message: `PVC ${claim} not found in ${claimNamespace}`, hint: "Agent pods mount the host's /paperclip claim; it must exist in their namespace." };
    if (modes.includes("ReadWriteMany")) return { id, status: "pass", message: `PVC ${claim} is ReadWriteMany` };
    return {
      id,
      status: "warn",
      message: `PVC ${claim} is ${modes.join(", ") || "without access modes"}, not ReadWriteMany`,
      hint: "Agent pods on other nodes cannot mount it; use a ReadWriteMany storage class.",
    };
  } catch (error) {
    return { id, status: "warn", message: `PVC check failed: ${describe(error)}` };
  }
}

function report(namespace: string, checks: EnvironmentCheck[]): EnvironmentReport {
  const status: CheckStatus = checks.some((c) => c.status === "fail") ? "fail" : checks.some((c) => c.status === "warn") ? "warn" : "pass";
  return { status, namespace, checks };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
