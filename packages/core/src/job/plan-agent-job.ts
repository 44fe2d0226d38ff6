// Plan (docs/architecture.md, "The run", step 1): config + run request + host facts → the Job to submit. Pure: every
// decision about names, labels, prompt, argv, env, volumes and limits is made here, once, and tested here.

import type { ClipjobConfig } from "../config/clipjob-config.js";
import type { HostFacts } from "../ports/host-port.js";
import { err, ok, type Result } from "../result.js";
import type { RunRequest } from "../run/run-request.js";
import type { AgentJobSpec, Volume } from "./agent-job-spec.js";
import { agentCommand, buildClaudeArgs } from "./claude-command.js";
import type { PromptBundleRef } from "./prompt-bundle-ref.js";
import { AGENT_HOME, buildAgentEnv, firstConfigEnvProblem } from "./env-policy.js";
import { agentJobName } from "./job-name.js";
import { isDnsLabel, isDnsSubdomain } from "./k8s-names.js";
import { ADAPTER_TYPE, ANNOTATION_ADAPTER_TYPE, ANNOTATION_AGENT_NAME, ANNOTATION_STARTED_BY, identityLabels, MAX_STARTED_BY_CHARS, sanitizeLabelValue } from "./labels.js";
import { payloadSizeProblem } from "./payload-limits.js";
import { buildPrompt, toWellFormed } from "./prompt.js";
import { AGENT_POD_SECURITY } from "./workspace-ownership.js";

export type PlanErrorCode = "config_invalid" | "k8s_agent_id_invalid" | "k8s_payload_too_large";

export interface PlanError {
  readonly code: PlanErrorCode;
  readonly message: string;
  /** The config (or request) field at fault, when there is one. */
  readonly field?: string;
}

export interface PlanInput {
  readonly request: RunRequest;
  readonly config: ClipjobConfig;
  readonly host: HostFacts;
  /** Where Jobs go when neither the config nor the host pod names a namespace (e.g. the kubeconfig's). */
  readonly defaultNamespace: string;
  /** The prompt bundle the host prepared on the shared volume (`--add-dir`, instructions copy). */
  readonly promptBundle?: PromptBundleRef | null;
}

/** The shared volume the host pod mounts at `/paperclip`: Claude's HOME and sessions live on it. */
export const PAPERCLIP_VOLUME = "paperclip-data";
const MAX_AGENT_NAME_ANNOTATION = 1024;

