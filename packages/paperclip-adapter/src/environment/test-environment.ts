// Paperclip's "Test environment" button: can this config run agents? The predecessor's check codes are kept
// (dashboards key on them); RBAC covers every permission a run needs (core's REQUIRED_PERMISSIONS), including
// the Job patch/watch and pod get/watch the predecessor never checked.
import {
  AGENT_POD_SECURITY,
  agentCanWrite,
  describeOwnership,
  NO_HOST_FACTS,
  parseConfig,
  REQUIRED_PERMISSIONS,
  type AccessCheck,
  type AccessPort,
  type AccessVerdict,
  type HostFacts,
} from "@clipjob/core";
import type { AdapterEnvironmentCheck, AdapterEnvironmentTestContext, AdapterEnvironmentTestResult } from "@paperclipai/adapter-utils";
import type { AdapterRoot } from "../composition/adapter-root.js";
import { ADAPTER_TYPE } from "../execute/invocation-meta.js";

type Check = AdapterEnvironmentCheck;

export async function testEnvironment(root: AdapterRoot, ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const checks: Check[] = [];
  try {
    await runChecks(root, ctx, checks);
  } catch (error) {
    checks.push({ code: "adapter_internal_error", level: "error", message: `The environment test failed unexpectedly: ${describe(error)}` });
  }
  const status = checks.some((c) => c.level === "error") ? "fail" : checks.some((c) => c.level === "warn") ? "warn" : "pass";
  return { adapterType: ADAPTER_TYPE, status, checks, testedAt: new Date().toISOString() };
}

async function runChecks(root: AdapterRoot, ctx: AdapterEnvironmentTestContext, checks: Check[]): Promise<void> {
  const parsed = parseConfig(ctx.config);
  if (!parsed.ok) {
    checks.push({ code: "config_invalid", level: "error", message: parsed.error.message, hint: "Fix the listed adapterConfig fields." });
    return;
  }
  const config = parsed.value;
  const opened = await root.openScope(config);
  if (!opened.ok && opened.error.code === "not_in_cluster") {
    // The default config on a Paperclip outside Kubernetes (a laptop, the first agent of a new user): not an
    // error in the config, and Paperclip's wizard refuses to finish on an error. Say how to get going.
    checks.push({
      code: "k8s_not_in_cluster",
      level: "warn",
      message: "Paperclip is not running in a Kubernetes pod and no Kubeconfig Path is set, so runs of this agent cannot reach a cluster yet.",
      hint: 'To try the adapter without Kubernetes, set Cluster to Simulated (cluster: "simulated"). For real runs, run Paperclip in a pod with a service account, or set Kubeconfig Path to a kubeconfig file on the Paperclip server.',
    });
    return;
  }
  if (!opened.ok) {
    checks.push({
      code: "k8s_api_unreachable",
      level: "error",
      message: `Cannot reach the Kubernetes API: ${opened.error.message}`,
      detail: opened.error.code,
      hint: "Run Paperclip in a pod with a service account, or set kubeconfig (and kubeContext) to a readable kubeconfig file.",
    });
    return;
  }
  const scope = opened.value;
  const simulation = scope.simulation;
  if (simulation) {
    checks.push({
      code: "clipjob_simulated_cluster",
      level: "info",
      message: `Evaluation mode: runs use the simulated cluster (scenario "${config.simulatedScenario}"), not Kubernetes and not Claude.`,
      hint: "Set Cluster to Kubernetes to run real agents.",
    });
  }

  const deps = scope.runDependencies;
  let host: HostFacts = NO_HOST_FACTS;
  try {
    host = await deps.host.describeHost();
  } catch (error) {
    checks.push({ code: "k8s_host_introspection_failed", level: "warn", message: `Could not read the Paperclip pod: ${describe(error)}`, hint: "Agent pods will not inherit its image, volumes or env." });
  }
  const namespace = config.namespace ?? host.namespace ?? scope.defaultNamespace;
  const access = scope.ports.access;

  let exists: boolean | "unknown";
  try {
    exists = await access.namespaceExists(namespace);
  } catch (error) {
    checks.push({ code: "k8s_api_unreachable", level: "error", message: `Cannot reach the Kubernetes API: ${describe(error)}`, hint: "Check the API server address, the credentials and the network path to it." });
    return;
  }
  checks.push({ code: "k8s_api_reachable", level: "info", message: "The Kubernetes API answered.", ...(host.image ? { detail: `Image: ${host.image}` } : {}) });
  if (exists === true) checks.push({ code: "k8s_namespace_exists", level: "info", message: `Namespace ${namespace} exists.` });
  else if (exists === false) checks.push({ code: "k8s_namespace_missing", level: "error", message: `Namespace ${namespace} does not exist.`, hint: `kubectl create namespace ${namespace}` });
  else checks.push({ code: "k8s_namespace_check_failed", level: "warn", message: `Could not check namespace ${namespace} (the service account may not read namespaces).` });

  const [rbac, secret, claim] = await Promise.all([rbacChecks(access, namespace), secretCheck(access, namespace, config.secretRef), claimCheck(access, host, namespace)]);
  checks.push(...rbac, secret, claim);
  const ownership = ownershipCheck(host);
  if (ownership) checks.push(ownership);
}

