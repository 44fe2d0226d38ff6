// `env` of adapterConfig: plain text values (as Paperclip resolves them), Paperclip's stored form
// `{ type: "plain", value }`, and Secret references `{ secretKeyRef: { name, key } }` — the only way a
// credential may be configured, since literals end up in the Job spec.

import type { EnvSource } from "../job/spec-values.js";
import { configEnvProblem } from "../job/env-policy.js";
import { isDnsSubdomain } from "../job/k8s-names.js";
import { err, ok } from "../result.js";
import { describeValue, fail, issue, isPlainObject, parseJsonText, type FieldIssue, type FieldResult } from "./field-parsers.js";

export type SecretKeyEnvSource = Extract<EnvSource, { kind: "secretKey" }>;

export interface EnvConfig {
  readonly env: Record<string, string>;
  readonly envSecretRefs: Record<string, SecretKeyEnvSource>;
}

const EXPECTED_ENTRY = 'expected text, { "type": "plain", "value": "…" } or { "secretKeyRef": { "name": "…", "key": "…" } }';

export function envConfig(raw: unknown): FieldResult<EnvConfig> {
  let value = raw;
  if (typeof raw === "string") {
    const parsed = parseJsonText(raw.trim(), "a JSON object of environment variables");
    if (!parsed.ok) return parsed;
    value = parsed.value;
  }
  if (!isPlainObject(value)) return fail(`expected an object of environment variables, got ${describeValue(value)}`);
  const issues: FieldIssue[] = [];
  const env: Record<string, string> = {};
  const envSecretRefs: Record<string, SecretKeyEnvSource> = {};
  for (const [name, entry] of Object.entries(value)) {
    const source = envEntry(entry);
    if (!source.ok) {
      issues.push(issue(source.error, name));
      continue;
    }
    const problem = configEnvProblem(name, source.value.kind === "secretKey" ? "secretRef" : "literal");
    if (problem) issues.push(issue(problem, name));
    else if (source.value.kind === "secretKey") envSecretRefs[name] = source.value;
    else env[name] = source.value.value;
  }
  return issues.length > 0 ? err(issues) : ok({ env, envSecretRefs });
}

type EntryResult = { ok: true; value: { kind: "literal"; value: string } | SecretKeyEnvSource } | { ok: false; error: string };

function envEntry(entry: unknown): EntryResult {
  if (typeof entry === "string") return { ok: true, value: { kind: "literal", value: entry } };
  if (typeof entry === "number" || typeof entry === "boolean") return { ok: true, value: { kind: "literal", value: String(entry) } };
  if (!isPlainObject(entry)) return { ok: false, error: `${EXPECTED_ENTRY}, got ${describeValue(entry)}` };
  if (entry["type"] === "plain") {
    const plain = entry["value"];
    return typeof plain === "string" ? { ok: true, value: { kind: "literal", value: plain } } : { ok: false, error: `the value of a plain entry must be text, got ${describeValue(plain)}` };
  }
  const ref = entry["secretKeyRef"];
  if (isPlainObject(ref)) {
    const name = typeof ref["name"] === "string" ? ref["name"].trim() : "";
    const key = typeof ref["key"] === "string" ? ref["key"].trim() : "";
    if (!isDnsSubdomain(name)) return { ok: false, error: `secretKeyRef.name ${describeValue(ref["name"])} is not a valid Secret name` };
    if (!/^[-._A-Za-z0-9]+$/.test(key) || key.length > 253) {
      return { ok: false, error: `secretKeyRef.key ${describeValue(ref["key"])} is not a valid Secret key` };
    }
    const optional = ref["optional"] === true;
    return { ok: true, value: { kind: "secretKey", secretName: name, key, ...(optional ? { optional } : {}) } };
  }
  if (typeof entry["type"] === "string") {
    return { ok: false, error: `a Paperclip ${JSON.stringify(entry["type"])} binding reached the adapter unresolved; ${EXPECTED_ENTRY}` };
  }
  return { ok: false, error: `${EXPECTED_ENTRY}, got ${describeValue(entry)}` };
}
