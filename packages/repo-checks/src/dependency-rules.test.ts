// The dependency check must catch what it claims to: each case builds a tiny workspace in a temp directory
// with exactly one violation and runs dependency-cruiser with the repository's own rules on it.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./repo-root.js";

const DEPCRUISE = join(REPO_ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const made: string[] = [];

/** Writes `files` (path → source) into a fresh workspace and cruises its packages with the repo's rules. */
function cruise(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "clipjob-deps-"));
  made.push(dir);
  copyFileSync(join(REPO_ROOT, "tsconfig.base.json"), join(dir, "tsconfig.base.json"));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const run = spawnSync(process.execPath, [DEPCRUISE, "--config", join(REPO_ROOT, ".dependency-cruiser.cjs"), "--output-type", "err", "packages"], {
    cwd: dir,
    encoding: "utf8",
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

/** The names of the rules that fired, one entry per violation. */
function firedRules(output: string): string[] {
  return [...output.matchAll(/error ([a-z-]+):/g)].map((m) => m[1]!);
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const CLEAN = {
  "packages/core/src/spec.ts": "export interface Spec { readonly name: string }\n",
  "packages/core/src/index.ts": 'export type { Spec } from "./spec.js";\n',
  "packages/k8s-infra/src/render.ts": 'import type { Spec } from "./spec-view.js";\nexport const render = (s: Spec): string => s.name;\n',
  "packages/k8s-infra/src/spec-view.ts": "export interface Spec { readonly name: string }\n",
  "packages/k8s-infra/src/testing/harness.ts": 'import { render } from "../render.js";\nexport const harness = () => render({ name: "x" });\n',
  "packages/k8s-infra/src/render.test.ts": 'import { harness } from "./testing/harness.js";\nharness();\n',
};

// Each case runs dependency-cruiser in a child process: 31–39 s measured per case on 2 loaded cores.
describe("the dependency check (dependency-cruiser with .dependency-cruiser.cjs)", { timeout: 120_000 }, () => {
  it("passes a workspace that keeps the rules (tests may use testing/ helpers)", () => {
    const { status, output } = cruise(CLEAN);
    expect(firedRules(output)).toEqual([]);
    expect(status).toBe(0);
  });

  it("fails on a cycle, type-only imports included", () => {
    const { status, output } = cruise({
      ...CLEAN,
      "packages/core/src/config.ts": 'import type { Spec } from "./spec-of-config.js";\nexport interface Config { readonly spec?: Spec }\n',
      "packages/core/src/spec-of-config.ts": 'import type { Config } from "./config.js";\nexport interface Spec { readonly config?: Config }\n',
    });
    expect(firedRules(output)).toEqual(["no-circular"]);
    expect(status).not.toBe(0);
  });

  it("fails on a relative import into another package's sources", () => {
    const { status, output } = cruise({
      ...CLEAN,
      "packages/k8s-infra/src/render.ts": 'import type { Spec } from "../../core/src/spec.js";\nexport const render = (s: Spec): string => s.name;\n',
    });
    expect(firedRules(output)).toEqual(["no-relative-cross-package"]);
    expect(status).not.toBe(0);
  });

  it("fails on test support imported by published code", () => {
    const { status, output } = cruise({
      ...CLEAN,
      "packages/k8s-infra/src/index.ts": 'export { harness } from "./testing/harness.js";\n',
    });
    expect(firedRules(output)).toEqual(["no-test-support-in-published-code"]);
    expect(status).not.toBe(0);
  });
});