/** hostPath and NFS roots get no fsGroup: a `root 0755` /paperclip makes Claude save no session, silently. */
export function ownershipCheck(host: HostFacts): Check | null {
  const dir = host.paperclipOwnership;
  if (!host.paperclipClaimName || !dir) return null;
  const uid = AGENT_POD_SECURITY.runAsUser;
  if (agentCanWrite(dir)) {
    return { code: "k8s_pvc_writable", level: "info", message: `/paperclip (PersistentVolumeClaim ${host.paperclipClaimName}) is writable by the agent uid ${uid} (${describeOwnership(dir)}).` };
  }
  return {
    code: "k8s_pvc_not_writable",
    level: "error",
    message: `/paperclip (PersistentVolumeClaim ${host.paperclipClaimName}) is not writable by the agent uid ${uid} (${describeOwnership(dir)}): agent runs would fail with k8s_agent_workspace_not_writable.`,
    hint: `The kubelet applies no fsGroup to hostPath or NFS volumes: chown ${uid}:${AGENT_POD_SECURITY.runAsGroup} the volume's root (or make it group-writable for gid ${AGENT_POD_SECURITY.fsGroup}).`,
  };
}

async function rbacChecks(access: AccessPort, namespace: string): Promise<Check[]> {
  const wanted: AccessCheck[] = REQUIRED_PERMISSIONS.map((p) => ({ ...p, namespace }));
  let verdicts: AccessVerdict[];
  try {
    verdicts = await access.review(wanted);
  } catch (error) {
    return wanted.map((check) => ({ code: rbacCode(check), level: "warn", message: `Could not review ${describeCheck(check)}: ${describe(error)}` }));
  }
  return verdicts.map((v): Check => {
    const code = rbacCode(v.check);
    if (v.allowed === true) return { code, level: "info", message: `Allowed: ${describeCheck(v.check)}.` };
    if (v.allowed === false) {
      return {
        code,
        level: "error",
        message: `Denied: ${describeCheck(v.check)}.${v.reason ? ` ${v.reason}` : ""}`,
        hint: `Grant the service account permission to ${v.check.verb} ${resourceName(v.check)} in namespace ${namespace} (see the README's Role).`,
      };
    }
    return { code, level: "warn", message: `Could not review ${describeCheck(v.check)}: ${v.error}` };
  });
}

async function secretCheck(access: AccessPort, namespace: string, name: string): Promise<Check> {
  try {
    const found = await access.secretExists(namespace, name);
    if (found === true) return { code: "k8s_secret_exists", level: "info", message: `Secret ${name} exists in ${namespace}.` };
    if (found === false) {
      return {
        code: "k8s_secret_missing",
        level: "warn",
        message: `Secret ${name} was not found in ${namespace}.`,
        hint: "Create it with the model credentials (ANTHROPIC_API_KEY, or AWS_BEARER_TOKEN_BEDROCK for Bedrock) and reference them from the Paperclip pod's env.",
      };
    }
    return { code: "k8s_secret_check_failed", level: "warn", message: `Could not check Secret ${name} in ${namespace}.` };
  } catch (error) {
    return { code: "k8s_secret_check_failed", level: "warn", message: `Could not check Secret ${name} in ${namespace}: ${describe(error)}` };
  }
}

async function claimCheck(access: AccessPort, host: HostFacts, namespace: string): Promise<Check> {
  const claim = host.paperclipClaimName;
  if (!claim) {
    return {
      code: "k8s_pvc_not_detected",
      level: "warn",
      message: "No PersistentVolumeClaim is mounted at /paperclip in the Paperclip pod.",
      hint: "Claude keeps sessions under /paperclip; without a shared ReadWriteMany volume, sessions cannot be resumed across runs.",
    };
  }
  const claimNamespace = host.namespace ?? namespace;
  try {
    const modes = await access.claimAccessModes(claimNamespace, claim);
    if (modes === null) return { code: "k8s_pvc_check_failed", level: "warn", message: `PersistentVolumeClaim ${claim} was not found in ${claimNamespace}.` };
    if (modes.includes("ReadWriteMany")) return { code: "k8s_pvc_rwx", level: "info", message: `PersistentVolumeClaim ${claim} is ReadWriteMany.` };
    return {
      code: "k8s_pvc_not_rwx",
      level: "warn",
      message: `PersistentVolumeClaim ${claim} is ${modes.join(", ") || "of no access mode"}, not ReadWriteMany.`,
      hint: "Agent pods on other nodes cannot mount it while Paperclip does.",
    };
  } catch (error) {
    return { code: "k8s_pvc_check_failed", level: "warn", message: `Could not read PersistentVolumeClaim ${claim}: ${describe(error)}` };
  }
}

const RESOURCE_CODES: Readonly<Record<string, string>> = { jobs: "job", pods: "pod", secrets: "secret", persistentvolumeclaims: "pvc" };

/** The predecessor's spelling: `k8s_rbac_job_create`, `k8s_rbac_pod_log` for pods/log. */
export function rbacCode(check: Pick<AccessCheck, "verb" | "resource" | "subresource">): string {
  if (check.resource === "pods" && check.subresource === "log") return "k8s_rbac_pod_log";
  return `k8s_rbac_${RESOURCE_CODES[check.resource] ?? check.resource}_${check.verb}`;
}

function resourceName(check: AccessCheck): string {
  return `${check.resource}${check.subresource ? `/${check.subresource}` : ""}${check.group ? `.${check.group}` : ""}`;
}

function describeCheck(check: AccessCheck): string {
  return `${check.verb} ${resourceName(check)} in ${check.namespace}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

