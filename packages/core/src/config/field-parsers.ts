// Small parsers for adapterConfig values. Each accepts the forms the predecessor accepted plus the obvious
// text forms a form field produces ("300", "true"), and says what it expected when it refuses a value.

import { err, ok, type Result } from "../result.js";

export interface FieldIssue {
  /** Where inside the field (`[2].operator`, `ANTHROPIC_API_KEY`); absent for the field itself. */
  readonly at?: string;
  readonly problem: string;
}

export type FieldResult<T> = Result<T, readonly FieldIssue[]>;

export function issue(problem: string, at?: string): FieldIssue {
  return at === undefined ? { problem } : { at, problem };
}

export function fail(problem: string, at?: string): FieldResult<never> {
  return err([issue(problem, at)]);
}

/** A short, bounded description of a received value for "expected X, got Y" messages. */
export function describeValue(raw: unknown): string {
  if (raw === null) return "null";
  if (Array.isArray(raw)) return "an array";
  switch (typeof raw) {
    case "string": {
      const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
      return JSON.stringify(shown);
    }
    case "number":
    case "boolean":
      return String(raw);
    case "object":
      return "an object";
    default:
      return `a ${typeof raw}`;
  }
}

export function isPlainObject(raw: unknown): raw is Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return false;
  const proto = Object.getPrototypeOf(raw) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Absent in the sense of every field: missing, null, or blank text (a cleared form field). */
export function isAbsent(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");
}

export function text(validate?: (s: string) => string | null): (raw: unknown) => FieldResult<string> {
  return (raw) => {
    if (typeof raw !== "string") return fail(`expected text, got ${describeValue(raw)}`);
    const value = raw.trim();
    if (value.includes("\0")) return fail("must not contain NUL characters");
    const problem = validate?.(value) ?? null;
    return problem === null ? ok(value) : fail(problem);
  };
}

/** Templates keep their whitespace: only the emptiness test trims. */
export function templateText(raw: unknown): FieldResult<string> {
  if (typeof raw !== "string") return fail(`expected text, got ${describeValue(raw)}`);
  return ok(raw);
}

export function boolean(raw: unknown): FieldResult<boolean> {
  if (typeof raw === "boolean") return ok(raw);
  if (typeof raw === "string") {
    const s = raw.trim().toLowerCase();
    if (s === "true") return ok(true);
    if (s === "false") return ok(false);
  }
  return fail(`expected true or false, got ${describeValue(raw)}`);
}

export function wholeNumber(min: number): (raw: unknown) => FieldResult<number> {
  const expected = `expected a whole number ≥ ${min}`;
  return (raw) => {
    let n: number;
    if (typeof raw === "number") n = raw;
    else if (typeof raw === "string" && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(raw)) n = Number(raw);
    else return fail(`${expected}, got ${describeValue(raw)}`);
    if (!Number.isSafeInteger(n) || n < min) return fail(`${expected}, got ${describeValue(raw)}`);
    return ok(n);
  };
}

export function oneOf<T extends string>(values: readonly T[]): (raw: unknown) => FieldResult<T> {
  return (raw) => {
    const s = typeof raw === "string" ? raw.trim() : raw;
    const match = values.find((v) => v === s);
    return match === undefined ? fail(`expected one of ${values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(raw)}`) : ok(match);
  };
}

/** A list as an array of strings, or as text with one item per line or comma. */
export function stringList(validate: (s: string) => string | null): (raw: unknown) => FieldResult<string[]> {
  return (raw) => {
    let items: { value: string; at: string }[];
    if (Array.isArray(raw)) {
      const issues: FieldIssue[] = [];
      items = [];
      raw.forEach((item, i) => {
        if (typeof item === "string") items.push({ value: item.trim(), at: `[${i}]` });
        else issues.push(issue(`expected text, got ${describeValue(item)}`, `[${i}]`));
      });
      if (issues.length > 0) return err(issues);
    } else if (typeof raw === "string") {
      items = raw.split(/[\n,]/).map((value) => ({ value: value.trim(), at: JSON.stringify(value.trim()) }));
    } else {
      return fail(`expected a list (array of text, or comma/newline-separated text), got ${describeValue(raw)}`);
    }
    const issues: FieldIssue[] = [];
    const values: string[] = [];
    for (const { value, at } of items) {
      if (value === "") continue;
      const problem = validate(value);
      if (problem) issues.push(issue(problem, at));
      else if (!values.includes(value)) values.push(value);
    }
    return issues.length > 0 ? err(issues) : ok(values);
  };
}

/** Argument lists: an array of strings, or text with one argument per line (spaces stay inside one). */
export function argumentList(raw: unknown): FieldResult<string[]> {
  let items: unknown[];
  if (Array.isArray(raw)) items = raw;
  else if (typeof raw === "string") items = raw.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  else return fail(`expected an array of text, got ${describeValue(raw)}`);
  const issues: FieldIssue[] = [];
  const args: string[] = [];
  items.forEach((item, i) => {
    if (typeof item !== "string") issues.push(issue(`expected text, got ${describeValue(item)}`, `[${i}]`));
    else if (item.includes("\0")) issues.push(issue("must not contain NUL characters", `[${i}]`));
    else args.push(item);
  });
  return issues.length > 0 ? err(issues) : ok(args);
}

/** Parses JSON text that must hold a value of the given shape; anything else is a field issue. */
export function parseJsonText(raw: string, expected: string): FieldResult<unknown> {
  try {
    return ok(JSON.parse(raw) as unknown);
  } catch (e) {
    return fail(`expected ${expected}, but the text is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}
