// Start and stop a throwaway Paperclip 2026.916.1 server for end-to-end tests.
//
// Plain Node >= 20 ESM, no npm dependencies. The server itself runs on Node 24 (installed by
// provision.mjs) as the non-root user `clipjobpc`, because embedded Postgres refuses to run as root.
//
//   import { startPaperclip } from "./server.mjs";
//   const pc = await startPaperclip();          // fresh data dir, free HTTP + Postgres ports
//   try { await pc.api("GET", "/health"); } finally { await pc.stop(); }
//
// Ports: the HTTP port comes from env PORT (the CLI's onboard defaults and the server's config loader
// both read it); the embedded Postgres port only comes from config.json `database.embeddedPostgresPort`
// (default 54329; if busy the server silently picks the next free one). So we write config.json ourselves
// before `onboard -y`: onboard keeps an existing config, creates the secrets, and starts the server.
import { spawn } from "node:child_process";
import { chownSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { provision } from "./provision.mjs";

const HOST = "127.0.0.1";

/** Ask the kernel for a free loopback TCP port. */
export function getFreePort() {
  return new Promise((resolvePort, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Resolve when `promise` settles or after `ms`, whichever is first, without leaving a timer behind. */
function within(promise, ms) {
  let timer;
  return Promise.race([promise, new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** PID from `<dbDir>/postmaster.pid`, only if that process is alive and is a postgres on that dir. */
function readPostmasterPid(dbDir) {
  const file = join(dbDir, "postmaster.pid");
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, "utf8").split("\n")[0]?.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  try {
    // Guard against PID reuse: the process must be a postgres started on this data dir.
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (!cmd.some((a) => a.endsWith("postgres")) || !cmd.includes(dbDir)) return null;
  } catch {
    return null;
  }
  return pid;
}

function tail(text, lines = 60) {
  return text.split("\n").slice(-lines).join("\n");
}

// ---- process-exit cleanup -----------------------------------------------------------------------
const live = new Set();
let hooksInstalled = false;
function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGTERM, wait (blocking) up to 8 s, then SIGKILL.
  process.on("exit", () => {
    for (const s of live) s.killSync();
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.once(sig, () => {
      Promise.allSettled([...live].map((s) => s.stop())).finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
    });
  }
}
function blockingSleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function writeConfig(instanceDir, { port, dbPort }) {
  const config = {
    $meta: { version: 1, updatedAt: new Date().toISOString(), source: "onboard" },
    database: {
      mode: "embedded-postgres",
      embeddedPostgresDataDir: join(instanceDir, "db"),
      embeddedPostgresPort: dbPort,
      backup: { enabled: false, intervalMinutes: 60, retentionDays: 1, dir: join(instanceDir, "data", "backups") },
    },
    logging: { mode: "file", logDir: join(instanceDir, "logs") },
    server: {
      deploymentMode: "local_trusted",
      exposure: "private",
      bind: "loopback",
      host: HOST,
      port,
      allowedHostnames: [],
      serveUi: true,
    },
    telemetry: { enabled: false },
    updates: { checkEnabled: false },
    auth: { baseUrlMode: "auto", disableSignUp: false },
    storage: {
      provider: "local_disk",
      localDisk: { baseDir: join(instanceDir, "data", "storage") },
      s3: { bucket: "paperclip", region: "us-east-1", prefix: "", forcePathStyle: false },
    },
    secrets: {
      provider: "local_encrypted",
      strictMode: false,
      localEncrypted: { keyFilePath: join(instanceDir, "secrets", "master.key") },
    },
  };
  mkdirSync(instanceDir, { recursive: true });
  writeFileSync(join(instanceDir, "config.json"), JSON.stringify(config, null, 2) + "\n");
}

function chownR(path, uid, gid) {
  chownSync(path, uid, gid);
  if (lstatSync(path).isDirectory()) for (const e of readdirSync(path)) chownR(join(path, e), uid, gid);
}

/**
 * Start a fresh Paperclip server.
 * @param {{ port?: number, dbPort?: number, startTimeoutMs?: number, env?: Record<string,string>,
 *   keepDataDir?: boolean, quiet?: boolean, dataDir?: string }} [opts]
 *   port/dbPort: fixed ports (default: free ports chosen by the kernel).
 *   env: extra server env (e.g. PAPERCLIP_* settings). keepDataDir: do not delete the data dir on stop
 *   (also CLIPJOB_PAPERCLIP_KEEP=1). dataDir: restart on the data dir of an earlier (stopped) server
 *   instead of a fresh one; such a dir is kept on stop unless keepDataDir:false.
 */
export async function startPaperclip(opts = {}) {
  const t0 = Date.now();
  const prov = await provision({ log: opts.quiet ? () => {} : undefined });
  const port = opts.port ?? (await getFreePort());
  let dbPort = opts.dbPort ?? (await getFreePort());
  while (dbPort === port) dbPort = await getFreePort();
  const startTimeoutMs = opts.startTimeoutMs ?? 120_000;
  // A caller-supplied data dir (restart of an earlier server) belongs to the caller: kept by default.
  const reuse = Boolean(opts.dataDir);
  const keepDataDir = opts.keepDataDir ?? (reuse || process.env.CLIPJOB_PAPERCLIP_KEEP === "1");

  const dataDir = reuse ? opts.dataDir : mkdtempSync("/tmp/clipjob-paperclip-");
  const instanceDir = join(dataDir, "instances", "default");
  const dbDir = join(instanceDir, "db");
  const homeDir = join(dataDir, "home");
  const tmpDir = join(dataDir, "tmp"); // run scratch dirs (TMPDIR) stay inside the data dir
  mkdirSync(homeDir, { recursive: true });
  mkdirSync(tmpDir, { recursive: true });
  const configFile = join(instanceDir, "config.json");
  if (reuse && existsSync(configFile)) {
    // Same instance, new ports (the old ones may be taken by now).
    const cfg = JSON.parse(readFileSync(configFile, "utf8"));
    cfg.server.port = port;
    cfg.database.embeddedPostgresPort = dbPort;
    writeFileSync(configFile, JSON.stringify(cfg, null, 2) + "\n");
  } else writeConfig(instanceDir, { port, dbPort });
  chownR(dataDir, prov.uid, prov.gid);
  const logFile = join(dataDir, "server.log");
  const logFd = openSync(logFile, "a");

  const env = {
    PATH: `${prov.nodeBinDir}:/usr/local/bin:/usr/bin:/bin`,
    HOME: homeDir,
    TMPDIR: tmpDir,
    USER: prov.user,
    LANG: "C.UTF-8",
    TZ: "UTC",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    PORT: String(port),
    HOST,
    PAPERCLIP_TELEMETRY_DISABLED: "1",
    DO_NOT_TRACK: "1",
    PAPERCLIP_UPDATE_CHECK: "0",
    ...(opts.env ?? {}),
  };
  const args = [prov.paperclipCli, "onboard", "-y", "--data-dir", dataDir, "--no-install-service"];
  const child = spawn(prov.nodeBin, args, {
    cwd: dataDir,
    env,
    uid: prov.uid,
    gid: prov.gid,
    detached: true, // own process group: a Ctrl-C of the test does not hit the server mid-shutdown
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  const pid = child.pid;
  let exitInfo = null;
  const exited = new Promise((r) => child.on("exit", (code, signal) => r((exitInfo = { code, signal, at: Date.now() }))));
  child.on("error", (e) => (exitInfo = { code: null, signal: null, error: e, at: Date.now() }));

  const logs = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  const baseUrl = `http://${HOST}:${port}`;
  let pgPid = null; // remembered once seen so stop() can reap it even after the data dir changed
  const postgresPid = () => readPostmasterPid(dbDir) ?? (isAlive(pgPid) ? pgPid : null);

  let stopping = null;
  const handle = {
    baseUrl,
    apiBase: `${baseUrl}/api`,
    port,
    dbPort,
    pid,
    dataDir,
    instanceDir,
    logFile,
    user: prov.user,
    startMs: 0,
    logs,
    postgresPid,
    get exited() {
      return exitInfo;
    },
    /** Raw request: never throws on HTTP status. path is relative to /api ("/health" or "health"). */
    async request(method, path, body, { timeoutMs = 30_000, headers = {} } = {}) {
      const url = /^https?:/.test(path) ? path : `${baseUrl}/api/${path.replace(/^\/?(api\/)?/, "")}`;
      let res;
      try {
        res = await fetch(url, {
          method,
          headers: { accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        const why = exitInfo ? ` (server exited: ${JSON.stringify(exitInfo)})` : "";
        throw new Error(`${method} ${url} failed: ${e.message}${why}\n--- server log tail ---\n${tail(logs())}`);
      }
      const text = await res.text();
      let json;
      if ((res.headers.get("content-type") ?? "").includes("json")) {
        try {
          json = JSON.parse(text);
        } catch {
          /* keep text */
        }
      }
      return { status: res.status, ok: res.ok, headers: res.headers, text, body: json ?? text };
    },
    /** JSON API call: returns the parsed body (or text); throws with status, body and log tail on non-2xx. */
    async api(method, path, body, options = {}) {
      const r = await handle.request(method, path, body, options);
      const allowed = options.allowStatus ?? [];
      if (!r.ok && !allowed.includes(r.status)) {
        const err = new Error(`${method} ${path} -> HTTP ${r.status}: ${r.text.slice(0, 2000)}\n--- server log tail ---\n${tail(logs(), 30)}`);
        err.status = r.status;
        err.body = r.body;
        throw err;
      }
      return r.body;
    },
    /**
     * Poll GET /heartbeat-runs/:id until its status is in `statuses`. Throws (with the server log tail)
     * on timeout, on an unexpected terminal status such as failed/process_lost, or if the server died.
     */
    async waitForRun(runId, statuses = ["succeeded"], { timeoutMs = 60_000, intervalMs = 300 } = {}) {
      const terminal = ["succeeded", "failed", "cancelled", "timed_out", "interrupted"];
      const deadline = Date.now() + timeoutMs;
      let run;
      while (Date.now() < deadline) {
        if (exitInfo) throw new Error(`server exited while waiting for run ${runId}: ${JSON.stringify(exitInfo)}\n${tail(logs())}`);
        run = await handle.api("GET", `/heartbeat-runs/${runId}`);
        if (statuses.includes(run.status)) return run;
        if (terminal.includes(run.status)) {
          throw new Error(
            `run ${runId} ended ${run.status}${run.errorCode ? `/${run.errorCode}` : ""} (wanted ${statuses.join("|")}): ${run.error ?? ""}\n` +
              `--- server log tail ---\n${tail(logs(), 40)}`,
          );
        }
        await sleep(intervalMs);
      }
      throw new Error(`timeout after ${timeoutMs} ms waiting for run ${runId} to be ${statuses.join("|")}; last=${JSON.stringify(run)?.slice(0, 1500)}\n${tail(logs(), 40)}`);
    },
    /** Graceful stop: SIGTERM, wait, SIGKILL the group; then reap embedded Postgres by its postmaster.pid. */
    stop({ graceMs = 20_000, keepDataDir: keep = keepDataDir } = {}) {
      stopping ??= (async () => {
        pgPid = readPostmasterPid(dbDir) ?? pgPid;
        if (!exitInfo && isAlive(pid)) {
          try {
            process.kill(pid, "SIGTERM");
          } catch {}
          await within(exited, graceMs);
          if (!exitInfo && isAlive(pid)) {
            try {
              process.kill(-pid, "SIGKILL");
            } catch {}
            await within(exited, 5_000);
          }
        }
        const pg = postgresPid();
        if (pg) {
          try {
            process.kill(pg, "SIGTERM"); // "smart" shutdown of the postmaster
          } catch {}
          for (let i = 0; i < 50 && isAlive(pg); i++) await sleep(100);
          if (isAlive(pg)) {
            try {
              process.kill(pg, "SIGKILL");
            } catch {}
          }
        }
        live.delete(handle);
        if (!keep) rmSync(dataDir, { recursive: true, force: true });
        return { exit: exitInfo, postgresKilled: Boolean(pg), dataDirKept: keep };
      })();
      return stopping;
    },
    /** Synchronous best-effort kill used from process 'exit'. */
    killSync() {
      const pg = postgresPid();
      if (isAlive(pid)) {
        try {
          process.kill(pid, "SIGTERM");
        } catch {}
        for (let i = 0; i < 80 && isAlive(pid); i++) blockingSleep(100);
        try {
          process.kill(-pid, "SIGKILL");
        } catch {}
      }
      const pg2 = postgresPid() ?? pg;
      if (pg2 && isAlive(pg2)) {
        try {
          process.kill(pg2, "SIGKILL");
        } catch {}
      }
      live.delete(handle);
      if (!keepDataDir) {
        try {
          rmSync(dataDir, { recursive: true, force: true });
        } catch {}
      }
    },
  };
  live.add(handle);
  installExitHooks();

  // Wait for /api/health (status ok and startup recovery finished), bounded.
  const deadline = Date.now() + startTimeoutMs;
  let last = "";
  while (true) {
    if (exitInfo) {
      const log = logs();
      await handle.stop({ keepDataDir: true });
      throw new Error(`Paperclip exited during startup (${JSON.stringify(exitInfo)}); data dir kept at ${dataDir}\n--- server log tail ---\n${tail(log)}`);
    }
    if (Date.now() > deadline) {
      const log = logs();
      await handle.stop({ keepDataDir: true });
      throw new Error(`Paperclip not healthy after ${startTimeoutMs} ms (last: ${last}); data dir kept at ${dataDir}\n--- server log tail ---\n${tail(log)}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) {
        const h = await res.json();
        last = JSON.stringify({ status: h.status, phase: h.startupRecovery?.phase });
        if (h.status === "ok" && (!h.startupRecovery || h.startupRecovery.phase === "ready")) break;
      } else last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await sleep(250);
  }
  pgPid = readPostmasterPid(dbDir);
  handle.startMs = Date.now() - t0;
  return handle;
}
