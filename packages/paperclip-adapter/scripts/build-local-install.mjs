#!/usr/bin/env node
// Builds a self-contained plugin directory for Paperclip's local-path install:
//
//   node scripts/build-local-install.mjs <outDir>
//   POST /api/adapters/install {"packageName": "<outDir>", "isLocalPath": true}
//
//   node scripts/build-local-install.mjs --pack <outDir>
//   also packs <outDir> into <outDir>/../clipjob-paperclip-adapter-<version>.tgz (printed), which plain
//   `npm install <tgz>` installs anywhere: its only dependencies are the two npm packages below.
//
// Paperclip loads a local-path plugin in place, as its own (non-root) user, resolving imports from the
// plugin's own node_modules — so a workspace package with `workspace:*` dependencies cannot be installed
// as it is. This script bundles the server entry with esbuild (our workspace packages, tsyringe and
// reflect-metadata inlined; resolved from their TypeScript sources, so nothing else needs a build) and
// installs only the two real npm dependencies next to it, from the registry:
//   - @kubernetes/client-node (large, and its own dynamic loading is best left unbundled),
//   - @paperclipai/adapter-utils (the host's SDK, ESM with its own dependencies).
// Re-running skips the npm install while those versions are unchanged. Everything is made world-readable.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { uiParserBuildOptions } from "./ui-parser-bundle.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, "..");
const args = process.argv.slice(2);
const pack = args.includes("--pack");
const positional = args.filter((a) => a !== "--pack");
if (positional.length !== 1) {
  console.error("usage: node scripts/build-local-install.mjs [--pack] <outDir>");
  process.exit(2);
}
const outDir = resolve(positional[0]);
const EXTERNAL = ["@kubernetes/client-node", "@paperclipai/adapter-utils"];

const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const infra = JSON.parse(readFileSync(join(pkgDir, "..", "k8s-infra", "package.json"), "utf8"));
const dependencies = {
  "@kubernetes/client-node": infra.dependencies["@kubernetes/client-node"],
  "@paperclipai/adapter-utils": pkg.dependencies["@paperclipai/adapter-utils"],
};

mkdirSync(join(outDir, "dist"), { recursive: true });
await build({
  entryPoints: [join(pkgDir, "src", "index.ts")],
  outfile: join(outDir, "dist", "index.js"),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  conditions: ["@clipjob/source"],
  external: EXTERNAL.flatMap((name) => [name, `${name}/*`]),
  // CommonJS dependencies inlined into an ESM bundle may still call require() for Node built-ins.
  banner: { js: 'import { createRequire as __clipjobCreateRequire } from "node:module"; const require = __clipjobCreateRequire(import.meta.url);' },
  sourcemap: true,
  logLevel: "warning",
});
// The same bundle as the package's own build (core's stream-json event model bundled in from its source).
await build(uiParserBuildOptions({ outfile: join(outDir, "dist", "ui-parser.cjs") }));

mkdirSync(join(outDir, "bin"), { recursive: true });
for (const file of Object.values(pkg.bin)) copyFileSync(join(pkgDir, file), join(outDir, file));

const manifest = {
  name: pkg.name,
  version: pkg.version,
  description: `${pkg.description} (self-contained local install)`,
  type: "module",
  private: true,
  exports: { ".": "./dist/index.js", "./ui-parser": "./dist/ui-parser.cjs", "./package.json": "./package.json" },
  main: "./dist/index.js",
  bin: pkg.bin,
  files: ["dist", "bin"],
  paperclip: pkg.paperclip,
  dependencies,
  // Packed with them: installing the tarball needs no registry (a Paperclip pod usually has none).
  bundleDependencies: Object.keys(dependencies),
};
writeFileSync(join(outDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);

const stamp = JSON.stringify(dependencies);
const stampFile = join(outDir, "node_modules", ".clipjob-deps");
if (!existsSync(stampFile) || readFileSync(stampFile, "utf8") !== stamp) {
  execFileSync("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--no-package-lock", "--ignore-scripts", "--loglevel=error"], { cwd: outDir, stdio: "inherit" });
  writeFileSync(stampFile, stamp);
}
makeReadable(outDir);
if (pack) {
  // The two dependencies go into the tarball (bundleDependencies), so `npm install <tgz>` needs no registry.
  // --json lists every file of the tarball: the bundled dependencies make that several MB.
  const packed = execFileSync("npm", ["pack", "--json", "--pack-destination", dirname(outDir)], { cwd: outDir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const file = join(dirname(outDir), JSON.parse(packed)[0].filename);
  chmodSync(file, 0o644);
  console.log(file);
} else {
  console.log(outDir);
}

function makeReadable(path) {
  const st = statSync(path);
  chmodSync(path, st.mode | (st.isDirectory() ? 0o555 : 0o444));
  if (st.isDirectory()) for (const name of readdirSync(path)) makeReadable(join(path, name));
}
