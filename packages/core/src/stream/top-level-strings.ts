// Reads a few top-level fields of a one-line JSON object without building the rest of it. The reducer uses
// it for events whose other members it never reads (the CLI's `system/init`: ~3 KB of tool, command and
// plugin lists, of which it needs the session id and the model), where JSON.parse would allocate every
// string of those lists only to drop them.

/**
 * The top-level members `keys` of the JSON object `text`: a member's value when it is a string, `null` when
 * it is anything else, absent when the object has no such member; a key given twice reads as its last
 * value, as with JSON.parse. Keys and strings with escapes are decoded exactly as JSON.parse decodes them.
 *
 * The members are walked, not validated: nested values are skipped by matching brackets outside strings,
 * numbers and literals by reading up to the next `,` or `}`. For valid JSON the answer is JSON.parse's; for
 * text that is not valid JSON it may answer anyway (the caller trusts the line to be one JSON event, as the
 * CLI writes each). Null when `text` is not shaped like an object of members (an unmatched bracket or
 * quote, a missing `:`, something after the closing `}`): the caller then parses it.
 */
export function topLevelStrings<K extends string>(text: string, keys: readonly K[]): Partial<Record<K, string | null>> | null {
  const found: Partial<Record<K, string | null>> = {};
  const n = text.length;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return null;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return skipSpace(text, i + 1) === n ? found : null;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return null;
    const keyEnd = stringEnd(text, i);
    if (keyEnd === -1) return null;
    const key = wantedKey(text, i, keyEnd, keys);
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return null;
    i = skipSpace(text, i + 1);
    const first = text.charCodeAt(i);
    const valueEnd = first === QUOTE ? stringEnd(text, i) : first === OPEN_BRACE || first === OPEN_BRACKET ? nestedEnd(text, i) : primitiveEnd(text, i);
    if (valueEnd === -1 || valueEnd === i) return null;
    if (key !== null) found[key] = first === QUOTE ? stringValue(text, i, valueEnd) : null;
    i = skipSpace(text, valueEnd);
    const next = text.charCodeAt(i);
    if (next === COMMA) {
      i = skipSpace(text, i + 1);
      continue;
    }
    return next === CLOSE_BRACE && skipSpace(text, i + 1) === n ? found : null;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(unit: number): boolean {
  return unit === 0x20 || unit === 0x09 || unit === 0x0a || unit === 0x0d;
}

function skipSpace(text: string, i: number): number {
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Just past the closing quote of the string whose opening quote is at `start`; -1 when it never closes. */
function stringEnd(text: string, start: number): number {
  for (let from = start + 1; ; ) {
    const quote = text.indexOf('"', from);
    if (quote === -1) return -1;
    // Escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Which of `keys` the key token `text[start, end)` is, compared in place (decoded only when it has an escape). */
function wantedKey<K extends string>(text: string, start: number, end: number, keys: readonly K[]): K | null {
  const length = end - start - 2;
  for (const key of keys) if (key.length === length && text.startsWith(key, start + 1)) return key;
  const slash = text.indexOf("\\", start + 1);
  if (slash === -1 || slash >= end) return null;
  const decoded = JSON.parse(text.slice(start, end)) as string;
  return keys.find((key) => key === decoded) ?? null;
}

/** The string token `text[start, end)` decoded: sliced when it has no escape, else as JSON.parse reads it. */
function stringValue(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes("\\") ? (JSON.parse(text.slice(start, end)) as string) : raw;
}

/** An array of strings (the common nested value: lists of names), matched natively at `lastIndex`. */
const STRING_ARRAY = /\[(?:"(?:[^"\\]|\\.)*"(?:,"(?:[^"\\]|\\.)*")*)?\]/y;

/** Just past the bracket closing the object or array that opens at `start`; -1 when it never closes. */
function nestedEnd(text: string, start: number): number {
  STRING_ARRAY.lastIndex = start;
  if (STRING_ARRAY.test(text)) return STRING_ARRAY.lastIndex;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === QUOTE) {
      const end = stringEnd(text, i);
      if (end === -1) return -1;
      i = end - 1;
    } else if (unit === OPEN_BRACE || unit === OPEN_BRACKET) {
      depth++;
    } else if ((unit === CLOSE_BRACE || unit === CLOSE_BRACKET) && --depth === 0) {
      return i + 1;
    }
  }
  return -1;
}

/** The end of a number or literal starting at `start`: the next `,`, `}`, `]` or space. */
function primitiveEnd(text: string, start: number): number {
  let i = start;
  for (; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === COMMA || unit === CLOSE_BRACE || unit === CLOSE_BRACKET || isSpace(unit)) break;
  }
  return i;
}
