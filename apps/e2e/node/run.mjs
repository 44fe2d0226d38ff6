#!/usr/bin/env node
// `pnpm test:node`: the real-node suites, from a fresh machine of this kind (root, cgroup v1, no Docker).
//
//  1. host packages: containerd, runc, containernetworking-plugins (apt-get when missing);
//  2. binaries: control-plane/build.sh (etcd, API server, controllers, scheduler, kubelet, kwok; cached);
//  3. images: images.mjs (pause + the agent image with the real claude from npm; cached by content hash);
//  4. a network namespace with the node IP on its loopback (netns.mjs), entered with `nsenter --net` by
//     world.mjs, which starts control plane + node + scripted API and runs the suites inside;
//  5. teardown check: no process, mount, cgroup, namespace or interface of the harness is left. Anything
//     found is removed (by PID / path) and reported, and the run fails.
//
//   node apps/e2e/node/run.mjs                 # all real-node suites
//   node apps/e2e/node/run.mjs -- <cmd> ;; ... # other commands in the same world (e.g. one vitest file)
//   node apps/e2e/node/run.mjs --keep          # start the world and wait for Ctrl-C (state file printed)
//   node apps/e2e/node/run.mjs --with-paperclip -- <cmd>   # also the Paperclip image (paperclip-image.mjs)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImages } from './images.mjs';
import { missingHostTools } from './node.mjs';
import { paperclipImage } from './paperclip-image.mjs';
import { paperclipHome, provision } from '../paperclip/provision.mjs';
import {
  cgroupDirs, createNetns, deleteNetns, describeProcesses, hostInterfaces, killAll, mountsUnder, NETNS_DIR,
  processesInCgroups, processesInNetns, removeCgroups, unmountUnder,
} from './netns.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const VITEST = path.join(ROOT, 'node_modules/vitest/vitest.mjs');
/** The node IP: exists only on the loopback of the namespace this run creates. */
const NODE_IP = '10.250.0.1';

