#!/usr/bin/env node
// The two README commands (`npm start`, `npm test`) must work on a fresh clone where only Node and npm
// exist. This script fetches the pnpm version pinned in package.json into a cache outside the clone,
// installs the workspace when the lockfile changed since the last install, and then runs the task.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pnpmVersion = pkg.packageManager.replace(/^pnpm@/, "");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function pnpmBinDir() {
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "clipjob", `pnpm-${pnpmVersion}`);
  const bin = join(cache, "node_modules", ".bin");
  if (!existsSync(join(bin, "pnpm"))) {
    mkdirSync(cache, { recursive: true });
    const status = run("npm", ["install", "--prefix", cache, "--no-audit", "--no-fund", "--loglevel=error", `pnpm@${pnpmVersion}`]);
    if (status !== 0) process.exit(status);
  }
  return bin;
}

const binDir = pnpmBinDir();
const env = { ...process.env, PATH: `${binDir}:${join(root, "node_modules", ".bin")}:${process.env.PATH}` };

function ensureInstalled() {
  const lock = join(root, "pnpm-lock.yaml");
  const marker = join(root, "node_modules", ".clipjob-install-stamp");
  const stamp = existsSync(lock) ? createHash("sha256").update(readFileSync(lock)).digest("hex") : "no-lockfile";
  if (existsSync(marker) && readFileSync(marker, "utf8") === stamp) return;
  const args = ["install"];
  if (existsSync(lock)) args.push("--frozen-lockfile");
  const status = run("pnpm", args, { env });
  if (status !== 0) process.exit(status);
  const after = existsSync(lock) ? createHash("sha256").update(readFileSync(lock)).digest("hex") : "no-lockfile";
  writeFileSync(marker, after);
}

const [task = "test", ...rest] = process.argv.slice(2);
ensureInstalled();
if (task === "start") {
  let status = run("turbo", ["run", "build", "--filter=@clipjob/cli...", "--output-logs=errors-only"], { env });
  if (status !== 0) process.exit(status);
  // Ctrl-C reaches both processes; the CLI handles it (cancels the run, deletes the Job). This process
  // must outlive it rather than return the terminal while the CLI is still cleaning up.
  process.on("SIGINT", () => {});
  status = run(process.execPath, [join(root, "apps/cli/dist/bin.js"), ...(rest.length ? rest : ["run"])], { env });
  process.exit(status);
} else if (task === "test") {
  process.exit(run("turbo", ["run", "test", ...rest], { env }));
} else if (task === "pnpm") {
  process.exit(run("pnpm", rest, { env }));
} else {
  console.error(`unknown task ${task}: use start | test | pnpm <args>`);
  process.exit(2);
}
