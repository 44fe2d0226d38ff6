// Maps written as an object, as JSON object text, or as `key=value` lines (`#` comments and blank lines
// skipped) — every form the predecessor's labels and nodeSelector accepted.

import { err, ok } from "../result.js";
import { describeValue, fail, issue, isPlainObject, parseJsonText, type FieldIssue, type FieldResult } from "./field-parsers.js";

export interface KeyValueRules {
  /** Why a key is refused, or null. */
  readonly key: (key: string) => string | null;
  /** Why a value is refused, or null. */
  readonly value: (value: string) => string | null;
}

export function keyValueMap(rules: KeyValueRules): (raw: unknown) => FieldResult<Record<string, string>> {
  return (raw) => {
    const entries = toEntries(raw);
    if (!entries.ok) return entries;
    const issues: FieldIssue[] = [];
    const map: Record<string, string> = {};
    for (const [key, value] of entries.value) {
      const keyProblem = rules.key(key);
      const valueProblem = keyProblem === null ? rules.value(value) : null;
      if (keyProblem) issues.push(issue(keyProblem, key));
      else if (valueProblem) issues.push(issue(valueProblem, key));
      else map[key] = value;
    }
    return issues.length > 0 ? err(issues) : ok(map);
  };
}

function toEntries(raw: unknown): FieldResult<[string, string][]> {
  if (typeof raw === "string") {
    const trimmed = raw.trim();
    if (trimmed.startsWith("{")) {
      const parsed = parseJsonText(trimmed, "a JSON object");
      return parsed.ok ? objectEntries(parsed.value) : parsed;
    }
    return lineEntries(trimmed);
  }
  return objectEntries(raw);
}

function objectEntries(raw: unknown): FieldResult<[string, string][]> {
  if (!isPlainObject(raw)) return fail(`expected an object, JSON object text or key=value lines, got ${describeValue(raw)}`);
  const issues: FieldIssue[] = [];
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === "string") entries.push([key.trim(), value.trim()]);
    else if (typeof value === "number" || typeof value === "boolean") entries.push([key.trim(), String(value)]);
    else issues.push(issue(`expected a text value, got ${describeValue(value)}`, key));
  }
  return issues.length > 0 ? err(issues) : ok(entries);
}

function lineEntries(textValue: string): FieldResult<[string, string][]> {
  const issues: FieldIssue[] = [];
  const entries: [string, string][] = [];
  textValue.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const eq = trimmed.indexOf("=");
    if (eq <= 0) issues.push(issue(`expected key=value, got ${describeValue(trimmed)}`, `line ${i + 1}`));
    else entries.push([trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim()]);
  });
  return issues.length > 0 ? err(issues) : ok(entries);
}
