#!/usr/bin/env node
// The workspace's structural rules, in one command (`pnpm lint` runs it):
//  - dependency-cruiser with .dependency-cruiser.cjs: the layers, no cycles, no relative imports across
//    packages, no test support in published code, DI only in composition roots (docs/architecture.md);
//  - no test mocks modules with vi.mock (the fake cluster is the only stand-in);
//  - core has no runtime dependencies at all.
// Exits non-zero naming every violation.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const violations = [];

const cruise = spawnSync(process.execPath, [join(root, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs"), "--config", ".dependency-cruiser.cjs", "packages", "apps"], {
  cwd: root,
  encoding: "utf8",
});
if (cruise.status !== 0) {
  process.stderr.write(cruise.stdout + cruise.stderr);
  violations.push("dependency rules (above)");
}

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name === "coverage" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) yield p;
  }
}

for (const top of ["packages", "apps"]) {
  for (const file of sources(join(root, top))) {
    const rel = relative(root, file);
    if (rel.startsWith("packages/fake-cluster/")) continue;
    if (/\bvi\.mock\(/.test(readFileSync(file, "utf8"))) violations.push(`${rel}: vi.mock (use the fake cluster, not module mocks)`);
  }
}

const corePkg = JSON.parse(readFileSync(join(root, "packages/core/package.json"), "utf8"));
if (Object.keys(corePkg.dependencies ?? {}).length > 0) {
  violations.push(`packages/core/package.json: core must have no runtime dependencies (has ${Object.keys(corePkg.dependencies).join(", ")})`);
}

if (violations.length) {
  console.error(`layering check: ${violations.length} violation(s)`);
  for (const v of violations) console.error(`  ${v}`);
  process.exit(1);
}
console.log("layering check: ok (dependency rules, no vi.mock, core without dependencies)");
