#!/usr/bin/env node
// `node scripts/test-under-load.mjs [--busy N] [turbo args…]`: the unit suite (what `npm test` runs) while
// every core is kept busy, so a test that needs a quiet machine fails here rather than at random elsewhere.
//
// Starts N busy-loop Node processes (default: one per core), runs `node scripts/dev.mjs test --force` (turbo
// serves no cached result, so every test really runs; `--continue` so one red package does not hide another),
// then stops the busy processes by PID: also when the suite fails, and on SIGINT/SIGTERM. Exits with the
// suite's status (130/143 when interrupted). Each busy process also ends itself once this script is gone, so
// even a SIGKILL of this script leaves no spinning process behind.
import { spawn } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function parseArgs(argv) {
  const rest = [];
  let busy = availableParallelism();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--busy" || arg.startsWith("--busy=")) {
      const raw = arg === "--busy" ? argv[++i] : arg.slice("--busy=".length);
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) {
        console.error(`test-under-load: --busy takes a whole number of processes (0 or more), got ${JSON.stringify(raw)}`);
        process.exit(2);
      }
      busy = n;
    } else rest.push(arg);
  }
  return { busy, rest };
}

// A pure CPU loop. It checks now and then whether its parent (this script) is still there: a child whose parent
// died is re-parented, so its ppid changes, and it exits instead of spinning forever.
const BUSY_LOOP = "const parent = process.ppid; for (let i = 0; ; i++) if ((i & 0xffffff) === 0 && process.ppid !== parent) process.exit(0);";

const { busy, rest } = parseArgs(process.argv.slice(2));
const busyChildren = [];
let suite = null;
let stopping = false;

function stopBusy() {
  for (const child of busyChildren) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

function onSignal(signal, code) {
  if (stopping) return;
  stopping = true;
  console.error(`\ntest-under-load: ${signal}: stopping the suite (PID ${suite?.pid ?? "-"}) and ${busyChildren.length} busy processes`);
  stopBusy();
  if (suite?.pid !== undefined && suite.exitCode === null) {
    try {
      // The suite's own process group (dev.mjs, turbo, the vitest processes): all started by this script.
      process.kill(-suite.pid, signal);
    } catch {
      // Already gone.
    }
  }
  process.exitCode = code;
}
process.on("SIGINT", () => onSignal("SIGINT", 130));
process.on("SIGTERM", () => onSignal("SIGTERM", 143));
process.on("exit", stopBusy);

for (let i = 0; i < busy; i++) {
  const child = spawn(process.execPath, ["-e", BUSY_LOOP], { stdio: "ignore" });
  child.on("error", (error) => console.error(`test-under-load: a busy process failed: ${error.message}`));
  busyChildren.push(child);
}
const pids = busyChildren.map((c) => c.pid).join(", ");
console.log(`test-under-load: ${busy} busy processes (PIDs ${pids || "none"}) on ${availableParallelism()} cores; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);

const started = Date.now();
// In a process group of its own, so a signal reaches turbo and the vitest processes too, not just dev.mjs.
suite = spawn(process.execPath, [join(root, "scripts", "dev.mjs"), "test", "--force", "--continue", ...rest], { cwd: root, stdio: "inherit", detached: true });
const status = await new Promise((resolveStatus) => {
  suite.on("error", (error) => {
    console.error(`test-under-load: could not start the suite: ${error.message}`);
    resolveStatus(1);
  });
  suite.on("close", (code, signal) => resolveStatus(code ?? (signal ? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 }[signal] ?? 1) : 1)));
});
const loadAtEnd = loadavg().map((l) => l.toFixed(2)).join(" ");
stopBusy();
await Promise.all(busyChildren.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once("exit", r)))));
console.log(`test-under-load: suite exited ${status} after ${Math.round((Date.now() - started) / 1000)} s under load (load average at the end ${loadAtEnd}); busy processes stopped`);
process.exit(stopping ? (process.exitCode ?? status) : status);
