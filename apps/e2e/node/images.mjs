// Container images for the real node, built locally without a registry or a container engine: each image
// is an OCI image-layout archive (uncompressed layer tars, config, manifest, `index.json` whose manifest
// carries the `io.containerd.image.name` annotation), imported with `ctr -n k8s.io images import`.
//
//   registry.k8s.io/pause:3.10               the sandbox image containerd's CRI starts for every pod: one
//                                            static Go binary (./pause) that sleeps until SIGTERM/SIGINT
//   localhost/clipjob-agent:claude-<ver>     the agent image: the real Claude Code native binary from npm
//                                            (`@anthropic-ai/claude-code-linux-x64`) as /usr/local/bin/claude,
//                                            bash (the Bash tool refuses busybox sh), coreutils, grep,
//                                            findutils, sed, mawk and `which` copied from this Debian host
//                                            with the shared libraries `ldd` resolves (glibc), user 1000,
//                                            writable /tmp (1777) and /paperclip (1000:1000)
//
// Archives are cached under ~/.cache/clipjob/images/<name>-<key>.tar, the key hashing every input (this
// file, the npm tarball, each copied host file's path, size and mtime), so a rebuild happens only when an
// input changes. The npm download is cached under ~/.cache/clipjob/claude-code-<ver>/.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CACHE = process.env.CLIPJOB_CACHE_DIR || path.join(os.homedir(), '.cache/clipjob');
export const CLAUDE_VERSION = '2.1.328';
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
const AGENT_IMAGE_REPO = 'localhost/clipjob-agent';
export const AGENT_IMAGE = `${AGENT_IMAGE_REPO}:claude-${CLAUDE_VERSION}`;
/** Variants that each lack one piece of the agent image contract. */
export const AGENT_IMAGE_NO_CLAUDE = `${AGENT_IMAGE_REPO}:no-claude`;
export const AGENT_IMAGE_NO_SHELL = `${AGENT_IMAGE_REPO}:no-sh`;
export const AGENT_UID = 1000;
const CLAUDE_PACKAGE = '@anthropic-ai/claude-code-linux-x64';
/** Debian packages whose programs the agent image carries (what claude's Bash tool and our scripts call). */
const HOST_PACKAGES = ['bash', 'coreutils', 'grep', 'findutils', 'sed', 'mawk'];
/** Single programs known by another name on the host (Debian's alternatives): image path -> host path. */
const HOST_ALIASES = { '/usr/bin/which': '/usr/bin/which', '/usr/bin/awk': '/usr/bin/awk', '/usr/bin/sh': '/usr/bin/bash' };
const AGENT_PATH = '/usr/local/bin:/usr/bin:/bin';

export const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

