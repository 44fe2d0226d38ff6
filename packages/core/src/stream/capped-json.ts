// The result event reaches Paperclip's resultJson and the UI: long strings are cut, and nesting deeper than
// any real result is replaced, so a hostile line can neither bloat the outcome nor overflow the stack.

const MAX_DEPTH = 32;

export function capText(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 1))}…`;
}

/**
 * `value` with every string longer than `maxChars` cut to it (ending in "…") and nesting deeper than
 * MAX_DEPTH replaced. Copy on write: what needs no change is returned as it is (the same object), and a
 * container is copied only when something inside it changed, so a result within the caps costs one walk and
 * no allocation. `value` itself is never modified.
 */
export function capJsonStrings(value: unknown, maxChars: number, depth = 0): unknown {
  if (typeof value === "string") return value.length <= maxChars ? value : capText(value, maxChars);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[nested too deep]";
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const capped = capJsonStrings(item, maxChars, depth + 1);
      if (capped !== item && out === null) out = value.slice(0, i);
      if (out !== null) out.push(capped);
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | null = null;
  const source = value as Record<string, unknown>;
  for (const key in source) {
    if (!Object.prototype.hasOwnProperty.call(source, key)) continue;
    const item = source[key];
    const capped = capJsonStrings(item, maxChars, depth + 1);
    if (capped !== item && out === null) {
      out = {};
      for (const earlier in source) {
        if (earlier === key) break;
        if (Object.prototype.hasOwnProperty.call(source, earlier)) setOwn(out, earlier, source[earlier]);
      }
    }
    if (out !== null) setOwn(out, key, capped);
  }
  return out ?? value;
}

/** An own data property even for a key like "__proto__" (JSON.parse makes those own properties too). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
