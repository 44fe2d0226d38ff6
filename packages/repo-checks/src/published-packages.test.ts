// The dependency rules name the published packages and the test-support packages by hand
// (.dependency-cruiser.cjs). A package added to the workspace, or one whose `private` flag changes, must
// change those lists too, or its imports go unchecked: this test ties them to the package manifests.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./repo-root.js";

interface Rule {
  readonly name: string;
  readonly from: { readonly path?: string };
  readonly to: { readonly path?: string };
}
const rules = (createRequire(import.meta.url)(join(REPO_ROOT, ".dependency-cruiser.cjs")) as { forbidden: Rule[] }).forbidden;
const testSupportRule = rules.find((r) => r.name === "no-test-support-in-published-code")!;

/** Every workspace package (packages/*, apps/*) with whether its manifest marks it private. */
function workspacePackages(): { dir: string; private: boolean }[] {
  return ["packages", "apps"].flatMap((group) =>
    readdirSync(join(REPO_ROOT, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => {
        const dir = `${group}/${entry.name}`;
        try {
          const manifest = JSON.parse(readFileSync(join(REPO_ROOT, dir, "package.json"), "utf8")) as { private?: boolean };
          return [{ dir, private: manifest.private === true }];
        } catch {
          return []; // a directory without a manifest (a leftover build folder) is no package
        }
      }),
  );
}

describe("the dependency rules know which packages are published", () => {
  const packages = workspacePackages();
  const published = new RegExp(testSupportRule.from.path!);
  const testSupport = new RegExp(testSupportRule.to.path!);

  it("reads the workspace (published and private packages both present)", () => {
    expect(packages.filter((p) => !p.private).length).toBeGreaterThanOrEqual(4);
    expect(packages.filter((p) => p.private).length).toBeGreaterThanOrEqual(4);
  });

  it("every package without `private: true` is held to no-test-support-in-published-code, and no private one is", () => {
    const wrong = packages.filter((p) => published.test(`${p.dir}/src/index.ts`) === p.private).map((p) => `${p.dir} (private: ${p.private})`);
    expect(wrong).toEqual([]);
  });

  it("every private package but apps/bench (a leaf nobody imports) counts as test support, so published code cannot import it", () => {
    const notTestSupport = packages.filter((p) => p.private && p.dir !== "apps/bench" && !testSupport.test(`${p.dir}/src/index.ts`)).map((p) => p.dir);
    expect(notTestSupport).toEqual([]);
  });
});

/** Paths in a package tarball that are test support: tests, testing/ helpers, fixtures. */
const TEST_SUPPORT_FILE = /(^|\/)(testing|test|tests|__tests__|fixtures)\/|\.test\.[cm]?[jt]sx?$|\.test\.d\.ts$/;

describe("published packages ship no test support", { timeout: 60_000 }, () => {
  const published = workspacePackages().filter((p) => !p.private);

  it("the pattern catches each kind of test file", () => {
    for (const path of ["dist/testing/fake.js", "src/cluster/testing/harness.ts", "dist/run.test.js", "dist/run.test.d.ts", "test/cli-process.test.ts", "fixtures/adapter/index.js"]) {
      expect(TEST_SUPPORT_FILE.test(path), path).toBe(true);
    }
    expect(TEST_SUPPORT_FILE.test("dist/environment/test-environment.js")).toBe(false);
  });

  it.each(published.map((p) => p.dir))("%s: builds no testing/ or test file into dist, and packs none", (dir) => {
    // What tsc emits into dist: the build config must leave tests and testing/ folders out.
    const build = JSON.parse(readFileSync(join(REPO_ROOT, dir, "tsconfig.build.json"), "utf8")) as { exclude?: string[] };
    expect(build.exclude).toEqual(expect.arrayContaining(["src/**/*.test.ts", "src/**/testing/**"]));
    // What npm would pack from the tree as it is (dist when built, any shipped sources always).
    const packed = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: join(REPO_ROOT, dir), encoding: "utf8" });
    expect(packed.status, packed.stderr).toBe(0);
    const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain("package.json");
    expect(files.filter((path) => TEST_SUPPORT_FILE.test(path))).toEqual([]);
  });
});