const log = (m) => process.stderr.write(`[test:node ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'inherit', ...opts });

/** The suites, in order: the contract, the run use case and the agent image contract (apps/e2e), then the CLI. */
const DEFAULT_COMMANDS = [
  [process.execPath, VITEST, 'run', '--config', path.join(ROOT, 'apps/e2e/vitest.node.config.ts'), '--root', path.join(ROOT, 'apps/e2e')],
  [process.execPath, VITEST, 'run', '--config', path.join(ROOT, 'apps/cli/vitest.node.config.ts'), '--root', path.join(ROOT, 'apps/cli')],
];

function ensureHostPackages() {
  const missing = missingHostTools();
  if (!missing.length) return;
  log(`installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    sh('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  } catch {
    sh('apt-get', ['update'], { env });
    sh('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  }
  const still = missingHostTools();
  if (still.length) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}

function parseArgs(argv) {
  const sep = argv.indexOf('--');
  const own = sep >= 0 ? argv.slice(0, sep) : argv;
  const rest = sep >= 0 ? argv.slice(sep + 1) : null;
  return { keep: own.includes('--keep'), skipBuild: own.includes('--skip-build'), withPaperclip: own.includes('--with-paperclip'), rest };
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the real node needs root (network namespaces, containerd, cgroups)');
  const t0 = Date.now();
  ensureHostPackages();
  if (!a.skipBuild) sh('bash', [path.join(HERE, '../control-plane/build.sh')]);
  // The scripted Anthropic API runs as a standalone process (dist/bin.js); the CLI suite spawns dist too.
  sh(process.execPath, [path.join(ROOT, 'node_modules/turbo/bin/turbo'), 'run', 'build', '--filter=@clipjob/scripted-anthropic-api',
    '--filter=@clipjob/cli...', '--output-logs=errors-only'], { cwd: ROOT });
  const tBuild = Date.now();
  const images = buildImages({ log });
  if (a.withPaperclip) {
    images.paperclip = paperclipImage(await provision({ log }), log);
    // The plugin's tarball, packed here (its build needs the npm registry, which the namespace cannot reach;
    // the tarball carries its dependencies), where the other Paperclip suites build it; the suite copies it onto
    // the volume and installs it through Paperclip's API (CLIPJOB_PAPERCLIP_PLUGIN_TGZ tells it where).
    const pluginDir = path.join(paperclipHome(), 'plugins', 'claude-k8s');
    const packed = execFileSync(process.execPath, [path.join(ROOT, 'packages/paperclip-adapter/scripts/build-local-install.mjs'), '--pack', pluginDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.env.CLIPJOB_PAPERCLIP_PLUGIN_TGZ = packed.trim().split('\n').at(-1);
  }
  log(`images ready in ${Date.now() - tBuild} ms`);

  const id = `clipjob-node-${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipjob-node-'));
  const imagesFile = path.join(dir, 'images.json');
  fs.writeFileSync(imagesFile, JSON.stringify(images));
  const interfacesBefore = hostInterfaces();
  const netns = createNetns(id, NODE_IP);
  log(`network namespace ${id} (node IP ${NODE_IP} on its loopback); state in ${dir}`);

  // Commands for world.mjs: one argv list, commands separated by ';;' (as given after `--`).
  const commands = a.rest ?? (a.keep ? [] : DEFAULT_COMMANDS.flatMap((c, i) => (i ? [';;', ...c] : c)));
  const worldArgs = ['--dir', dir, '--node-ip', NODE_IP, '--netns', netns.path, '--images', imagesFile, ...(a.keep ? ['--keep'] : []), '--', ...commands];
  // The world runs inside the namespace; only its network namespace differs (same mount namespace, /sys intact).
  const world = spawn('nsenter', [`--net=${netns.path}`, '--', process.execPath, path.join(HERE, 'world.mjs'), ...worldArgs], { stdio: 'inherit' });
  const forward = (sig) => { try { world.kill(sig); } catch { /* gone */ } };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise((resolve) => world.on('exit', (c, s) => resolve(c ?? (s ? 128 : 1))));
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);

  // ---------------------------------------------------------------- leftovers: find, remove, report
  const cgroupRoot = `/clipjob-node-${world.pid}`;
  const found = [];
  // Processes still exiting on their own (the control plane's watchdog shell notices its SIGTERM after its
  // current `sleep 1`) get a bounded moment; whatever is left after it is a leftover.
  const alive = () => [...new Set([...processesInNetns(netns.inode), ...processesInCgroups(cgroupRoot)])];
  for (let waited = 0; alive().length && waited < 10000; waited += 200) await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < 3; i++) {
    const left = alive();
    if (!left.length) break;
    if (i === 0) found.push(...describeProcesses(left).map((p) => `process ${p}`));
    killAll(left);
    await new Promise((r) => setTimeout(r, 500));
  }
  const mounts = mountsUnder(dir);
  if (mounts.length) { found.push(...mounts.map((m) => `mount ${m}`)); unmountUnder(dir); }
  const cgroups = cgroupDirs(cgroupRoot);
  if (cgroups.length) { found.push(...cgroups.map((c) => `cgroup ${c}`)); removeCgroups(cgroupRoot); }
  deleteNetns(id);
  const problems = [...found];
  if (fs.existsSync(path.join(NETNS_DIR, id))) problems.push(`network namespace ${id} still exists`);
  const added = hostInterfaces().filter((n) => !interfacesBefore.includes(n));
  if (added.length) problems.push(`interfaces added to the machine's namespace: ${added.join(', ')}`);
  const stillMounted = mountsUnder(dir);
  if (stillMounted.length) problems.push(`mounts that could not be removed: ${stillMounted.join(', ')}`);
  if (problems.length) {
    log(`LEFTOVERS after the suite (teardown is broken):\n  ${problems.join('\n  ')}`);
  } else {
    log(`teardown check: no process, mount, cgroup, network namespace or interface of the harness left`);
    if (code === 0 && !process.env.CLIPJOB_NODE_KEEP_DIR) fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`done in ${Math.round((Date.now() - t0) / 1000)} s (exit ${code})`);
  process.exit(code !== 0 ? code : problems.length ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
