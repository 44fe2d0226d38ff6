export * from "./clipjob-config.js";
export type { ConfigDraft, ConfigField, ConfigFieldSchema, ConfigGroup, FieldUi } from "./config-field.js";
export { CLUSTER_KINDS, CONFIG_FIELDS, DEFAULT_PROMPT_TEMPLATE, IMAGE_PULL_POLICIES } from "./config-schema.js";
export { configReferenceMarkdown } from "./config-reference.js";
export { configUiSchema } from "./config-ui-schema.js";
export type { EnvConfig, SecretKeyEnvSource } from "./env-config.js";
export type { FieldIssue, FieldResult } from "./field-parsers.js";
export { defaultConfig, parseConfig, type ConfigFieldProblem, type ConfigInvalid } from "./parse-config.js";
export { DEFAULT_RESOURCES, quantityValue } from "./resources-config.js";
