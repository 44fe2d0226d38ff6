// How src/ui-parser.ts becomes the file Paperclip serves at /api/adapters/claude_k8s/ui-parser.js and evaluates
// with new Function("exports","module",…) in a locked-down worker: CommonJS, everything bundled in (core's
// stream-json event model from its TypeScript source, so no build order matters), small. Used by
// build-ui-parser.mjs and by the sandbox test, so both bundle the same way.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Paperclip's docs ask for a ui-parser under 50 KB. */
export const UI_PARSER_MAX_BYTES = 50 * 1024;

/** esbuild options for the bundle; `outfile` when written to disk, else the caller passes `write: false`. */
export function uiParserBuildOptions(extra = {}) {
  return {
    entryPoints: [join(here, "..", "src", "ui-parser.ts")],
    bundle: true,
    format: "cjs",
    platform: "neutral",
    conditions: ["@clipjob/source"],
    target: "es2020",
    legalComments: "none",
    logLevel: "warning",
    ...extra,
  };
}

/** What makes a bundle unfit for the worker: too big, or a require( or import left in it. */
export function uiParserBundleProblems(text) {
  const problems = [];
  const size = Buffer.byteLength(text, "utf8");
  if (size > UI_PARSER_MAX_BYTES) problems.push(`is ${size} bytes, over the ${UI_PARSER_MAX_BYTES}-byte limit`);
  if (/\brequire\(/.test(text)) problems.push("contains require(");
  if (/(^|[;\s])import[\s({]/m.test(text)) problems.push("contains an import");
  return problems;
}
