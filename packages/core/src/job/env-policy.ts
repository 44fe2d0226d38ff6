// Which environment an agent pod gets. Layers, later wins:
//   1. the host pod's own env, by allowlist only (built-in names + config.inheritEnv);
//   2. the host's run context (request.hostEnv: PAPERCLIP_RUN_ID, PAPERCLIP_WORKSPACE_CWD, …);
//   3. config.env (literals and Secret references);
//   4. HOME=/paperclip (Claude keeps its sessions there, on the shared volume);
//   5. PAPERCLIP_API_KEY, only as a reference to the per-run payload Secret.
// A literal whose name looks like a credential never enters a Job spec: secrets travel by reference.

import type { ClipjobConfig } from "../config/clipjob-config.js";
import type { HostFacts } from "../ports/host-port.js";
import { payloadEnvKey, type EnvVar } from "./agent-job-spec.js";
import type { EnvSource } from "./spec-values.js";
import { isEnvVarName } from "./k8s-names.js";

export const AGENT_HOME = "/paperclip";

/** Host env names agent pods inherit without being asked: model access, proxies, the Paperclip API. */
export const BUILTIN_INHERITED_ENV = [
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "ANTHROPIC_BASE_URL",
  "ANTHROPIC_MODEL",
  "ANTHROPIC_BEDROCK_BASE_URL",
  "ANTHROPIC_VERTEX_PROJECT_ID",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "CLAUDE_CODE_USE_BEDROCK",
  "CLAUDE_CODE_USE_VERTEX",
  "CLOUD_ML_REGION",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_BEARER_TOKEN_BEDROCK",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "PAPERCLIP_API_URL",
] as const;

/** Set by clipjob for every run; configuring them would impersonate another run or leak the token. */
export const RUNTIME_ENV_KEYS = [
  "PAPERCLIP_API_KEY",
  "PAPERCLIP_RUN_ID",
  "PAPERCLIP_AGENT_ID",
  "PAPERCLIP_COMPANY_ID",
  "PAPERCLIP_TASK_ID",
  "PAPERCLIP_WAKE_REASON",
  "PAPERCLIP_WAKE_COMMENT_ID",
  "PAPERCLIP_WAKE_PAYLOAD_JSON",
  "PAPERCLIP_APPROVAL_ID",
  "PAPERCLIP_APPROVAL_STATUS",
  "PAPERCLIP_LINKED_ISSUE_IDS",
] as const;

const RUNTIME_KEYS: ReadonlySet<string> = new Set(RUNTIME_ENV_KEYS);

export function looksSecret(name: string): boolean {
  return /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i.test(name);
}

/**
 * A literal under this name would put a credential into the Job spec. Paperclip's own `PAPERCLIP_*`
 * run-context values are exempt: the host injects them into every run's config and they are scoped to it.
 */
export function refusesLiteral(name: string): boolean {
  return looksSecret(name) && !name.startsWith("PAPERCLIP_");
}

/**
 * Why `config.env` may not carry `name`, or null when it may. A credential-looking literal is accepted but
 * never written into the Job spec as a literal (see `buildAgentEnv`: it travels in the payload Secret).
 */
export function configEnvProblem(name: string, _source: "literal" | "secretRef"): string | null {
  if (!isEnvVarName(name)) return "not a valid environment variable name";
  if (RUNTIME_KEYS.has(name)) return "is set by clipjob for every run and cannot be configured";
  return null;
}

export interface AgentEnvInput {
  readonly config: Pick<ClipjobConfig, "env" | "envSecretRefs" | "inheritEnv">;
  readonly host: HostFacts;
  /**
   * Whether the Job runs in the host pod's namespace. Secret and ConfigMap references only resolve there;
   * elsewhere they would leave the pod stuck in CreateContainerConfigError.
   */
  readonly sameNamespaceAsHost: boolean;
  readonly hostEnv: Readonly<Record<string, string>>;
  readonly hasRunToken: boolean;
}

export function buildAgentEnv(input: AgentEnvInput): { env: EnvVar[]; notes: string[]; payloadEnv: Record<string, string> } {
  const { config, host } = input;
  const env = new Map<string, EnvSource>();
  const notes: string[] = [];
  const payloadEnv: Record<string, string> = {};
  /** A literal credential becomes a reference to its copy in the payload Secret, never a literal in the spec. */
  const setLiteral = (name: string, value: string): void => {
    if (refusesLiteral(name)) {
      payloadEnv[name] = value;
      env.set(name, { kind: "payload", key: payloadEnvKey(name) });
    } else {
      delete payloadEnv[name];
      env.set(name, { kind: "literal", value });
    }
  };

  const inherit = new Set<string>([...BUILTIN_INHERITED_ENV, ...config.inheritEnv]);
  for (const name of [...inherit].sort()) {
    const source = host.env[name];
    if (!source) continue;
    if (source.kind === "literal") {
      setLiteral(name, source.value);
    } else if (source.kind === "secretKey" || source.kind === "configMapKey") {
      if (input.sameNamespaceAsHost) env.set(name, source);
      else notes.push(`host env ${name} references an object in the host's namespace and was not inherited into another namespace`);
    } else if (source.kind === "field") {
      env.set(name, source);
    }
  }

  for (const [name, value] of Object.entries(input.hostEnv)) {
    if (name === "PAPERCLIP_API_KEY" || name === "HOME") continue;
    // The host computes a loopback API URL; from another pod only the host pod's own (in-cluster) one works.
    if (name === "PAPERCLIP_API_URL" && env.has(name)) continue;
    if (!isEnvVarName(name)) {
      notes.push(`run context env ${name} was not passed to the pod`);
      continue;
    }
    setLiteral(name, value);
  }

  for (const [name, value] of Object.entries(config.env)) {
    if (name === "HOME") notes.push(`config env HOME is ignored: HOME is ${AGENT_HOME}, where Claude keeps its sessions`);
    else setLiteral(name, value);
  }
  for (const [name, ref] of Object.entries(config.envSecretRefs ?? {})) {
    delete payloadEnv[name];
    env.set(name, ref);
  }

  env.set("HOME", { kind: "literal", value: AGENT_HOME });
  if (input.hasRunToken) env.set("PAPERCLIP_API_KEY", { kind: "payload", key: "run-token" });
  else env.delete("PAPERCLIP_API_KEY");

  const vars = [...env.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, source]) => ({ name, source }));
  for (const name of Object.keys(payloadEnv)) if (env.get(name)?.kind !== "payload") delete payloadEnv[name];
  return { env: vars, notes, payloadEnv };
}

/** The first `config.env` entry the policy refuses, for plans built from a config that skipped parsing. */
export function firstConfigEnvProblem(config: Pick<ClipjobConfig, "env" | "envSecretRefs">): { name: string; problem: string } | null {
  for (const name of Object.keys(config.env)) {
    const problem = configEnvProblem(name, "literal");
    if (problem) return { name, problem };
  }
  for (const name of Object.keys(config.envSecretRefs ?? {})) {
    const problem = configEnvProblem(name, "secretRef");
    if (problem) return { name, problem };
  }
  return null;
}
