// The opt-in fix for Paperclip 2026.916.1's ui-parser sandbox (bin/clipjob-paperclip-patch.mjs). The browser
// suite proves the patched asset in Chromium's real worker; here: the file operations, and the defect and
// the fix reproduced with a getter-only global as Chromium's WorkerGlobalScope has.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/clipjob-paperclip-patch.mjs", import.meta.url));
interface PatchModule {
  patchWorkerBootstrap(text: string): string;
  apply(serverDir: string): { changed: boolean; state: string; asset: string };
  undo(serverDir: string): { changed: boolean; state: string };
  inspect(serverDir: string): { state: string; asset: string };
  BACKUP_SUFFIX: string;
}
const patch = (await import(pathToFileURL(BIN).href)) as PatchModule;

/** The worker bootstrap as 2026.916.1 embeds it: a template literal in a board asset. */
const BOOTSTRAP = [
  '"use strict";',
  "const _undefined = void 0;",
  "self.fetch = _undefined;",
  "self.caches = _undefined;",
  "// IndexedDB (prevents persistent state exfiltration)",
  "self.indexedDB = _undefined;",
  "self.IDBFactory = _undefined;",
  'self.postMessage({ type: "ready" });',
].join("\n");
const ASSET = `var a=1;const Zw=\`${BOOTSTRAP}\`;function Qw(){return Zw}`;

function install(version = "2026.916.1"): { root: string; serverDir: string; asset: string } {
  const root = mkdtempSync(join(tmpdir(), "clipjob-patch-"));
  const serverDir = join(root, "node_modules", "@paperclipai", "server");
  mkdirSync(join(serverDir, "ui-dist", "assets"), { recursive: true });
  writeFileSync(join(serverDir, "package.json"), JSON.stringify({ name: "@paperclipai/server", version }));
  writeFileSync(join(serverDir, "ui-dist", "assets", "index-abc.js"), "console.log('board');\n");
  const asset = join(serverDir, "ui-dist", "assets", "AiConnectionCredentialStep-x.js");
  writeFileSync(asset, ASSET);
  return { root, serverDir, asset };
}

/** Runs a bootstrap the way the worker does: strict mode, indexedDB and caches getter-only on the prototype. */
function runBootstrap(source: string): { posted: unknown[]; indexedDB: unknown; caches: unknown } {
  const proto = {};
  for (const name of ["indexedDB", "caches"]) Object.defineProperty(proto, name, { get: () => ({ real: name }), configurable: true, enumerable: true });
  const posted: unknown[] = [];
  const self = Object.assign(Object.create(proto) as Record<string, unknown>, { postMessage: (m: unknown) => posted.push(m) });
  runInNewContext(source, { self });
  return { posted, indexedDB: self["indexedDB"], caches: self["caches"] };
}

const bootstrapOf = (asset: string): string => new Function(`return ${/const Zw=(`[\s\S]*?`);/.exec(asset)![1]}`)() as string;

describe("clipjob-paperclip-patch", () => {
  it("reproduces the defect: the stock bootstrap dies on a getter-only indexedDB before it is ready", () => {
    expect(() => runBootstrap(BOOTSTRAP)).toThrow(/Cannot set property indexedDB|which has only a getter/);
  });

  it("the patched bootstrap gets ready with indexedDB and caches hidden", () => {
    const patched = bootstrapOf(patch.patchWorkerBootstrap(ASSET));
    const r = runBootstrap(patched);
    expect(r.posted).toEqual([{ type: "ready" }]);
    expect(r.indexedDB).toBeUndefined();
    expect(r.caches).toBeUndefined();
    expect(patched).not.toContain("self.indexedDB = _undefined;");
    expect(patched).toContain("self.fetch = _undefined;");
  });

  it("applies once, keeps a backup, is idempotent, and undoes to the original bytes", () => {
    const { serverDir, asset } = install();
    expect(patch.inspect(serverDir)).toMatchObject({ state: "stock", asset });
    expect(patch.apply(serverDir)).toMatchObject({ changed: true, state: "patched" });
    const once = readFileSync(asset, "utf8");
    expect(readFileSync(asset + patch.BACKUP_SUFFIX, "utf8")).toBe(ASSET);
    expect(patch.apply(serverDir)).toMatchObject({ changed: false, state: "patched" });
    expect(readFileSync(asset, "utf8")).toBe(once);
    expect(patch.undo(serverDir)).toMatchObject({ changed: true, state: "stock" });
    expect(readFileSync(asset, "utf8")).toBe(ASSET);
    expect(existsSync(asset + patch.BACKUP_SUFFIX)).toBe(false);
    expect(patch.undo(serverDir)).toMatchObject({ changed: false });
  });

  it("as a command: finds the install from a directory below it, and exits 0/0/0", () => {
    const { root, asset } = install();
    const at = join(root, "node_modules", "paperclipai", "dist");
    mkdirSync(at, { recursive: true });
    const run = (mode: string) => execFileSync(process.execPath, [BIN, mode, "--paperclip", at], { encoding: "utf8" });
    expect(run("--check")).toMatch(/^stock \(the ui-parser sandbox defect is present\): Paperclip 2026\.916\.1, /);
    expect(run("--apply")).toContain(`patched ${asset} (original kept as ${asset}.clipjob-orig)`);
    expect(run("--apply")).toContain("already patched");
    expect(run("--undo")).toContain("restored the original");
  });

  it("refuses another Paperclip version (exit 3), a missing install (1) and bad usage (2), changing nothing", () => {
    const { serverDir, asset } = install("2026.1001.0");
    const r = spawnSync(process.execPath, [BIN, "--apply", "--paperclip", serverDir], { encoding: "utf8" });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("version_unsupported: Paperclip 2026.1001.0");
    expect(readFileSync(asset, "utf8")).toBe(ASSET);
    const none = spawnSync(process.execPath, [BIN, "--check", "--paperclip", tmpdir()], { encoding: "utf8" });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain("paperclip_not_found");
    expect(spawnSync(process.execPath, [BIN, "--apply", "--undo"], { encoding: "utf8" }).status).toBe(2);
  });

  it("refuses an asset whose assignments are not the ones it knows", () => {
    const { serverDir, asset } = install();
    writeFileSync(asset, ASSET.replace("self.caches = _undefined;", ""));
    expect(() => patch.apply(serverDir)).toThrow(/expected "self.caches = _undefined;" once/);
  });
});
