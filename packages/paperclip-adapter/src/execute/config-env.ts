// Paperclip resolves adapterConfig before execute and adds env of its own to it: scratch and temp dirs,
// GitHub and runner-network settings, all paths and policies of the *server's* machine. In an agent pod
// those paths do not exist, so they are dropped unless the agent's stored config sets them itself. The
// run-context PAPERCLIP_* keys the run sets win over config (as in Paperclip's own adapters), and
// PAPERCLIP_API_KEY never comes from config: the run token is its only source.
import { isForbiddenConfigEnvKey, isPaperclipRuntimeEnvKey } from "@paperclipai/adapter-utils/server-utils";
import { isRecord } from "./context-values.js";

const HOST_LOCAL_ENV = /^(TMPDIR|TEMP|TMP|GH_CONFIG_DIR|PAPERCLIP_(RUN_|TASK_)?SCRATCH_DIR|PAPERCLIP_TMPDIR|PAPERCLIP_GITHUB_\w+|PAPERCLIP_RUNNER_NETWORK_\w+|PAPERCLIP_GIT_METADATA_ROOTS)$/;

export interface SanitizedConfig {
  readonly config: Record<string, unknown>;
  /** What was dropped and why, for the invocation notes. */
  readonly notes: readonly string[];
}

export function sanitizeConfigEnv(
  config: Readonly<Record<string, unknown>>,
  storedConfig: unknown,
  runContextEnv: Readonly<Record<string, string>>,
): SanitizedConfig {
  const env = config["env"];
  if (!isRecord(env)) return { config: { ...config }, notes: [] };
  const stored = isRecord(storedConfig) && isRecord(storedConfig["env"]) ? storedConfig["env"] : {};
  const kept: Record<string, unknown> = {};
  const hostLocal: string[] = [];
  const notes: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (isForbiddenConfigEnvKey(name)) {
      notes.push(`config env ${name} ignored: the run token is the only source of it`);
    } else if (isPaperclipRuntimeEnvKey(name) && name in runContextEnv) {
      notes.push(`config env ${name} ignored: the run sets it`);
    } else if (HOST_LOCAL_ENV.test(name) && !Object.hasOwn(stored, name)) {
      hostLocal.push(name);
    } else {
      kept[name] = value;
    }
  }
  if (hostLocal.length > 0) notes.push(`host-local env not passed to the pod: ${hostLocal.sort().join(", ")}`);
  return { config: { ...config, env: kept }, notes };
}
