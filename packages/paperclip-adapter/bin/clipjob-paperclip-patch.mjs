#!/usr/bin/env node
// clipjob-paperclip-patch: an opt-in fix for Paperclip 2026.916.1's ui-parser sandbox, so the board renders
// an external adapter's transcript (claude_k8s included) instead of one raw JSON line per event.
//
//   clipjob-paperclip-patch [--check | --apply | --undo] [--paperclip <dir>]
//
// The defect: the board evaluates an external adapter's ui-parser in a Web Worker whose strict-mode
// bootstrap assigns `self.indexedDB = undefined` and `self.caches = undefined`. In Chromium both are
// getter-only accessors of WorkerGlobalScope, so the assignment throws (indexedDB on every origin, caches on
// secure ones such as https, localhost and 127.0.0.1): the worker dies before the parser arrives and the
// board silently falls back to raw lines. Built-in adapters do not use the worker and are unaffected.
//
// The patch replaces each of those two assignments with a defineProperty of undefined inside try/catch:
// the global is still hidden from the parser (an own property of undefined shadows the accessor), and a
// browser that refuses the definition no longer kills the worker. Nothing else in the file changes.
//
// --check (default) says whether the install is stock, patched, or not 2026.916.1 (exit 0, 0, 3).
// --apply patches in place, keeping the original as <asset>.clipjob-orig; a second --apply does nothing.
// --undo restores the original from that backup and removes it; on a stock install it does nothing.
// --paperclip names the Paperclip install: a directory at or below the one whose node_modules holds
// @paperclipai/server. Default: the install of the `paperclipai` command on PATH.
// Reload the board (a hard reload: the asset keeps its name) after --apply or --undo; no restart needed.
import { existsSync, readFileSync, readdirSync, realpathSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";

export const SUPPORTED_VERSION = "2026.916.1";
export const BACKUP_SUFFIX = ".clipjob-orig";
const MARKER = "/* clipjob-paperclip-patch */";
/** The two bootstrap assignments that throw, exactly as 2026.916.1 ships them. */
export const DEFECTIVE_ASSIGNMENTS = ["self.indexedDB = _undefined;", "self.caches = _undefined;"];
/** Identifies the worker bootstrap among the board's assets. */
const BOOTSTRAP_SIGNATURE = "// IndexedDB (prevents persistent state exfiltration)";

/** The asset text with both assignments replaced; throws unless each occurs exactly once. */
export function patchWorkerBootstrap(text) {
  if (text.includes(MARKER)) return text;
  let out = text;
  for (const assignment of DEFECTIVE_ASSIGNMENTS) {
    const count = out.split(assignment).length - 1;
    if (count !== 1) throw new PatchError("asset_unexpected", `expected "${assignment}" once in the worker bootstrap, found it ${count} times`);
    const name = /^self\.(\w+) =/.exec(assignment)[1];
    // Written into a template literal in the bundle: no backticks, no ${.
    out = out.replace(assignment, `${MARKER} try { Object.defineProperty(self, "${name}", { value: _undefined, writable: false, configurable: false }); } catch {}`);
  }
  return out;
}

export class PatchError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** @paperclipai/server's directory for an install, found by walking up from `start`. */
export function findPaperclipServer(start) {
  let dir = start;
  for (;;) {
    const candidate = join(dir, "node_modules", "@paperclipai", "server");
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new PatchError("paperclip_not_found", `no node_modules/@paperclipai/server at or above ${start}`);
    dir = parent;
  }
}

function paperclipOnPath(env) {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    const bin = join(dir, "paperclipai");
    if (dir && existsSync(bin)) return dirname(realpathSync(bin));
  }
  throw new PatchError("paperclip_not_found", "no paperclipai command on PATH; name the install with --paperclip <dir>");
}

