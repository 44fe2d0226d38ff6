#!/usr/bin/env node
// Smoke test of the Paperclip e2e harness with the echo_e2e fixture adapter.
//
//   node apps/e2e/paperclip/smoke.mjs [--json out.json] [--keep]
//
// Proves: provision + start, plugin install, adapter listing, company/agent creation, a successful
// run with its log and events, a user cancel, the UI-parser route, test-environment, and it records
// how ctx.signal behaves on user cancel, on "Legacy controller lease lost" and on graceful shutdown.
// The server is always stopped (try/finally), and process-exit hooks in server.mjs back that up.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPaperclip } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const fixtureDir = join(here, "fixtures", "echo-adapter");
const TYPE = "echo_e2e";
const args = process.argv.slice(2);
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : null;
const keep = args.includes("--keep");

const report = { steps: [], observations: {} };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
async function step(name, fn) {
  const t = Date.now();
  try {
    const out = await fn();
    report.steps.push({ name, ok: true, ms: Date.now() - t });
    process.stderr.write(`ok   ${name} (${Date.now() - t} ms)\n`);
    return out;
  } catch (e) {
    report.steps.push({ name, ok: false, ms: Date.now() - t, error: String(e.message).slice(0, 4000) });
    process.stderr.write(`FAIL ${name}: ${e.message}\n`);
    throw e;
  }
}

function readProbe(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
async function waitProbe(file, pred, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = readProbe(file).find(pred);
    if (hit) return hit;
    await sleep(200);
  }
  throw new Error(`timeout (${timeoutMs} ms) waiting for probe event: ${what}\n${readFileSync(file, "utf8").slice(-3000)}`);
}

