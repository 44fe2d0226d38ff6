// `{{ dotted.path }}` templates, as Paperclip's prompt templates use them: a missing value renders as "",
// an object as JSON. Only own properties are followed, so a template cannot reach `__proto__` or
// `constructor` of the data.

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*)\s*\}\}/g;

export function renderTemplate(template: string, data: Readonly<Record<string, unknown>>): string {
  return template.replace(PLACEHOLDER, (_, path: string) => stringify(lookup(data, path.split("."))));
}

function lookup(data: unknown, path: readonly string[]): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "object") {
    try {
      return JSON.stringify(value) ?? "";
    } catch {
      // Cyclic or otherwise unserialisable data renders like a missing value rather than failing the run.
      return "";
    }
  }
  return "";
}
