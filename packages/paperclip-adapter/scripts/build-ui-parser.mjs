#!/usr/bin/env node
// Bundles src/ui-parser.ts into dist/ui-parser.cjs, the file Paperclip serves at
// /api/adapters/claude_k8s/ui-parser.js and evaluates with new Function("exports","module",…) in a locked-down
// worker. So: CommonJS, no imports or requires left, and small (Paperclip's docs ask for < 50 KB). Core's
// stream-json event model (`@clipjob/core/stream-json`) is bundled in from its source.
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "..", "dist", "ui-parser.cjs");
const MAX_BYTES = 50 * 1024;

await build({
  entryPoints: [join(here, "..", "src", "ui-parser.ts")],
  outfile,
  bundle: true,
  format: "cjs",
  platform: "neutral",
  // Bundle workspace packages from their TypeScript source: no dependence on their build order.
  conditions: ["@clipjob/source"],
  target: "es2020",
  legalComments: "none",
  logLevel: "warning",
});

const size = statSync(outfile).size;
const text = readFileSync(outfile, "utf8");
const problems = [];
if (size > MAX_BYTES) problems.push(`is ${size} bytes, over the ${MAX_BYTES}-byte limit`);
if (/\brequire\(/.test(text)) problems.push("contains require(");
if (/(^|[;\s])import[\s({]/m.test(text)) problems.push("contains an import");
if (problems.length > 0) {
  console.error(`dist/ui-parser.cjs ${problems.join(", ")}`);
  process.exit(1);
}
console.log(`dist/ui-parser.cjs: ${size} bytes`);
