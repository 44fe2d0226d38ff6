export * from "./agent-job-spec.js";
export { buildClaudeArgs, agentCommand, NOT_WRITABLE_EXIT_CODE, NOT_WRITABLE_MARKER, type ClaudeArgsInput } from "./claude-command.js";
export type { PromptBundleRef } from "./prompt-bundle-ref.js";
export type { PromptMetrics } from "./prompt-metrics.js";
export type * from "./spec-values.js";
export {
  AGENT_HOME,
  BUILTIN_INHERITED_ENV,
  RUNTIME_ENV_KEYS,
  buildAgentEnv,
  configEnvProblem,
  looksSecret,
  refusesLiteral,
  type AgentEnvInput,
} from "./env-policy.js";
export { MAX_JOB_NAME_LENGTH, agentJobName, agentClaimName, processLeaseName } from "./job-name.js";
export { isDnsLabel, isDnsSubdomain, isEnvVarName, isLabelKey, isLabelValue } from "./k8s-names.js";
export * from "./labels.js";
export { MAX_PROMPT_BYTES, MAX_SECRET_DATA_BYTES } from "./payload-limits.js";
export { PAPERCLIP_VOLUME, planAgentJob, type PlanError, type PlanErrorCode, type PlanInput } from "./plan-agent-job.js";
export { buildPrompt, promptMetrics, type BuiltPrompt, type PromptRequest, type PromptSections, type PromptTemplates } from "./prompt.js";
export { renderTemplate } from "./template.js";
export { AGENT_POD_SECURITY, agentCanWrite, describeOwnership, type DirectoryOwnership } from "./workspace-ownership.js";