export function planAgentJob(input: PlanInput): Result<AgentJobSpec, PlanError> {
  const { request, config, host } = input;
  const agentLabel = sanitizeLabelValue(request.agent.id);
  if (agentLabel === null) {
    return err({ code: "k8s_agent_id_invalid", message: `Agent ID ${quote(request.agent.id)} cannot be sanitized to a valid Kubernetes label` });
  }

  const namespace = config.namespace ?? host.namespace ?? input.defaultNamespace;
  if (!isDnsLabel(namespace)) {
    return invalid("namespace", `namespace: ${quote(namespace)} is not a valid namespace name (lowercase letters, digits and '-', at most 63 characters)`);
  }
  const workspaceClaim = request.workspaceClaim?.trim() || null;
  if (workspaceClaim !== null && !isDnsSubdomain(workspaceClaim)) {
    return invalid("workspaceClaim", `workspaceClaim: ${quote(workspaceClaim)} is not a valid PersistentVolumeClaim name (lowercase letters, digits, '-' and '.', at most 253 characters)`);
  }
  const image = config.image ?? host.image;
  if (!image) return invalid("image", "image: no image configured and the host pod has none");

  const envProblem = firstConfigEnvProblem(config);
  if (envProblem) return invalid(`env.${envProblem.name}`, `env.${envProblem.name}: ${envProblem.problem}`);

  const workspaceCwd = request.workspace?.cwd?.trim();
  const workingDir = workspaceCwd || config.cwd || AGENT_HOME;
  if (!isAbsolutePath(workingDir)) {
    const field = workspaceCwd ? "workspace.cwd" : "cwd";
    return invalid(field, `${field}: ${quote(workingDir)} is not an absolute path`);
  }

  const prompt = buildPrompt(request, config);
  const runToken = request.runToken ? request.runToken : null;
  const promptOnlyProblem = payloadSizeProblem(prompt.text, runToken);
  if (promptOnlyProblem) return err({ code: "k8s_payload_too_large", message: promptOnlyProblem });

  const notes: string[] = [];
  const identity = identityLabels(agentLabel, request.agent.companyId, {
    runId: request.runId,
    taskId: request.taskId ?? null,
    sessionId: prompt.resumeSessionId,
  });
  for (const key of identity.skipped) notes.push(`label ${key} left out: its id has no valid label form`);

  const sameNamespaceAsHost = host.namespace !== undefined && host.namespace === namespace;
  const env = buildAgentEnv({
    config,
    host,
    sameNamespaceAsHost,
    hostEnv: request.hostEnv ?? {},
    hasRunToken: runToken !== null,
  });
  notes.push(...env.notes);
  const sizeProblem = payloadSizeProblem(prompt.text, runToken, env.payloadEnv);
  if (sizeProblem) return err({ code: "k8s_payload_too_large", message: sizeProblem });

  const claudeArgs = buildClaudeArgs({ config, resumeSessionId: prompt.resumeSessionId, bundle: input.promptBundle ?? null });
  // A claim the run names replaces the host pod's: it is looked up in the Job's namespace, wherever the host runs.
  const inherited = hostNamespacedObjects(workspaceClaim !== null ? { ...host, paperclipClaimName: undefined } : host, sameNamespaceAsHost, namespace, notes);
  const volumes: Volume[] =
    workspaceClaim !== null ? [{ kind: "pvc", name: PAPERCLIP_VOLUME, claimName: workspaceClaim, mountPath: AGENT_HOME }, ...inherited.volumes] : [...inherited.volumes];

  return ok({
    ref: { namespace, name: agentJobName(request.agent.id, request.runId) },
    labels: { ...config.labels, ...identity.labels },
    annotations: {
      [ANNOTATION_ADAPTER_TYPE]: ADAPTER_TYPE,
      [ANNOTATION_AGENT_NAME]: toWellFormed(request.agent.name.slice(0, MAX_AGENT_NAME_ANNOTATION)),
      ...(request.startedBy ? { [ANNOTATION_STARTED_BY]: toWellFormed(request.startedBy.slice(0, MAX_STARTED_BY_CHARS)) } : {}),
    },
    image,
    imagePullPolicy: config.imagePullPolicy,
    imagePullSecrets: inherited.imagePullSecrets,
    ...(config.serviceAccountName ? { serviceAccountName: config.serviceAccountName } : {}),
    automountServiceAccountToken: config.automountServiceAccountToken,
    command: agentCommand(claudeArgs, config.command),
    claudeArgs,
    workingDir,
    env: env.env,
    // Bulk envFrom would forward every key of the host's Secrets; the allowlist above is the only way in.
    envFrom: [],
    payload: {
      prompt: prompt.text,
      ...(runToken === null ? {} : { runToken }),
      ...(Object.keys(env.payloadEnv).length ? { env: env.payloadEnv } : {}),
    },
    resources: config.resources,
    nodeSelector: config.nodeSelector,
    tolerations: config.tolerations,
    ...(host.dnsConfig ? { dnsConfig: host.dnsConfig } : {}),
    volumes,
    podSecurity: AGENT_POD_SECURITY,
    ...(config.timeoutSec > 0 ? { activeDeadlineSeconds: config.timeoutSec } : {}),
    ttlSecondsAfterFinished: config.ttlSecondsAfterFinished,
    terminationGracePeriodSeconds: config.graceSec,
    promptMetrics: prompt.metrics,
    notes,
  });
}

/**
 * The host pod's PVC, secret volumes and pull secrets are namespaced: they are inherited only by Jobs in
 * the host's namespace (elsewhere they would not exist and the pod would never start).
 */
function hostNamespacedObjects(
  host: HostFacts,
  sameNamespace: boolean,
  namespace: string,
  notes: string[],
): { volumes: Volume[]; imagePullSecrets: readonly string[] } {
  if (!sameNamespace) {
    if (host.paperclipClaimName) {
      notes.push(`the /paperclip volume (PVC ${host.paperclipClaimName}) is not mounted: it lives in namespace ${host.namespace ?? "?"}, the Job runs in ${namespace}`);
    }
    if (host.secretVolumes.length > 0) notes.push(`the host pod's secret volumes are not mounted in namespace ${namespace}`);
    if (host.imagePullSecrets.length > 0) notes.push(`the host pod's image pull secrets are not used in namespace ${namespace}`);
    return { volumes: [], imagePullSecrets: [] };
  }
  const volumes: Volume[] = [];
  if (host.paperclipClaimName) {
    volumes.push({ kind: "pvc", name: PAPERCLIP_VOLUME, claimName: host.paperclipClaimName, mountPath: AGENT_HOME });
  }
  for (const v of host.secretVolumes) {
    volumes.push({
      kind: "secret",
      name: `host-${v.volumeName}`.slice(0, 63).replace(/-+$/, ""),
      secretName: v.secretName,
      mountPath: v.mountPath,
      ...(v.defaultMode === undefined ? {} : { defaultMode: v.defaultMode }),
      optional: true,
    });
  }
  return { volumes, imagePullSecrets: host.imagePullSecrets };
}

function invalid(field: string, message: string): Result<never, PlanError> {
  return err({ code: "config_invalid", message, field });
}

function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") && !path.includes("\0");
}

/** A bounded, escaped rendering of untrusted text for messages. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