let pc;
let failed = false;
try {
  pc = await step("start server", () => startPaperclip());
  report.observations.serverStartMs = pc.startMs;
  report.observations.ports = { http: pc.port, postgres: pc.dbPort };
  const probeFile = join(pc.dataDir, "probe.ndjson");

  await step("install fixture adapter", async () => {
    const r = await pc.api("POST", "/adapters/install", { packageName: fixtureDir, isLocalPath: true });
    assert(r.type === TYPE, `install returned type ${r.type}`);
    report.observations.install = r;
  });

  await step("GET /adapters lists it", async () => {
    const list = await pc.api("GET", "/adapters");
    const arr = Array.isArray(list) ? list : (list.adapters ?? []);
    const mine = arr.find((a) => a.type === TYPE);
    assert(mine, `echo_e2e not in ${JSON.stringify(arr.map((a) => a.type))}`);
    report.observations.adapterListing = mine;
  });

  const company = await step("create company", () => pc.api("POST", "/companies", { name: "E2E Smoke Co" }));
  const mkAgent = (name, adapterConfig) =>
    pc.api("POST", `/companies/${company.id}/agents`, {
      name,
      role: "engineer",
      adapterType: TYPE,
      adapterConfig: { probeFile, ...adapterConfig },
      runtimeConfig: { heartbeat: { enabled: false } },
    });
  const agent = await step("create agent", () => mkAgent("Echo", { mode: "echo", env: { FOO: { type: "plain", value: "bar" } } }));
  const wake = (agentId, reason) => pc.api("POST", `/agents/${agentId}/wakeup`, { source: "on_demand", triggerDetail: "manual", reason });
  const waitStarted = (runId) => waitProbe(probeFile, (e) => e.event === "execute_start" && e.runId === runId, 60_000, `execute_start ${runId}`);

  const run1 = await step("wake -> succeeded", async () => {
    const queued = await wake(agent.id, "smoke echo");
    assert(queued.id, `wakeup returned ${JSON.stringify(queued)}`);
    return pc.waitForRun(queued.id, ["succeeded"], { timeoutMs: 60_000 });
  });
  report.observations.run1 = { status: run1.status, exitCode: run1.exitCode, usageJson: run1.usageJson, sessionIdAfter: run1.sessionIdAfter };

  await step("read run log", async () => {
    const log = await pc.api("GET", `/heartbeat-runs/${run1.id}/log?offset=0&limitBytes=65536`);
    const lines = String(log.content ?? "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    assert(lines.some((l) => String(l.chunk).includes("echo from Echo")), `log lacks assistant line: ${log.content}`);
    report.observations.logSample = lines.slice(0, 5);
  });

  await step("run events (onMeta -> adapter.invoke)", async () => {
    const events = await pc.api("GET", `/heartbeat-runs/${run1.id}/events?afterSeq=0&limit=100`);
    const arr = Array.isArray(events) ? events : (events.events ?? []);
    const invoke = arr.find((e) => e.eventType === "adapter.invoke");
    assert(invoke, `no adapter.invoke event in ${JSON.stringify(arr.map((e) => e.eventType))}`);
    report.observations.adapterInvokeEvent = invoke;
    report.observations.eventTypes = arr.map((e) => `${e.eventType}:${e.message ?? ""}`);
  });

  await step("ctx shape recorded", async () => {
    const start = readProbe(probeFile).find((e) => e.event === "execute_start" && e.runId === run1.id);
    assert(start, "no execute_start probe");
    report.observations.ctxKeys = start.ctxKeys;
    report.observations.ctxShape = start.ctxShape;
  });

  // User cancel with onCancellationReady() called.
  await step("wake (hang) + cancel -> cancelled", async () => {
    await pc.api("PATCH", `/agents/${agent.id}`, { adapterConfig: { probeFile, mode: "hang", holdMs: 60_000 } });
    const queued = await wake(agent.id, "smoke cancel");
    await waitStarted(queued.id);
    const t = Date.now();
    const r = await pc.request("POST", `/heartbeat-runs/${queued.id}/cancel`, {});
    report.observations.userCancel = { cancelHttpStatus: r.status, cancelBody: r.body };
    const run = await pc.waitForRun(queued.id, ["cancelled"], { timeoutMs: 30_000 });
    const abort = await waitProbe(probeFile, (e) => e.event === "signal_abort" && e.runId === queued.id, 15_000, "signal_abort (user cancel)");
    Object.assign(report.observations.userCancel, {
      abortAfterCancelMs: Date.parse(abort.at) - t,
      reason: abort.reason,
      run: { status: run.status, errorCode: run.errorCode, error: run.error },
    });
  });

  await step("GET ui-parser.js and evaluate it", async () => {
    const r = await pc.request("GET", `/adapters/${TYPE}/ui-parser.js`);
    assert(r.status === 200, `ui-parser.js HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    const mod = { exports: {} };
    new Function("exports", "module", "self", "globalThis", r.text)(mod.exports, mod, {}, {});
    const api = Object.keys(mod.exports).length ? mod.exports : {};
    assert(typeof api.parseStdoutLine === "function", "parseStdoutLine not exported");
    const entries = api.parseStdoutLine(JSON.stringify({ type: "assistant", message: { content: [{ type: "text", text: "hi" }] } }), "t");
    assert(entries[0]?.kind === "assistant" && entries[0].text === "hi", JSON.stringify(entries));
    report.observations.uiParser = { contentType: r.headers.get("content-type"), bytes: r.text.length };
  });

  await step("POST test-environment", async () => {
    const r = await pc.api("POST", `/companies/${company.id}/adapters/${TYPE}/test-environment`, { adapterConfig: { mode: "echo" } });
    assert(r.status === "pass", JSON.stringify(r));
    report.observations.testEnvironment = r;
  });

  // Cancel WITHOUT onCancellationReady(): the signal aborts later via the lease watcher.
  await step("cancel without onCancellationReady -> lease lost", async () => {
    const agent2 = await mkAgent("EchoLegacy", { mode: "hang", holdMs: 60_000, cancellationReady: false });
    const queued = await wake(agent2.id, "smoke legacy cancel");
    await waitStarted(queued.id);
    const t = Date.now();
    const r = await pc.request("POST", `/heartbeat-runs/${queued.id}/cancel`, {});
    const run = await pc.waitForRun(queued.id, ["cancelled"], { timeoutMs: 30_000 });
    const abort = await waitProbe(probeFile, (e) => e.event === "signal_abort" && e.runId === queued.id, 90_000, "signal_abort (legacy cancel)");
    const ret = await waitProbe(probeFile, (e) => e.event === "execute_return" && e.runId === queued.id, 10_000, "execute_return (legacy cancel)");
    const after = await pc.api("GET", `/heartbeat-runs/${queued.id}`);
    report.observations.cancelWithoutReady = {
      cancelHttpStatus: r.status,
      cancelBody: r.body,
      abortAfterCancelMs: Date.parse(abort.at) - t,
      reason: abort.reason,
      runAtCancel: { status: run.status, errorCode: run.errorCode },
      runAfterExecuteReturned: { status: after.status, errorCode: after.errorCode, error: after.error },
      executeReturn: ret.result,
    };
  });

  // Graceful shutdown (SIGTERM to the server) while a run is in flight, then a restart on the same
  // data dir to read what the host recorded for that run.
  await step("graceful shutdown while running + restart", async () => {
    const queued = await wake(agent.id, "smoke shutdown");
    await waitStarted(queued.id);
    const runId = queued.id;
    const t = Date.now();
    const stopped = await pc.stop({ keepDataDir: true });
    const stopMs = Date.now() - t;
    const events = readProbe(probeFile).filter((e) => e.runId === runId);
    const at = (name) => events.find((e) => e.event === name);
    const sig = at("host_sigterm");
    const abort = at("signal_abort");
    const exitPending = at("host_exit_with_pending_execute");
    const drainLines = pc
      .logs()
      .split("\n")
      .filter((l) => /graceful shutdown|drain|Stopping embedded/i.test(l))
      .map((l) => l.replace(/\x1b\[[0-9;]*m/g, ""));
    const oldDataDir = pc.dataDir;
    pc = await startPaperclip({ dataDir: oldDataDir, keepDataDir: false });
    const row = await pc.api("GET", `/heartbeat-runs/${runId}`);
    report.observations.restartOnSameDataDirMs = pc.startMs;
    report.observations.gracefulShutdown = {
      serverExit: stopped.exit,
      stopMs,
      hostSigtermSeenByAdapter: Boolean(sig),
      signalAbortedBeforeExit: Boolean(abort),
      abortAfterSigtermMs: abort && sig ? Date.parse(abort.at) - Date.parse(sig.at) : null,
      reason: abort?.reason ?? null,
      executeReturnedBeforeExit: Boolean(at("execute_return")),
      processExitedWithExecutePending: Boolean(exitPending),
      runAfterRestart: { status: row.status, errorCode: row.errorCode, error: row.error },
      serverLog: drainLines,
    };
    assert(row.status === "interrupted", `run after restart: ${row.status}`);
  });
} catch (e) {
  failed = true;
  process.stderr.write(`\nsmoke failed: ${e.stack ?? e}\n`);
} finally {
  if (pc) {
    const s = await pc.stop({ keepDataDir: keep || failed });
    if (keep || failed) process.stderr.write(`data dir kept: ${pc.dataDir} (server log: ${pc.logFile})\n`);
    else if (s.dataDirKept) {
      // The shutdown step keeps the dir to read the probe; remove it now.
      const { rmSync } = await import("node:fs");
      rmSync(pc.dataDir, { recursive: true, force: true });
    }
  }
}
report.ok = !failed;
const json = JSON.stringify(report, null, 2);
if (jsonOut) writeFileSync(jsonOut, json + "\n");
process.stdout.write(json + "\n");
process.exit(failed ? 1 : 0);
