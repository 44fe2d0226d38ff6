#!/usr/bin/env node
// Bundles src/ui-parser.ts into dist/ui-parser.cjs (see ui-parser-bundle.mjs for how and why), and fails when
// the bundle is unfit for Paperclip's worker.
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { uiParserBuildOptions, uiParserBundleProblems } from "./ui-parser-bundle.mjs";

const outfile = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "ui-parser.cjs");
await build(uiParserBuildOptions({ outfile }));

const problems = uiParserBundleProblems(readFileSync(outfile, "utf8"));
if (problems.length > 0) {
  console.error(`dist/ui-parser.cjs ${problems.join(", ")}`);
  process.exit(1);
}
console.log(`dist/ui-parser.cjs: ${statSync(outfile).size} bytes`);