/** Where the install stands: `{ serverDir, version, asset, state: "stock" | "patched" }`. Throws PatchError. */
export function inspect(serverDir) {
  const version = JSON.parse(readFileSync(join(serverDir, "package.json"), "utf8")).version;
  if (version !== SUPPORTED_VERSION) {
    throw new PatchError("version_unsupported", `Paperclip ${version} at ${serverDir}: this patch is for ${SUPPORTED_VERSION} only (a later release may have fixed or moved the bootstrap; check before patching by hand)`);
  }
  const assets = join(serverDir, "ui-dist", "assets");
  const matches = readdirSync(assets)
    .filter((f) => f.endsWith(".js"))
    .filter((f) => readFileSync(join(assets, f), "utf8").includes(BOOTSTRAP_SIGNATURE));
  if (matches.length !== 1) throw new PatchError("asset_unexpected", `expected one board asset holding the worker bootstrap in ${assets}, found ${matches.length}`);
  const asset = join(assets, matches[0]);
  const text = readFileSync(asset, "utf8");
  const state = text.includes(MARKER) ? "patched" : "stock";
  if (state === "stock") patchWorkerBootstrap(text); // throws if the assignments are not as expected
  return { serverDir, version, asset, state };
}

export function apply(serverDir) {
  const info = inspect(serverDir);
  if (info.state === "patched") return { ...info, changed: false };
  const text = readFileSync(info.asset, "utf8");
  const backup = info.asset + BACKUP_SUFFIX;
  if (!existsSync(backup)) writeFileSync(backup, text);
  // Write beside and rename, so a server serving the file never sees half of it.
  const tmp = `${info.asset}.clipjob-tmp`;
  writeFileSync(tmp, patchWorkerBootstrap(text));
  renameSync(tmp, info.asset);
  return { ...info, state: "patched", changed: true, backup };
}

export function undo(serverDir) {
  const info = inspect(serverDir);
  const backup = info.asset + BACKUP_SUFFIX;
  if (info.state === "stock") {
    if (existsSync(backup)) unlinkSync(backup);
    return { ...info, changed: false };
  }
  if (!existsSync(backup)) throw new PatchError("backup_missing", `${info.asset} is patched but its backup ${backup} is gone; reinstall paperclipai to restore it`);
  renameSync(backup, info.asset);
  return { ...info, state: "stock", changed: true };
}

function main(argv, env) {
  const modes = argv.filter((a) => ["--check", "--apply", "--undo"].includes(a));
  const at = argv.indexOf("--paperclip");
  const known = new Set(["--check", "--apply", "--undo", "--paperclip"]);
  const stray = argv.filter((a, i) => !known.has(a) && !(at >= 0 && i === at + 1));
  if (modes.length > 1 || stray.length > 0 || (at >= 0 && !argv[at + 1])) {
    process.stderr.write("usage: clipjob-paperclip-patch [--check | --apply | --undo] [--paperclip <dir>]\n");
    return 2;
  }
  const mode = modes[0] ?? "--check";
  try {
    const serverDir = findPaperclipServer(at >= 0 ? argv[at + 1] : paperclipOnPath(env));
    if (mode === "--apply") {
      const r = apply(serverDir);
      process.stdout.write(r.changed ? `patched ${r.asset} (original kept as ${r.backup})\n` : `already patched: ${r.asset}\n`);
    } else if (mode === "--undo") {
      const r = undo(serverDir);
      process.stdout.write(r.changed ? `restored the original ${r.asset}\n` : `not patched, nothing to undo: ${r.asset}\n`);
    } else {
      const r = inspect(serverDir);
      process.stdout.write(`${r.state === "patched" ? "patched" : "stock (the ui-parser sandbox defect is present)"}: Paperclip ${r.version}, ${r.asset}\n`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    process.stderr.write(`clipjob-paperclip-patch: ${e.code}: ${e.message}\n`);
    return e.code === "version_unsupported" ? 3 : 1;
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(new URL(import.meta.url).pathname)) {
  process.exitCode = main(process.argv.slice(2), process.env);
}
