// The result event reaches Paperclip's resultJson and the UI: long strings are cut, and nesting deeper than
// any real result is replaced, so a hostile line can neither bloat the outcome nor overflow the stack.

const MAX_DEPTH = 32;

export function capText(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 1))}…`;
}

/** A copy of `value` with every string longer than `maxChars` cut to it (ending in "…"). */
export function capJsonStrings(value: unknown, maxChars: number, depth = 0): unknown {
  if (typeof value === "string") return capText(value, maxChars);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[nested too deep]";
  if (Array.isArray(value)) return value.map((item) => capJsonStrings(item, maxChars, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = capJsonStrings(item, maxChars, depth + 1);
  return out;
}
