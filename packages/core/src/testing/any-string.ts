// A fast-check arbitrary for "any JavaScript string", for core's property tests.
import fc from "fast-check";

/**
 * Any string of up to `maxLength` code points: every code point 0..0x10FFFF, lone surrogate halves included
 * (String.fromCodePoint writes 0xD800–0xDFFF as a single unit), biased towards ASCII half of the time so that
 * the kept and the dropped characters mix. It covers what `fc.string({ unit: "binary" })` covers, without that
 * unit's ~1 s of CPU on first use in every test file, which a loaded machine stretches past the test timeout.
 */
export function anyString(maxLength: number): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0x10ffff })), { maxLength })
    .map((codePoints) => String.fromCodePoint(...codePoints));
}
