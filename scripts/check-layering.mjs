#!/usr/bin/env node
// Enforces the dependency rule of ARCHITECTURE §1 on every import in the repository:
//  - core imports no package of ours, no I/O module and nothing outside the standard language;
//  - k8s-infra and fake-cluster may import core only (of ours); cluster-contract imports core only;
//  - only composition roots (paperclip-adapter, apps/cli) import tsyringe or reflect-metadata;
//  - no test mocks cluster behaviour with vi.mock (the fake cluster is the only stand-in).
// Exits non-zero with one line per violation.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const IO_MODULES = /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2|tls|dgram|dns|worker_threads|cluster|os|process|readline|zlib|stream|crypto)$/;

const rules = {
  "packages/core": { ours: [], io: false, di: false },
  "packages/k8s-infra": { ours: ["@clipjob/core"], io: true, di: false },
  "packages/fake-cluster": { ours: ["@clipjob/core"], io: true, di: false },
  "packages/cluster-contract": { ours: ["@clipjob/core"], io: true, di: false },
  "packages/scripted-anthropic-api": { ours: [], io: true, di: false },
  "packages/paperclip-adapter": { ours: "*", io: true, di: true },
  "apps/cli": { ours: "*", io: true, di: true },
  "apps/e2e": { ours: "*", io: true, di: false },
  "apps/bench": { ours: "*", io: true, di: false },
};

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name === "coverage" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) yield p;
  }
}

const importRe = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^\w.])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
const violations = [];

for (const [pkgDir, rule] of Object.entries(rules)) {
  const abs = join(root, pkgDir);
  let list;
  try {
    list = [...files(abs)];
  } catch {
    continue;
  }
  for (const file of list) {
    const rel = relative(root, file);
    // Config files (vitest.config.ts) and tests are tooling, not the package's runtime code.
    const isTest = /\.test\.ts$|\/test\/|\/testing\/|\.config\.ts$/.test(rel);
    const src = readFileSync(file, "utf8");
    if (/\bvi\.mock\(/.test(src) && pkgDir !== "packages/fake-cluster") {
      violations.push(`${rel}: vi.mock outside fake-cluster (use the fake cluster, not module mocks)`);
    }
    for (const m of src.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec) continue;
      if (spec.startsWith("@clipjob/")) {
        const name = spec.split("/").slice(0, 2).join("/");
        const allowedInTests = isTest && (name === "@clipjob/fake-cluster" || name === "@clipjob/cluster-contract");
        if (rule.ours !== "*" && !rule.ours.includes(name) && !(allowedInTests && pkgDir !== "packages/core")) {
          violations.push(`${rel}: imports ${name}, which ${pkgDir} may not depend on`);
        }
        if (pkgDir === "packages/core" && !isTest) violations.push(`${rel}: core imports ${name}`);
      }
      if (/^(tsyringe|reflect-metadata)$/.test(spec) && !rule.di) {
        violations.push(`${rel}: imports ${spec}; only composition roots may`);
      }
      if (pkgDir === "packages/core" && !isTest) {
        if (IO_MODULES.test(spec)) violations.push(`${rel}: core imports I/O module ${spec}`);
        if (!spec.startsWith(".") && !spec.startsWith("node:")) violations.push(`${rel}: core imports package ${spec}`);
      }
    }
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
console.log("layering check: ok");
