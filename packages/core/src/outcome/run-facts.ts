// Facts about the run's pod that outcome messages name: the memory limit an OOM kill hit, the API endpoint
// Claude talked to, and where Claude's credential comes from (so an auth failure says what to refresh).
import { payloadSecretOf, type AgentJobSpec } from "../job/agent-job-spec.js";
import type { EnvSource } from "../job/spec-values.js";

/** The env variables through which Claude Code authenticates, in the order it prefers them. */
export const CLAUDE_CREDENTIAL_ENV = ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"] as const;

export interface CredentialBinding {
  /** The env variable, e.g. `ANTHROPIC_API_KEY`. */
  readonly name: string;
  /** Where its value comes from, in words: "Secret agents/claude-creds, key api-key". */
  readonly from: string;
}

export interface RunFacts {
  /** The agent container's memory limit (a Kubernetes quantity), or null when unlimited. */
  readonly memoryLimit: string | null;
  /** ANTHROPIC_BASE_URL when the pod sets it as a literal, else null (Anthropic's own API). */
  readonly anthropicBaseUrl: string | null;
  /** Claude's credential env variables and their sources. */
  readonly credentials: readonly CredentialBinding[];
  /** Secrets the container imports whole (`envFrom`): a credential may come from one of them. */
  readonly envFromSecrets: readonly string[];
  /** The uid the agent container runs as (`runAsUser`), or null when the image decides. */
  readonly runAsUser: number | null;
}

export const NO_RUN_FACTS: RunFacts = { memoryLimit: null, anthropicBaseUrl: null, credentials: [], envFromSecrets: [], runAsUser: null };

function sourceInWords(source: EnvSource, namespace: string, payloadSecret: string): string {
  switch (source.kind) {
    case "secretKey":
      return `Secret ${namespace}/${source.secretName}, key ${source.key}`;
    case "payload":
      return `the run's payload Secret ${namespace}/${payloadSecret}, filled from the agent's env (adapterConfig.env or a Paperclip secret binding)`;
    case "configMapKey":
      return `ConfigMap ${namespace}/${source.configMapName}, key ${source.key}`;
    case "literal":
      return "a literal value in the agent's env";
    case "field":
      return `the pod field ${source.fieldPath}`;
  }
}

/** The facts of a planned Job. */
export function runFactsOf(spec: AgentJobSpec): RunFacts {
  const { namespace } = spec.ref;
  const payloadSecret = payloadSecretOf(spec);
  const baseUrl = spec.env.find((e) => e.name === "ANTHROPIC_BASE_URL");
  return {
    memoryLimit: spec.resources.limits.memory ?? null,
    anthropicBaseUrl: baseUrl && baseUrl.source.kind === "literal" ? baseUrl.source.value : null,
    credentials: spec.env
      .filter((e) => (CLAUDE_CREDENTIAL_ENV as readonly string[]).includes(e.name))
      .map((e) => ({ name: e.name, from: sourceInWords(e.source, namespace, payloadSecret) })),
    envFromSecrets: spec.envFrom.filter((e) => e.kind === "secret").map((e) => `${namespace}/${e.name}`),
    runAsUser: spec.podSecurity.runAsUser ?? null,
  };
}
