import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLineDecoder } from "./line-decoder.js";
import { anyString } from "../testing/any-string.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function decodeAll(chunks: readonly (Uint8Array | string)[], maxLineBytes?: number): string[] {
  const decoder = createLineDecoder(maxLineBytes === undefined ? {} : { maxLineBytes });
  const out = chunks.flatMap((c) => decoder.push(c));
  return [...out, ...decoder.end()];
}

/** Splits `data` at the given cut points (any byte offset, inside characters and lines too). */
function splitAt(data: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(data.subarray(start, p));
    start = p;
  }
  chunks.push(data.subarray(start));
  return chunks;
}

/** Lines with the byte length the decoder reports for each, through `feed`/`finish`. */
function feedAll(chunks: readonly (Uint8Array | string)[], maxLineBytes?: number): [string, number][] {
  const decoder = createLineDecoder(maxLineBytes === undefined ? {} : { maxLineBytes });
  const out: [string, number][] = [];
  const sink = (line: string, n: number) => void out.push([line, n]);
  for (const c of chunks) decoder.feed(c, sink);
  decoder.finish(sink);
  return out;
}

describe("createLineDecoder", () => {
  it.each([
    ["LF", "a\nb\n", ["a", "b"]],
    ["CRLF", "a\r\nb\r\n", ["a", "b"]],
    ["missing final newline", "a\nb", ["a", "b"]],
    ["blank lines kept", "a\n\n\nb\n", ["a", "", "", "b"]],
    ["only a lone CR is stripped at the end", "a\r\r\n", ["a\r"]],
    ["empty input", "", []],
    ["multi-byte characters", "héllo “quoted” 😀\n", ["héllo “quoted” 😀"]],
  ])("splits %s", (_name, text, expected) => {
    expect(decodeAll([bytes(text)])).toEqual(expected);
    expect(decodeAll([text])).toEqual(expected);
  });

  it("joins a character split across chunks", () => {
    const data = bytes("😀\n");
    expect(decodeAll([data.subarray(0, 1), data.subarray(1, 3), data.subarray(3)])).toEqual(["😀"]);
  });

  it("keeps a U+FEFF where it appears rather than depending on stream restarts", () => {
    expect(decodeAll([bytes("\uFEFFa\n\uFEFFb\n")])).toEqual(["\uFEFFa", "\uFEFFb"]);
  });

  it("replaces an incomplete character at the end of the stream with U+FFFD", () => {
    expect(decodeAll([bytes("ab😀").subarray(0, 4)])).toEqual(["ab\uFFFD"]);
  });

  it("does not emit anything until a line completes", () => {
    const decoder = createLineDecoder();
    expect(decoder.push("partial")).toEqual([]);
    expect(decoder.push(bytes(" line"))).toEqual([]);
    expect(decoder.push("\n")).toEqual(["partial line"]);
    expect(decoder.end()).toEqual([]);
  });

  it("cuts a line longer than maxLineBytes on a character boundary and flags it", () => {
    const decoder = createLineDecoder({ maxLineBytes: 5 });
    // "abcd😀" is 8 bytes; byte 5 falls inside the emoji, so the cut backs off to 4 bytes.
    expect(decoder.push(bytes("abcd😀xyz\nok\n"))).toEqual(["abcd", "ok"]);
    expect(decoder.truncatedLines).toBe(1);
  });

  it("bounds memory for a line that never ends: bytes past the cap are dropped as they arrive", () => {
    const decoder = createLineDecoder({ maxLineBytes: 10 });
    for (let i = 0; i < 1000; i++) expect(decoder.push(bytes("xxxxxxxxxx"))).toEqual([]);
    expect(decoder.end()).toEqual(["xxxxxxxxxx"]);
    expect(decoder.truncatedLines).toBe(1);
  });

  it("cuts long lines inside a single big chunk too, string input included", () => {
    const long = "y".repeat(50);
    expect(decodeAll([bytes(`${long}\n${long}\nz\n${long}\n`)], 8)).toEqual(["yyyyyyyy", "yyyyyyyy", "z", "yyyyyyyy"]);
    expect(decodeAll([`${long}\nz`], 8)).toEqual(["yyyyyyyy", "z"]);
  });

  it("accepts string and byte chunks mixed", () => {
    expect(decodeAll(["ab", bytes("c\nd"), "e\n"])).toEqual(["abc", "de"]);
  });

  it("gives the same lines for any chunking, at any byte (property)", () => {
    const text = fc.array(
      fc.oneof(fc.string({ unit: "grapheme", maxLength: 30 }), fc.constantFrom("\n", "\r\n", "\r", "😀", "é", "“")),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 4, max: 64 }), (parts, cuts, max) => {
        const data = bytes(parts.join(""));
        const whole = decodeAll([data], max);
        expect(decodeAll(splitAt(data, cuts), max)).toEqual(whole);
        const byteByByte = Array.from(data, (_b, i) => data.subarray(i, i + 1));
        expect(decodeAll(byteByByte, max)).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  it("matches a plain split of the decoded text when no line is over the cap (property)", () => {
    fc.assert(
      fc.property(anyString(300), fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const data = bytes(text);
        const decoded = new TextDecoder().decode(data);
        const expected = decoded.split("\n").map((l) => l.replace(/\r$/, ""));
        if (decoded === "" || decoded.endsWith("\n")) expected.pop();
        expect(decodeAll(splitAt(data, cuts))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("reports each line's byte length, without the newline or a stripped CR", () => {
    expect(feedAll([bytes("a\r\nhé\n😀x\n\nlast")])).toEqual([["a", 1], ["hé", 3], ["😀x", 5], ["", 0], ["last", 4]]);
    expect(feedAll(["é\r\nab"])).toEqual([["é", 2], ["ab", 2]]);
  });

  it("counts a cut line's bytes up to the cut", () => {
    expect(feedAll([bytes("abcd😀xyz\nok\n")], 5)).toEqual([["abcd", 4], ["ok", 2]]);
  });

  it("counts invalid UTF-8 as the bytes received, each decoded to U+FFFD", () => {
    expect(feedAll([new Uint8Array([0x61, 0xff, 0x0a, 0xe2, 0x82, 0x0a])])).toEqual([["a\uFFFD", 2], ["\uFFFD", 2]]);
  });

  it("gives the same lines and byte lengths for any chunking, valid UTF-8 or not (property)", () => {
    const data = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(fc.oneof(anyString(40), fc.constantFrom("\n", "\r\n", "😀", "日本")), { maxLength: 20 }).map((p) => bytes(p.join(""))),
    );
    fc.assert(
      fc.property(data, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 80 }), (input, cuts, max) => {
        const whole = feedAll([input], max);
        expect(feedAll(splitAt(input, cuts), max)).toEqual(whole);
        expect(whole.map(([line]) => line)).toEqual(decodeAll([input], max));
        const byteByByte = Array.from(input, (_b, i) => input.subarray(i, i + 1));
        expect(feedAll(byteByByte, max)).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  it("decodes each line, valid UTF-8 or not, exactly as one TextDecoder call on its bytes, for any chunking (property)", () => {
    // Bytes picked so that lead bytes, continuation bytes and their invalid mixes (overlong, surrogate,
    // out-of-range, cut) are frequent and fall on chunk boundaries; long runs make lines span chunks.
    const byte = fc.constantFrom(0x0a, 0x0d, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff);
    const data = fc.array(fc.oneof({ weight: 4, arbitrary: byte.map((b) => [b]) }, { weight: 1, arbitrary: fc.tuple(byte, fc.nat(70)).map(([b, n]) => Array.from({ length: n }, () => b)) }), { maxLength: 60 }).map((runs) => new Uint8Array(runs.flat()));
    const reference = (input: Uint8Array): [string, number][] => {
      const lines: [string, number][] = [];
      let start = 0;
      while (start < input.length) {
        const newline = input.indexOf(0x0a, start);
        const end = newline === -1 ? input.length : newline;
        const length = end > start && input[end - 1] === 0x0d ? end - start - 1 : end - start;
        lines.push([new TextDecoder("utf-8", { ignoreBOM: true }).decode(input.subarray(start, start + length)), length]);
        start = end + 1;
      }
      return lines;
    };
    fc.assert(
      fc.property(data, fc.array(fc.nat(), { maxLength: 12 }), (input, cuts) => {
        expect(feedAll(splitAt(input, cuts))).toEqual(reference(input));
      }),
      { numRuns: 1000 },
    );
  });

  it("reports the UTF-8 length of every line of valid input (property)", () => {
    fc.assert(
      fc.property(anyString(300), fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const data = bytes(text);
        for (const [line, n] of feedAll(splitAt(data, cuts))) expect(n).toBe(bytes(line).length);
      }),
      { numRuns: 300 },
    );
  });

  it("decodes a line spanning many chunks whole", () => {
    const line = "x".repeat(300_000) + "é".repeat(100_000);
    const data = bytes(`${line}\nnext\n`);
    const chunks = Array.from({ length: Math.ceil(data.length / 65_536) }, (_v, i) => data.subarray(i * 65_536, (i + 1) * 65_536));
    expect(feedAll(chunks)).toEqual([[line, 500_000], ["next", 4]]);
  });
});
