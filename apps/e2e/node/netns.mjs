// The network namespace the real-node world lives in, and the inventory of what the harness may leave
// behind (processes, mounts, cgroups, namespaces, interfaces), used both to clean up after a crash and to
// prove that nothing is left after the suite.
//
// Rule: any non-loopback address (the node IP, the pod bridge) exists only inside this namespace; nothing is
// added to the machine's own interfaces. Processes enter it with `nsenter --net=` (not `ip netns exec`,
// which also remounts /sys in a new mount namespace: the kubelet then cannot find the cgroup mounts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const NETNS_DIR = '/run/netns';

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

/**
 * Creates network namespace `name` with loopback up and `nodeIp`/32 on its loopback.
 * @returns {{ name: string, path: string, inode: number }}
 */
export function createNetns(name, nodeIp) {
  ip('netns', 'add', name);
  try {
    ip('-n', name, 'link', 'set', 'lo', 'up');
    ip('-n', name, 'addr', 'add', `${nodeIp}/32`, 'dev', 'lo');
  } catch (e) {
    deleteNetns(name);
    throw e;
  }
  const file = path.join(NETNS_DIR, name);
  return { name, path: file, inode: fs.statSync(file).ino };
}

export function deleteNetns(name) {
  if (!fs.existsSync(path.join(NETNS_DIR, name))) return;
  ip('netns', 'del', name);
}

const readlink = (p) => { try { return fs.readlinkSync(p); } catch { return null; } };
const pids = () => fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);

/** PIDs of processes whose network namespace has inode `inode` (what `nsenter --net` put there). */
export function processesInNetns(inode) {
  const want = `net:[${inode}]`;
  return pids().filter((pid) => pid !== process.pid && readlink(`/proc/${pid}/ns/net`) === want);
}

/** One line per process for a report: pid and command line. */
export function describeProcesses(list) {
  return list.map((pid) => {
    let cmd = '';
    try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(); } catch { /* gone */ }
    return `${pid} ${cmd.slice(0, 160)}`;
  });
}

/** Mount points at or under `dir` (this process's mount namespace, which the harness shares), deepest first. */
export function mountsUnder(dir) {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const out = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const point = mp.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
    if (point === dir || point.startsWith(prefix)) out.push(point);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or under `dir`, deepest first (lazily when busy). Returns what it unmounted. */
export function unmountUnder(dir) {
  const done = [];
  for (let round = 0; round < 5; round++) {
    const list = mountsUnder(dir);
    if (!list.length) break;
    for (const m of list) {
      try { execFileSync('umount', [m], { stdio: 'ignore' }); } catch {
        try { execFileSync('umount', ['-l', m], { stdio: 'ignore' }); } catch { /* already gone */ }
      }
      done.push(m);
    }
  }
  return done;
}

/** The cgroup v1 hierarchies (or the v2 root) under /sys/fs/cgroup. */
export function cgroupHierarchies() {
  const base = '/sys/fs/cgroup';
  if (fs.existsSync(path.join(base, 'cgroup.controllers'))) return [base];
  return fs.readdirSync(base).map((d) => path.join(base, d))
    .filter((d) => { try { return fs.statSync(d).isDirectory() && !fs.lstatSync(d).isSymbolicLink(); } catch { return false; } });
}

/** Every cgroup dir named `root` (e.g. /clipjob-node-123) in any hierarchy, with its subdirs, deepest first. */
export function cgroupDirs(root) {
  const out = [];
  const walk = (d) => {
    let entries = [];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
    out.push(d);
  };
  for (const h of cgroupHierarchies()) {
    const d = path.join(h, root);
    if (fs.existsSync(d)) walk(d);
  }
  return out;
}

/** PIDs in any cgroup under `root` (containers the kubelet started). */
export function processesInCgroups(root) {
  const set = new Set();
  for (const d of cgroupDirs(root)) {
    try {
      for (const l of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n')) if (l) set.add(Number(l));
    } catch { /* removed meanwhile */ }
  }
  return [...set];
}

/** Removes the (empty) cgroup dirs under `root`, deepest first. Returns the ones that could not be removed. */
export function removeCgroups(root) {
  const left = [];
  for (const d of cgroupDirs(root)) {
    try { fs.rmdirSync(d); } catch (e) { if (e.code !== 'ENOENT') left.push(d); }
  }
  return left;
}

export const killAll = (list, signal = 'SIGKILL') => {
  for (const pid of list) try { process.kill(pid, signal); } catch { /* gone */ }
};

/** Network interfaces of the machine's own namespace (names), to prove none was added. */
export function hostInterfaces() {
  return fs.readdirSync('/sys/class/net').sort();
}
