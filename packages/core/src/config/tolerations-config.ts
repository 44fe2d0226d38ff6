// Pod tolerations as an array or as JSON text (what the predecessor's UI textarea sent, and its code then
// ignored). Each entry is checked the way the API server would, so mistakes surface as config errors.

import type { Toleration } from "../job/spec-values.js";
import { isLabelKey, isLabelValue } from "../job/k8s-names.js";
import { err, ok } from "../result.js";
import { describeValue, fail, issue, isPlainObject, parseJsonText, type FieldIssue, type FieldResult } from "./field-parsers.js";

const OPERATORS = ["Exists", "Equal"] as const;
const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;
const PROPERTIES = new Set(["key", "operator", "value", "effect", "tolerationSeconds"]);

export function tolerations(raw: unknown): FieldResult<Toleration[]> {
  let list = raw;
  if (typeof raw === "string") {
    const parsed = parseJsonText(raw.trim(), "a JSON array of tolerations");
    if (!parsed.ok) return parsed;
    list = parsed.value;
  }
  if (!Array.isArray(list)) return fail(`expected an array of tolerations (or its JSON text), got ${describeValue(list)}`);
  const issues: FieldIssue[] = [];
  const result: Toleration[] = [];
  list.forEach((entry, i) => {
    const parsed = toleration(entry, `[${i}]`);
    if (parsed.ok) result.push(parsed.value);
    else issues.push(...parsed.error);
  });
  return issues.length > 0 ? err(issues) : ok(result);
}

function toleration(entry: unknown, at: string): FieldResult<Toleration> {
  if (!isPlainObject(entry)) return fail(`expected an object, got ${describeValue(entry)}`, at);
  const issues: FieldIssue[] = [];
  for (const prop of Object.keys(entry)) {
    if (!PROPERTIES.has(prop)) issues.push(issue(`unknown property (expected ${[...PROPERTIES].join(", ")})`, `${at}.${prop}`));
  }
  const str = (prop: string): string | undefined => {
    const v = entry[prop];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") {
      issues.push(issue(`expected text, got ${describeValue(v)}`, `${at}.${prop}`));
      return undefined;
    }
    return v.trim() === "" ? undefined : v.trim();
  };
  const key = str("key");
  const operatorText = str("operator");
  const value = str("value");
  const effectText = str("effect");

  if (key !== undefined && !isLabelKey(key)) issues.push(issue("not a valid label key", `${at}.key`));
  const operator = operatorText === undefined ? undefined : OPERATORS.find((o) => o === operatorText);
  if (operatorText !== undefined && operator === undefined) issues.push(issue(`expected "Exists" or "Equal", got ${describeValue(operatorText)}`, `${at}.operator`));
  const effect = effectText === undefined ? undefined : EFFECTS.find((e) => e === effectText);
  if (effectText !== undefined && effect === undefined) {
    issues.push(issue(`expected one of ${EFFECTS.join(", ")}, got ${describeValue(effectText)}`, `${at}.effect`));
  }
  if (value !== undefined && !isLabelValue(value)) issues.push(issue("not a valid label value", `${at}.value`));
  if (operator === "Exists" && value !== undefined) issues.push(issue('must be empty when operator is "Exists"', `${at}.value`));
  if (key === undefined && operator !== "Exists") issues.push(issue('a toleration without a key must use operator "Exists"', at));

  let tolerationSeconds: number | undefined;
  const seconds = entry["tolerationSeconds"];
  if (seconds !== undefined && seconds !== null) {
    if (typeof seconds !== "number" || !Number.isSafeInteger(seconds)) {
      issues.push(issue(`expected a whole number, got ${describeValue(seconds)}`, `${at}.tolerationSeconds`));
    } else if (effect !== "NoExecute") {
      issues.push(issue('only allowed with effect "NoExecute"', `${at}.tolerationSeconds`));
    } else {
      tolerationSeconds = seconds;
    }
  }
  if (issues.length > 0) return err(issues);
  return ok({
    ...(key === undefined ? {} : { key }),
    ...(operator === undefined ? {} : { operator }),
    ...(value === undefined ? {} : { value }),
    ...(effect === undefined ? {} : { effect }),
    ...(tolerationSeconds === undefined ? {} : { tolerationSeconds }),
  });
}
