#!/usr/bin/env node
// The real-node world, started from inside the harness's network namespace (run.mjs enters it with
// `nsenter --net`): the control plane (control-plane/start.mjs, with kwok kept to its own fake node), the real
// node (node.mjs), the scripted Anthropic API on the node IP (so pods reach it), a shared hostPath directory
// for RWX PersistentVolumes. Writes the world's facts to a state file (CLIPJOB_NODE_STATE) that the test
// suites read, runs the given commands one after another, and stops everything it started by PID.
//
//   node world.mjs --dir D --node-ip IP --netns /run/netns/N --images images.json -- cmd1 args ;; cmd2 args
//
// Exit code: the first failing command's, else 0.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../control-plane/start.mjs';
import { waitFor } from '../control-plane/lib.mjs';
import { AGENT_IMAGE, AGENT_IMAGE_NO_CLAUDE, AGENT_IMAGE_NO_SHELL, AGENT_UID, PAUSE_IMAGE } from './images.mjs';
import { startRealNode } from './node.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const SCRIPTED_API_BIN = path.join(ROOT, 'packages/scripted-anthropic-api/dist/bin.js');

function parseArgs(argv) {
  const sep = argv.indexOf('--');
  const own = sep >= 0 ? argv.slice(0, sep) : argv;
  const rest = sep >= 0 ? argv.slice(sep + 1) : [];
  const opt = (n) => { const i = own.indexOf(`--${n}`); return i >= 0 ? own[i + 1] : undefined; };
  const commands = [];
  let cur = [];
  for (const a of rest) { if (a === ';;') { if (cur.length) commands.push(cur); cur = []; } else cur.push(a); }
  if (cur.length) commands.push(cur);
  return { dir: opt('dir'), nodeIp: opt('node-ip'), netns: opt('netns'), images: opt('images'), keep: own.includes('--keep'), commands };
}

const log = (m) => process.stderr.write(`[real-node ${new Date().toISOString().slice(11, 23)}] ${m}\n`);

async function startScriptedApi(host, dir) {
  if (!fs.existsSync(SCRIPTED_API_BIN)) {
    log(`scripted Anthropic API not built (${path.relative(ROOT, SCRIPTED_API_BIN)}): runs that need it fail`);
    return null;
  }
  const port = 18080;
  const out = fs.openSync(path.join(dir, 'logs', 'scripted-api.log'), 'a');
  const child = spawn(process.execPath, [SCRIPTED_API_BIN, '--host', '0.0.0.0', '--port', String(port)], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const rec = { child, exit: null };
  child.on('exit', (code, signal) => { rec.exit = { code, signal }; });
  const url = `http://${host}:${port}`;
  await waitFor(async () => {
    if (rec.exit) throw new Error(`scripted API exited ${JSON.stringify(rec.exit)}`);
    const res = await fetch(`${url}/_requests`).catch(() => null);
    return res?.ok;
  }, { timeoutMs: 30000, what: 'scripted Anthropic API' });
  return { url, pid: child.pid, stop: () => new Promise((r) => { if (rec.exit) return r(); child.once('exit', r); child.kill('SIGTERM'); }) };
}

function runCommand(cmd, env) {
  return new Promise((resolve) => {
    log(`$ ${cmd.join(' ')}`);
    const child = spawn(cmd[0], cmd.slice(1), { stdio: 'inherit', env, cwd: ROOT });
    const fwd = (sig) => child.kill(sig);
    process.on('SIGINT', fwd);
    process.on('SIGTERM', fwd);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', fwd);
      process.off('SIGTERM', fwd);
      resolve(code ?? (signal ? 128 : 1));
    });
    child.on('error', (e) => { log(`${cmd[0]}: ${e.message}`); resolve(127); });
  });
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (!a.dir || !a.nodeIp || !a.images) throw new Error('usage: world.mjs --dir D --node-ip IP [--netns PATH] --images FILE -- cmd ;; cmd');
  const images = JSON.parse(fs.readFileSync(a.images, 'utf8'));
  fs.mkdirSync(path.join(a.dir, 'logs'), { recursive: true });
  const stopping = [];
  let interrupted = null;
  const onSignal = (sig) => { interrupted = sig; };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let code = 1;
  try {
    const T0 = Date.now();
    const cp = await startControlPlane({ dir: path.join(a.dir, 'cp'), realNode: true, audit: true, handleSignals: false, log });
    stopping.unshift(() => cp.stop());
    log(`control plane ready in ${Date.now() - T0} ms`);
    const node = await startRealNode({
      cp, dir: path.join(a.dir, 'node'), nodeIp: a.nodeIp, netnsPath: a.netns,
      images: Object.values(images), cgroupRoot: `/clipjob-node-${process.pid}`, log,
    });
    stopping.unshift(() => node.stop());
    log(`node ${node.nodeName} Ready in ${Date.now() - T0} ms (${JSON.stringify(node.timings)})`);
    const api = await startScriptedApi(a.nodeIp, a.dir);
    if (api) stopping.unshift(() => api.stop());

    // A directory for hostPath-backed RWX PersistentVolumes (the kubelet applies no fsGroup to hostPath:
    // the agent's uid must own it).
    const shared = path.join(a.dir, 'shared');
    fs.mkdirSync(shared, { recursive: true });
    fs.chownSync(shared, AGENT_UID, AGENT_UID);

    const stateFile = path.join(a.dir, 'world.json');
    const state = {
      kubeconfigAdmin: cp.kubeconfigAdmin, kubeconfigAdapter: cp.kubeconfigAdapter, namespace: cp.namespace,
      server: cp.server, caFile: cp.caFile, auditLogFile: cp.auditLogFile, fakeNodeName: cp.nodeName,
      nodeName: node.nodeName, nodeIp: a.nodeIp, containerdSocket: node.socket, podLogsDir: node.podLogsDir,
      nodeLogDir: node.logDir, cpLogDir: cp.logDir, agentImage: AGENT_IMAGE, agentImageNoClaude: AGENT_IMAGE_NO_CLAUDE, agentImageNoShell: AGENT_IMAGE_NO_SHELL, pauseImage: PAUSE_IMAGE, agentUid: AGENT_UID,
      scriptedApiUrl: api?.url ?? null, sharedDir: shared, startMs: Date.now() - T0, timings: { cp: cp.timings, node: node.timings },
    };
    fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
    const env = { ...process.env, CLIPJOB_NODE_STATE: stateFile };
    code = 0;
    for (const cmd of a.commands) {
      if (interrupted) { code = 130; break; }
      const c = await runCommand(cmd, env);
      if (c !== 0 && code === 0) code = c;
    }
    if (a.keep && !a.commands.length) {
      log(`world up; state ${stateFile}; Ctrl-C to stop`);
      await new Promise((r) => { process.once('SIGINT', r); process.once('SIGTERM', r); });
    }
  } catch (e) {
    log(`failed: ${e.stack ?? e}`);
    code = 1;
  } finally {
    for (const s of stopping) await s().catch((e) => log(`stop: ${e.message}`));
  }
  process.exit(code);
}

main();
