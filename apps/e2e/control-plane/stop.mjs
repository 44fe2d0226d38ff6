// Stopping a control plane started by start.mjs from another process, by the PIDs in its state file.
import fs from 'node:fs';
import { sleep } from './lib.mjs';

/** The watchdog: when the starting process dies, it TERMs then KILLs the processes it started ($2: pid + binary per line) and removes etcd's data dir ($3). */
export const WATCHDOG_SH = `
trap 'exit 0' TERM
while kill -0 "$1" 2>/dev/null; do sleep 1; done
sig() { while read -r pid bin; do
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bin" ] && kill "-$1" "$pid" 2>/dev/null; done < "$2"; }
sig TERM "$2"; sleep 5; sig KILL "$2"
[ -s "$3" ] && case "$(cat "$3")" in */clipjob-etcd-*) rm -rf "$(cat "$3")";; esac
exit 0`;

/** Stop a control plane from its state.json (another process): supervisor first, then each PID. */
export async function stopFromStateFile(stateFile) {
  const st = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  // Only signal a PID that still runs the binary we started (guards against PID reuse).
  const isOurs = (p) => {
    try { return fs.readlinkSync(`/proc/${p.pid}/exe`) === p.bin; } catch { return alive(p.pid); }
  };
  const report = [];
  if (st.supervisorPid && st.supervisorPid !== process.pid && alive(st.supervisorPid)) {
    let cmd = '';
    try { cmd = fs.readFileSync(`/proc/${st.supervisorPid}/cmdline`, 'utf8'); } catch { /* no procfs */ }
    if (cmd.includes('start.mjs')) {
      process.kill(st.supervisorPid, 'SIGTERM');
      report.push({ name: 'supervisor', pid: st.supervisorPid, signal: 'SIGTERM' });
      const deadline = Date.now() + 20000;
      while (alive(st.supervisorPid) && Date.now() < deadline) await sleep(100);
    }
  }
  for (const p of [...(st.procs ?? [])].reverse()) {
    if (!alive(p.pid) || !isOurs(p)) continue;
    process.kill(p.pid, 'SIGTERM');
    const deadline = Date.now() + 10000;
    while (alive(p.pid) && Date.now() < deadline) await sleep(50);
    if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
    report.push({ name: p.name, pid: p.pid, signal: 'SIGTERM' });
  }
  if (st.watchdogPid && alive(st.watchdogPid)) {
    let cmd = '';
    try { cmd = fs.readFileSync(`/proc/${st.watchdogPid}/cmdline`, 'utf8'); } catch { /* no procfs */ }
    if (cmd.includes('watchdog')) process.kill(st.watchdogPid, 'SIGTERM');
  }
  if (st.etcdData) fs.rmSync(st.etcdData, { recursive: true, force: true });
  return report;
}