export function sha256File(file) {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** A deterministic uncompressed tar of `root` keeping the staged owners (GNU tar, numeric ids, mtime 0). */
function tarDir(root, out) {
  execFileSync('tar', ['--numeric-owner', '--sort=name', '--mtime=@0', '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '-cf', out, '-C', root, '.']);
}

/**
 * Writes an OCI image layout archive at `out` for the staged layer dirs, named `name`.
 * @param {{ name: string, layers: string[], config: object, out: string, work: string }} o
 */
function writeOciArchive({ name, layers, config, out, work }) {
  const layout = path.join(work, 'layout');
  const blobs = path.join(layout, 'blobs/sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const layerDescs = [];
  for (const [i, dir] of layers.entries()) {
    const tmp = path.join(work, `layer-${i}.tar`);
    tarDir(dir, tmp);
    const digest = sha256File(tmp);
    fs.renameSync(tmp, path.join(blobs, digest));
    layerDescs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${digest}`, size: fs.statSync(path.join(blobs, digest)).size });
  }
  const blob = (obj) => {
    const buf = Buffer.from(JSON.stringify(obj));
    const digest = sha256(buf);
    fs.writeFileSync(path.join(blobs, digest), buf);
    return { digest: `sha256:${digest}`, size: buf.length };
  };
  // Uncompressed layers: the diff id is the layer digest.
  const cfg = blob({ architecture: 'amd64', os: 'linux', ...config, rootfs: { type: 'layers', diff_ids: layerDescs.map((l) => l.digest) } });
  const manifest = blob({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg }, layers: layerDescs,
  });
  fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest,
      annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.slice(name.lastIndexOf(':') + 1) },
    }],
  }));
  const tmp = `${out}.tmp-${process.pid}`;
  tarDir(layout, tmp);
  fs.renameSync(tmp, out);
}

/** Builds (or reuses from the cache) one image archive; `stage(work)` returns the layer dirs and config. */
export function cachedImage({ name, key, stage, log }) {
  const dir = path.join(CACHE, 'images');
  fs.mkdirSync(dir, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9.-]+/g, '_');
  const out = path.join(dir, `${safe}-${key.slice(0, 16)}.tar`);
  if (fs.existsSync(out)) return { name, archive: out, cached: true };
  const t = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clipjob-image-'));
  try {
    const { layers, config } = stage(work);
    writeOciArchive({ name, layers, config, out, work });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  // Older archives of the same image are stale now.
  for (const f of fs.readdirSync(dir)) if (f.startsWith(`${safe}-`) && path.join(dir, f) !== out) fs.rmSync(path.join(dir, f), { force: true });
  log(`built ${name} in ${Date.now() - t} ms -> ${out}`);
  return { name, archive: out, cached: false };
}

const GO = fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';

function pauseImage(log) {
  const src = ['main.go', 'go.mod'].map((f) => fs.readFileSync(path.join(HERE, 'pause', f)));
  const key = sha256(Buffer.concat([fs.readFileSync(fileURLToPath(import.meta.url)), ...src, Buffer.from(execFileSync(GO, ['env', 'GOVERSION']))]));
  return cachedImage({
    name: PAUSE_IMAGE, key, log,
    stage: (work) => {
      const root = path.join(work, 'pause-root');
      fs.mkdirSync(root);
      execFileSync(GO, ['build', '-C', path.join(HERE, 'pause'), '-trimpath', '-ldflags', '-s -w', '-o', path.join(root, 'pause'), '.'], {
        env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' },
      });
      return { layers: [root], config: { config: { Entrypoint: ['/pause'], User: '65535:65535' } } };
    },
  });
}

/**
 * The native CLI from npm: `npm pack` once into the cache, unpacked next to the tarball. Returns the
 * tarball and the binary (`package/claude`; older packages named it `package/bin/claude.exe`).
 */
export function claudeBinary(log) {
  const dir = path.join(CACHE, `claude-code-${CLAUDE_VERSION}`);
  const tgz = path.join(dir, `anthropic-ai-claude-code-linux-x64-${CLAUDE_VERSION}.tgz`);
  if (!fs.existsSync(tgz)) {
    fs.mkdirSync(dir, { recursive: true });
    log(`npm pack ${CLAUDE_PACKAGE}@${CLAUDE_VERSION}`);
    execFileSync('npm', ['pack', `${CLAUDE_PACKAGE}@${CLAUDE_VERSION}`, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    if (!fs.existsSync(tgz)) throw new Error(`npm pack did not produce ${tgz}`);
  }
  const unpacked = path.join(dir, 'unpacked');
  const find = () => ['package/claude', 'package/bin/claude.exe'].map((f) => path.join(unpacked, f)).find((f) => fs.existsSync(f));
  if (!find()) {
    fs.rmSync(unpacked, { recursive: true, force: true });
    const tmp = `${unpacked}.tmp-${process.pid}`;
    fs.mkdirSync(tmp, { recursive: true });
    execFileSync('tar', ['-xzf', tgz, '-C', tmp]);
    fs.renameSync(tmp, unpacked);
  }
  const bin = find();
  if (!bin) throw new Error(`${CLAUDE_PACKAGE}@${CLAUDE_VERSION} holds no native binary (package/claude or package/bin/claude.exe)`);
  return { tgz, bin };
}

/**
 * The host files the agent image copies, as image path -> host path: the programs of HOST_PACKAGES (from
 * dpkg's file lists), HOST_ALIASES, and every library of the host's `/usr` or `/lib` that `ldd` resolves for
 * them, for the claude binary and for `extraBinaries` (a binary's own bundled libraries are not the host's).
 */
export function hostFiles(claudeBinary, extraBinaries = []) {
  /** @type {Map<string, string>} */
  const files = new Map();
  for (const pkg of HOST_PACKAGES) {
    const list = execFileSync('dpkg', ['-L', pkg], { encoding: 'utf8' }).split('\n');
    for (const f of list) {
      if (!/^\/(usr\/)?s?bin\/[^/]+$/.test(f)) continue;
      if (fs.existsSync(f) && fs.statSync(f).isFile()) files.set(inUsr(f), f);
    }
  }
  for (const [dest, src] of Object.entries(HOST_ALIASES)) if (fs.existsSync(src)) files.set(dest, src);
  const libs = new Set();
  for (const p of [...files.values(), claudeBinary, ...extraBinaries]) {
    let out = '';
    try { out = execFileSync('ldd', [p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { continue; } // a script or static
    for (const m of out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)) libs.add(m[1]);
  }
  for (const l of libs) if (/^\/(usr\/)?lib(64)?\//.test(l)) files.set(inUsr(l), l);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Debian 12 is usr-merged: /bin, /lib and /lib64 are links into /usr. */
const inUsr = (p) => p.replace(/^\/(bin|sbin|lib|lib64)\//, '/usr/$1/');

/** Stages the agent's system layer (shell, tools, glibc, users, writable dirs) at `root`, minus `omit` (image paths). */
export function stageSystemLayer(root, files, omit = []) {
  for (const d of ['usr/bin', 'usr/sbin', 'usr/lib', 'usr/lib64', 'usr/local/bin', 'etc', 'dev', 'proc', 'sys', 'run', 'var/tmp']) fs.mkdirSync(path.join(root, d), { recursive: true });
  for (const l of ['bin', 'sbin', 'lib', 'lib64']) fs.symlinkSync(`usr/${l}`, path.join(root, l));
  for (const [destPath, src] of files) {
    if (omit.includes(destPath)) continue;
    const dest = path.join(root, destPath);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(fs.realpathSync(src), dest);
    fs.chmodSync(dest, fs.statSync(fs.realpathSync(src)).mode & 0o7777);
  }
  fs.writeFileSync(path.join(root, 'etc/passwd'), `root:x:0:0:root:/root:/bin/bash\nagent:x:${AGENT_UID}:${AGENT_UID}:agent:/paperclip:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  fs.writeFileSync(path.join(root, 'etc/group'), `root:x:0:\nagent:x:${AGENT_UID}:\nnogroup:x:65534:\n`);
  fs.writeFileSync(path.join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  for (const d of ['tmp', 'var/tmp']) { fs.mkdirSync(path.join(root, d), { recursive: true }); fs.chmodSync(path.join(root, d), 0o1777); }
  fs.mkdirSync(path.join(root, 'paperclip'));
  fs.chownSync(path.join(root, 'paperclip'), AGENT_UID, AGENT_UID);
  fs.mkdirSync(path.join(root, 'root'), { mode: 0o700 });
}

const agentConfig = { config: { Env: [`PATH=${AGENT_PATH}`, 'HOME=/paperclip'], Cmd: ['claude'], User: `${AGENT_UID}:${AGENT_UID}`, WorkingDir: '/paperclip' } };

/**
 * The agent image and its broken variants (each missing one piece of the agent image contract, for the
 * tests that show what each costs): `:no-claude` (no claude on PATH), `:no-sh` (no sh and no bash).
 */
function agentImages(log) {
  const { tgz, bin } = claudeBinary(log);
  const files = hostFiles(bin);
  const stamp = [...files].map(([dest, src]) => { const s = fs.statSync(src); return `${dest} ${src} ${s.size} ${s.mtimeMs}`; }).join('\n');
  const key = sha256(Buffer.concat([fs.readFileSync(fileURLToPath(import.meta.url)), Buffer.from(sha256File(tgz)), Buffer.from(stamp)]));
  const agent = cachedImage({
    name: AGENT_IMAGE, key, log,
    stage: (work) => {
      const root = path.join(work, 'agent-root');
      stageSystemLayer(root, files);
      const cli = path.join(work, 'claude-root');
      fs.mkdirSync(path.join(cli, 'usr/local/bin'), { recursive: true });
      fs.copyFileSync(bin, path.join(cli, 'usr/local/bin/claude'));
      fs.chmodSync(path.join(cli, 'usr/local/bin/claude'), 0o755);
      return { layers: [root, cli], config: agentConfig };
    },
  });
  const variant = (tag, omit) => cachedImage({
    name: `${AGENT_IMAGE_REPO}:${tag}`, key, log,
    stage: (work) => {
      const root = path.join(work, 'agent-root');
      stageSystemLayer(root, files, omit);
      return { layers: [root], config: agentConfig };
    },
  });
  return { agent, noClaude: variant('no-claude', []), noShell: variant('no-sh', ['/usr/bin/sh', '/usr/bin/bash', '/usr/bin/rbash']) };
}

/**
 * Builds (or finds cached) every image. Runs outside the test network namespace: the npm download needs
 * the registry.
 * @param {{ log?: (m: string) => void }} [o]
 * @returns {Record<'pause' | 'agent' | 'noClaude' | 'noShell', { name: string, archive: string, cached: boolean }>}
 */
export function buildImages({ log = () => {} } = {}) {
  return { pause: pauseImage(log), ...agentImages(log) };
}

/** Imports the archives into containerd's k8s.io namespace through its socket. */
export function importImages(socket, images) {
  for (const img of images) {
    execFileSync('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'import', '--no-unpack=false', img.archive], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t = Date.now();
  const images = buildImages({ log: (m) => process.stderr.write(`[images] ${m}\n`) });
  process.stdout.write(`${JSON.stringify(images, null, 2)}\n(${Date.now() - t} ms)\n`);
}
