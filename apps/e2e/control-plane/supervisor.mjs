// The processes of one control plane, supervised by the process that starts them: each binary is spawned
// with its own log file, readiness waits fail at once when the awaited process has died, stop() sends TERM
// then KILL (in reverse start order) and removes etcd's data dir. A state file lists every PID (for
// `start.mjs down` from another shell), and a detached watchdog shell stops the children by PID if this
// process dies without stop() (SIGKILL, crash).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor, sleep } from './lib.mjs';
import { tail } from './probes.mjs';
import { WATCHDOG_SH } from './stop.mjs';

/**
 * @param {object} o
 * @param {string} o.dir            state dir: state.json, pids, etcd-data-path are written here
 * @param {string} o.binDir         where the binaries live
 * @param {string} o.logDir         <logDir>/<binary>.log per process
 * @param {number} o.timeoutMs      bound of each readiness wait
 * @param {boolean} o.handleSignals stop the children on SIGINT/SIGTERM of this process, then re-raise it
 * @returns the supervisor: `state` (JSON written to state.json by `writeState()`), `spawnProc`, `waitProc`,
 *   `useEtcdData`, `atStop`, `pids()`, `stop()`
 */
export function createSupervisor({ dir, binDir, logDir, timeoutMs, handleSignals }) {
  const stateFile = path.join(dir, 'state.json');
  const pidsFile = path.join(dir, 'pids');
  const etcdDataPathFile = path.join(dir, 'etcd-data-path');
  /** @type {{name:string,pid:number,bin:string,child:import('node:child_process').ChildProcess,exit?:any}[]} */
  const procs = [];
  const state = { supervisorPid: process.pid, dir, procs: [], etcdData: null };
  let stopped = false;
  const firstAtStop = [];

  const writeState = () => {
    state.procs = procs.map(({ name, pid, bin }) => ({ name, pid, bin }));
    fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
    fs.writeFileSync(pidsFile, procs.map((p) => `${p.pid} ${p.bin}\n`).join(''));
  };
  writeState();

  // Only PIDs that still run the binary we started are signalled by the watchdog (guards against PID reuse).
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SH, 'watchdog', String(process.pid), pidsFile, etcdDataPathFile], {
    detached: true, stdio: 'ignore',
  });
  watchdog.unref();
  state.watchdogPid = watchdog.pid;

  const removeEtcdData = () => { if (state.etcdData) fs.rmSync(state.etcdData, { recursive: true, force: true }); };
  const killAllSync = () => {
    for (const p of [...procs].reverse()) if (!p.exit) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
    removeEtcdData();
  };
  const onSignal = async (sig) => {
    await stop().catch(() => {});
    process.kill(process.pid, sig);
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('exit', killAllSync);
  if (handleSignals) { process.once('SIGINT', onSigint); process.once('SIGTERM', onSigterm); }

  /** etcd's data dir (on tmpfs): removed by stop(), by the exit hook and by the watchdog. */
  function useEtcdData(etcdData) {
    state.etcdData = etcdData;
    fs.writeFileSync(etcdDataPathFile, etcdData);
  }

  /** Spawn `<binDir>/<name>` with `args`, stdout and stderr appended to `<logDir>/<name>.log`. */
  function spawnProc(name, args, env = {}) {
    const bin = path.join(binDir, name);
    const logFile = path.join(logDir, `${name}.log`);
    const out = fs.openSync(logFile, 'a');
    fs.writeSync(out, `# ${new Date().toISOString()} ${bin} ${args.join(' ')}\n`);
    const child = spawn(bin, args, { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
    fs.closeSync(out);
    const rec = { name, pid: child.pid, bin, child, logFile };
    child.on('exit', (code, signal) => { rec.exit = { code, signal }; });
    child.on('error', (e) => { rec.exit = { error: e.message }; });
    procs.push(rec);
    writeState();
    return rec;
  }

  /** waitFor(fn) that fails at once when `rec`'s process has died; either failure shows the tail of its log. */
  function waitProc(rec, fn, what) {
    return waitFor(async () => {
      if (rec.exit) {
        const e = new Error(`${rec.name} exited early (${JSON.stringify(rec.exit)}); see ${rec.logFile}:\n${tail(rec.logFile)}`);
        e.fatal = true;
        throw e;
      }
      return fn();
    }, { timeoutMs, intervalMs: 150, what }).catch((e) => {
      throw e.fatal ? e : new Error(`${e.message}\n--- ${rec.name}.log (tail) ---\n${tail(rec.logFile)}`);
    });
  }

  /** TERM, then KILL after 10 s; waits up to 5 s more for the exit. */
  async function stopProc(p) {
    if (p.exit) return;
    try { p.child.kill('SIGTERM'); } catch { /* gone */ }
    const deadline = Date.now() + 10000;
    while (!p.exit && Date.now() < deadline) await sleep(50);
    if (!p.exit) {
      try { p.child.kill('SIGKILL'); } catch { /* gone */ }
      while (!p.exit && Date.now() < deadline + 5000) await sleep(50);
    }
  }

  /** Runs `fn` first when stopping (e.g. to close the in-process kubelet-sim before the API server goes). */
  function atStop(fn) {
    firstAtStop.push(fn);
  }

  /** Stops every child in reverse start order, after the atStop hooks; idempotent. */
  async function stop() {
    if (stopped) return;
    stopped = true;
    for (const fn of firstAtStop) await fn().catch(() => {});
    for (const p of [...procs].reverse()) await stopProc(p);
    removeEtcdData();
    try { process.kill(watchdog.pid, 'SIGTERM'); } catch { /* gone */ }
    process.off('exit', killAllSync);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    state.stoppedAt = new Date().toISOString();
    writeState();
  }

  const pids = () => Object.fromEntries(procs.map((p) => [p.name, p.pid]));
  return { state, stateFile, writeState, spawnProc, waitProc, useEtcdData, atStop, pids, stop };
}
