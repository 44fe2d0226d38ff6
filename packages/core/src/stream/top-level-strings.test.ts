import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topLevelStrings } from "./top-level-strings.js";

const KEYS = ["type", "session_id", "model"] as const;

/** What JSON.parse gives for the same question. */
function parsed(text: string): Partial<Record<(typeof KEYS)[number], string | null>> {
  const value = JSON.parse(text) as Record<string, unknown>;
  const out: Partial<Record<(typeof KEYS)[number], string | null>> = {};
  for (const key of KEYS) if (Object.prototype.hasOwnProperty.call(value, key)) out[key] = typeof value[key] === "string" ? value[key] : null;
  return out;
}

// Strings that stress the scanner: quotes, backslashes, brackets and braces inside strings, unicode escapes.
const tricky = fc.oneof(fc.string(), fc.constantFrom('"', "\\", '\\"', "\\\\", "]", "}", "{[", '"}', 'x\\"y', "\u2028", "😀", "\u0000"));
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    tricky,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(tricky, fc.constantFrom(...KEYS)), tie("value"), { maxKeys: 4 }),
  ),
})).value;
const member = fc.tuple(fc.oneof(fc.constantFrom(...KEYS), tricky), jsonValue);

describe("topLevelStrings", () => {
  it("reads the given top-level string members as JSON.parse does, last one winning, whatever else the object holds (property)", () => {
    fc.assert(
      fc.property(fc.array(member, { maxLength: 8 }), fc.boolean(), fc.boolean(), (members, spaced, escapedKeys) => {
        // Written by hand so keys can repeat (JSON.stringify of an object cannot) and be written with escapes.
        const key = (k: string): string => (escapedKeys ? JSON.stringify(k).replace(/[a-z]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : JSON.stringify(k));
        const sep = spaced ? " " : "";
        const text = `{${sep}${members.map(([k, v]) => `${key(k)}${sep}:${sep}${JSON.stringify(v, null, spaced ? 1 : undefined)}`).join(`,${sep}`)}${sep}}`;
        expect(topLevelStrings(text, KEYS)).toEqual(parsed(text));
      }),
      { numRuns: 1000 },
    );
  });

  it("reads a real init line's session id and model and leaves nested look-alikes alone", () => {
    const line = JSON.stringify({ type: "system", subtype: "init", session_id: "s-1", tools: ["Bash", '"model":"x"'], plugins: [{ model: "nested", session_id: "nested" }], model: "claude-opus" });
    expect(topLevelStrings(line, ["type", "subtype", "session_id", "model"])).toEqual({ type: "system", subtype: "init", session_id: "s-1", model: "claude-opus" });
  });

  it.each([
    ["an unclosed string", '{"type":"system","model":"x}'],
    ["an unclosed array", '{"type":"system","tools":["a"}'],
    ["a missing colon", '{"type" "system"}'],
    ["a trailing comma", '{"type":"system",}'],
    ["text after the object", '{"type":"system"} x'],
    ["an empty value", '{"type":,"model":"m"}'],
    ["not an object", '["type","system"]'],
  ])("answers null for %s, so the caller parses it", (_name, text) => {
    expect(topLevelStrings(text, KEYS)).toBeNull();
  });
});
