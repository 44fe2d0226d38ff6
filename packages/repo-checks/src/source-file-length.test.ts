// Every source file stays under 400 lines; the check fails on a sample over the limit.
import { describe, expect, it } from "vitest";
import { EXEMPT, lineCount, MAX_SOURCE_LINES, overlongSourceFiles, SOURCE_FILE } from "./source-file-length.js";
import { trackedTextFiles } from "./tracked-files.js";

const lines = (n: number) => Array.from({ length: n }, (_, i) => `const l${i} = ${i};\n`).join("");

describe("the 400-line rule", () => {
  const files = trackedTextFiles();

  it("reads the tracked source files (TypeScript and JavaScript of every flavour)", () => {
    const sources = files.filter((f) => SOURCE_FILE.test(f.path));
    expect(sources.length).toBeGreaterThan(100);
    for (const p of ["packages/core/src/run/run-agent-job.ts", "apps/e2e/control-plane/start.mjs", ".dependency-cruiser.cjs"]) {
      expect(sources.map((f) => f.path)).toContain(p);
    }
  });

  it(`no tracked source file is over ${MAX_SOURCE_LINES} lines`, () => {
    expect(overlongSourceFiles(files)).toEqual([]);
  });

  it("fails on a sample one line over the limit, in any source flavour, and passes at the limit", () => {
    expect(overlongSourceFiles([{ path: "packages/x/src/long.ts", text: lines(MAX_SOURCE_LINES + 1) }])).toEqual([
      `packages/x/src/long.ts: ${MAX_SOURCE_LINES + 1} lines`,
    ]);
    for (const ext of ["mjs", "cjs", "js", "mts", "tsx"]) {
      expect(overlongSourceFiles([{ path: `apps/x/long.${ext}`, text: lines(MAX_SOURCE_LINES + 1) }])).toHaveLength(1);
    }
    expect(overlongSourceFiles([{ path: "packages/x/src/ok.ts", text: lines(MAX_SOURCE_LINES) }])).toEqual([]);
    // A last line without a newline still counts.
    expect(overlongSourceFiles([{ path: "a.ts", text: lines(MAX_SOURCE_LINES) + "x" }])).toHaveLength(1);
    // Not source: Markdown, YAML, JSON lines are not held to it.
    expect(overlongSourceFiles([{ path: "docs/long.md", text: lines(MAX_SOURCE_LINES + 1) }])).toEqual([]);
  });

  it("counts lines as wc -l does, plus an unterminated last line", () => {
    expect(lineCount("")).toBe(0);
    expect(lineCount("a")).toBe(1);
    expect(lineCount("a\n")).toBe(1);
    expect(lineCount("a\nb")).toBe(2);
    expect(lineCount("a\n\n")).toBe(2);
  });

  it("each exemption still matches a tracked source file, and exempts it from the rule", () => {
    for (const [pattern, why] of EXEMPT) {
      const matched = files.filter((f) => SOURCE_FILE.test(f.path) && pattern.test(f.path));
      expect(matched.length, `${pattern} (${why})`).toBeGreaterThan(0);
      const sample = `${matched[0]!.path.replace(/[^/]*$/, "")}long.js`;
      expect(overlongSourceFiles([{ path: sample, text: lines(MAX_SOURCE_LINES + 1) }])).toEqual([]);
    }
  });
});
