// The repository explains itself: no file cites a document that lives outside it (design notes, research
// files, a developer's checkout). docs/architecture.md is where such explanations go.
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./repo-root.js";
import { trackedTextFiles } from "./tracked-files.js";

/** Citations of documents outside the repository; each with what it catches. */
const OUTSIDE_CITATIONS: [RegExp, string][] = [
  [/\bshared\/(reference|ARCHITECTURE)/, "a path into a shared notes folder"],
  [/\bARCHITECTURE(\.md|\s*§)/, "the external design document"],
  [/(^|[\s`'"(])reference\/[\w.-]+\.md\b/, "a research note (reference/*.md)"],
  [/\/work\//, "an absolute path of a developer's machine"],
  [/§\s?\d/, "a numbered section of a document outside the repository"],
];

const SELF = "packages/repo-checks/src/self-contained-docs.test.ts";

describe("the repository cites no document outside itself", () => {
  const files = trackedTextFiles().filter((f) => f.path !== SELF);

  it("reads the tracked files", () => {
    expect(files.some((f) => f.path === "docs/architecture.md")).toBe(true);
  });

  it("no file cites a document outside the repository", () => {
    const found: string[] = [];
    for (const { path, text } of files) {
      text.split("\n").forEach((line, i) => {
        for (const [pattern, what] of OUTSIDE_CITATIONS) {
          if (pattern.test(line)) found.push(`${path}:${i + 1}: ${what}: ${line.trim().slice(0, 160)}`);
        }
      });
    }
    expect(found).toEqual([]);
  });

  it("every relative Markdown link points at a file inside the repository that exists", () => {
    const broken: string[] = [];
    for (const { path, text } of files.filter((f) => f.path.endsWith(".md"))) {
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split("#")[0]!;
        if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // an anchor or a URL
        const abs = resolve(dirname(join(REPO_ROOT, path)), target);
        const rel = relative(REPO_ROOT, abs);
        if (rel.startsWith("..")) broken.push(`${path}: ${target} leaves the repository`);
        else if (!existsSync(abs)) broken.push(`${path}: ${target} does not exist`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("catches each kind of outside citation (the patterns are not dead)", () => {
    // Assembled from pieces so that this file is not itself a citation of an outside document.
    const cite = (...parts: string[]) => parts.join("");
    const samples = [
      cite("see ../sha", "red/refer", "ence/real-node.md"),
      cite("the run (ARCHI", "TECTURE ", "\u00a72 step 1)"),
      cite("(`refer", "ence/peers-and-style.md` part B)"),
      cite("cd /wo", "rk/main && npm test"),
      cite("drop-in compatibility (predecessor ", "\u00a75.1)"),
    ];
    for (const [i, sample] of samples.entries()) {
      expect(OUTSIDE_CITATIONS.some(([p]) => p.test(sample)), sample).toBe(true);
      expect(OUTSIDE_CITATIONS[i]![0].test(sample), sample).toBe(true);
    }
    expect(OUTSIDE_CITATIONS.some(([p]) => p.test("see docs/architecture.md, \"The run\""))).toBe(false);
  });
});
