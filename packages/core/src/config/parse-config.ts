import type { ClipjobConfig } from "./clipjob-config.js";
import type { ConfigDraft, ConfigField } from "./config-field.js";
import { CONFIG_FIELDS } from "./config-schema.js";
import { describeValue, isAbsent, isPlainObject, type FieldIssue } from "./field-parsers.js";
import { err, ok, type Result } from "../result.js";
import { requestsAboveLimits } from "./resources-config.js";

export interface ConfigFieldProblem {
  /** The adapterConfig key, with a sub-path where one helps (`tolerations[1].effect`, `env.API_TOKEN`). */
  readonly field: string;
  readonly problem: string;
}

export interface ConfigInvalid {
  readonly code: "config_invalid";
  /** Every problem at once, so one edit can fix them all. */
  readonly message: string;
  readonly fields: readonly ConfigFieldProblem[];
}

/**
 * Validates and normalises adapterConfig. Keys clipjob does not know are ignored (Paperclip adds its own,
 * e.g. `paperclipSkillSync`); missing, null and blank values take the field's default.
 */
export function parseConfig(raw: unknown): Result<ClipjobConfig, ConfigInvalid> {
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) {
    return invalid([{ field: "adapterConfig", problem: `expected an object, got ${describeValue(raw)}` }]);
  }
  const input: Record<string, unknown> = raw ?? {};
  const draft = defaultDraft();
  const problems: ConfigFieldProblem[] = [];
  for (const field of CONFIG_FIELDS) {
    const found = lookup(input, field);
    if (found === undefined || isAbsent(found.value)) continue;
    const parsed = field.parse(found.value);
    if (parsed.ok) field.apply(draft, parsed.value);
    else problems.push(...parsed.error.map((i) => toProblem(found.key, i)));
  }
  if (problems.length === 0) problems.push(...requestsAboveLimits(draft.resources).map((i) => toProblem("resources", i)));
  return problems.length > 0 ? invalid(problems) : ok(draft);
}

/** The configuration of an empty adapterConfig: every default. */
export function defaultConfig(): ClipjobConfig {
  return defaultDraft();
}

function defaultDraft(): ConfigDraft {
  const draft = {} as ConfigDraft;
  for (const field of CONFIG_FIELDS) field.apply(draft, field.default);
  return draft;
}

function lookup(input: Record<string, unknown>, field: ConfigField): { key: string; value: unknown } | undefined {
  for (const key of [field.key, ...field.aliases]) {
    if (Object.hasOwn(input, key) && !isAbsent(input[key])) return { key, value: input[key] };
  }
  return undefined;
}

function toProblem(key: string, i: FieldIssue): ConfigFieldProblem {
  if (i.at === undefined) return { field: key, problem: i.problem };
  return { field: i.at.startsWith("[") ? `${key}${i.at}` : `${key}.${i.at}`, problem: i.problem };
}

function invalid(fields: ConfigFieldProblem[]): Result<never, ConfigInvalid> {
  const message = `Invalid adapterConfig: ${fields.map((f) => `${f.field}: ${f.problem}`).join("; ")}`;
  return err({ code: "config_invalid", message, fields });
}
