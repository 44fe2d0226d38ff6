#!/usr/bin/env node
// End-to-end suite of the claude_k8s plugin inside a real Paperclip 2026.916.1 server.
//
//   node apps/e2e/paperclip/claude-k8s.e2e.mjs [--keep]      (as root; `pnpm --filter @clipjob/e2e test:paperclip`)
//
// The plugin is installed through the API from its packed tarball, built by
// packages/paperclip-adapter/scripts/build-local-install.mjs --pack (server entry bundled, its two npm
// dependencies bundled in the tarball): Paperclip npm-installs `@clipjob/paperclip-adapter@file:<tgz>` into its
// plugin directory, with no registry involved. Agents use
// evaluation mode (`cluster: "simulated"`), paced to 60× real time (CLIPJOB_SIM_SPEED) so a run can be
// cancelled while it is running. The server is always stopped.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { paperclipHome, provision } from "./provision.mjs";
import { startPaperclip } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..", "..");
const TYPE = "claude_k8s";
const keep = process.argv.includes("--keep");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let passed = 0;
let failedCount = 0;

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
async function step(name, fn) {
  const t = Date.now();
  try {
    const out = await fn();
    passed += 1;
    process.stderr.write(`ok   ${name} (${Date.now() - t} ms)\n`);
    return out;
  } catch (e) {
    failedCount += 1;
    process.stderr.write(`FAIL ${name}: ${e.message}\n`);
    throw e;
  }
}

let pc;
try {
  const prov = await step("provision Paperclip", () => provision({ log: () => {} }));
  const pluginDir = join(paperclipHome(), "plugins", "claude-k8s");
  const tarball = await step("pack the self-contained plugin (its dependencies bundled)", () =>
    execFileSync(process.execPath, [join(repo, "packages", "paperclip-adapter", "scripts", "build-local-install.mjs"), "--pack", pluginDir], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").at(-1),
  );
  // The registry made unreachable for the server's npm: the install must not need it.
  pc = await step("start server", () => startPaperclip({ env: { CLIPJOB_SIM_SPEED: "60", npm_config_registry: "http://registry.unreachable.invalid/" }, quiet: true }));
  void prov;

  await step("install the plugin through the API from its packed tarball (npm, no registry)", async () => {
    // Paperclip npm-installs `packageName@version`; a tarball path as packageName installs, but Paperclip then
    // loads <plugins>/node_modules/<packageName>, which fails (ENOTDIR). The package's name and `file:<tgz>` work.
    const r = await pc.api("POST", "/adapters/install", { packageName: "@clipjob/paperclip-adapter", version: `file:${tarball}` }, { timeoutMs: 180_000 });
    assert(r.type === TYPE && r.packageName === "@clipjob/paperclip-adapter" && r.version === "0.1.0", `install returned ${JSON.stringify(r)}`);
  });

  await step("GET /adapters lists claude_k8s with its capabilities", async () => {
    const list = await pc.api("GET", "/adapters");
    const mine = (Array.isArray(list) ? list : (list.adapters ?? [])).find((a) => a.type === TYPE);
    assert(mine, `claude_k8s missing from ${JSON.stringify(list).slice(0, 500)}`);
    const caps = mine.capabilities ?? {};
    assert(caps.supportsInstructionsBundle === true, `supportsInstructionsBundle: ${JSON.stringify(caps)}`);
    assert(caps.supportsSkills === true, `supportsSkills: ${JSON.stringify(caps)}`);
    assert(caps.supportsLocalAgentJwt === true, `supportsLocalAgentJwt: ${JSON.stringify(caps)}`);
  });

  await step("config schema is served", async () => {
    const schema = await pc.api("GET", `/adapters/${TYPE}/config-schema`);
    const keys = (schema.fields ?? []).map((f) => f.key);
    for (const key of ["cluster", "simulatedScenario", "namespace", "resources.limits.memory", "reattachOrphanedJobs"]) assert(keys.includes(key), `schema lacks ${key}: ${keys}`);
  });

  // In Node, not in the browser's worker: the board's real sandbox is exercised by browser.e2e.mjs.
  await step("ui-parser.js is served as a self-contained CommonJS bundle that parses a transcript (evaluated in Node)", async () => {
    const r = await pc.request("GET", `/adapters/${TYPE}/ui-parser.js`);
    assert(r.status === 200, `HTTP ${r.status}`);
    const mod = { exports: {} };
    new Function("exports", "module", "self", "globalThis", r.text)(mod.exports, mod, {}, {});
    const api = Object.keys(mod.exports).length ? mod.exports : {};
    assert(typeof api.parseStdoutLine === "function", "parseStdoutLine not exported");
    const transcript = [
      { type: "system", subtype: "init", model: "claude-opus-4-7", session_id: "s-1" },
      { type: "assistant", message: { content: [{ type: "text", text: "Looking" }, { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }] } },
      { type: "user", message: { content: [{ type: "tool_result", tool_use_id: "t1", content: "README.md" }] } },
      { type: "result", subtype: "success", result: "Done", total_cost_usd: 0.01, usage: { input_tokens: 10, output_tokens: 5 } },
    ];
    const kinds = transcript.flatMap((e) => api.parseStdoutLine(JSON.stringify(e), "2026-01-01T00:00:00Z")).map((e) => e.kind);
    assert(JSON.stringify(kinds) === JSON.stringify(["init", "assistant", "tool_call", "tool_result", "result"]), `kinds ${kinds}`);
    assert(api.parseStdoutLine("[clipjob] Created Job x", "t")[0]?.kind === "system", "[clipjob] line is not a system entry");
  });

  const company = await step("create company", () => pc.api("POST", "/companies", { name: "claude_k8s e2e" }));
  const agent = await step("create a simulated agent", () =>
    pc.api("POST", `/companies/${company.id}/agents`, {
      name: "Sim Builder",
      role: "engineer",
      adapterType: TYPE,
      adapterConfig: { cluster: "simulated", simulatedScenario: "success" },
      runtimeConfig: { heartbeat: { enabled: false } },
    }),
  );
  const wake = (reason) => pc.api("POST", `/agents/${agent.id}/wakeup`, { source: "on_demand", triggerDetail: "manual", reason });
  const invokeEvent = async (runId) => {
    const events = await pc.api("GET", `/heartbeat-runs/${runId}/events?afterSeq=0&limit=200`);
    return (Array.isArray(events) ? events : (events.events ?? [])).find((e) => e.eventType === "adapter.invoke");
  };
  const runLog = async (runId) => {
    // A queued run has no log yet (404).
    const r = await pc.request("GET", `/heartbeat-runs/${runId}/log?offset=0&limitBytes=1048576`);
    if (r.status === 404) return [];
    assert(r.ok, `log HTTP ${r.status}`);
    return String(r.body?.content ?? "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  };

  const run1 = await step("a wake runs to succeeded with usage, cost and a session", async () => {
    const queued = await wake("e2e first wake");
    const run = await pc.waitForRun(queued.id, ["succeeded"], { timeoutMs: 90_000 });
    const usage = run.usageJson ?? {};
    assert(Number(usage.inputTokens) > 0 && Number(usage.outputTokens) > 0, `usage ${JSON.stringify(usage)}`);
    assert(Number(usage.costUsd ?? run.costUsd ?? 0) > 0, `cost ${JSON.stringify({ usage, costUsd: run.costUsd })}`);
    assert(usage.provider === "anthropic", `provider ${JSON.stringify(usage)}`);
    assert(typeof run.sessionIdAfter === "string" && run.sessionIdAfter.length > 0, `sessionIdAfter ${run.sessionIdAfter}`);
    const invoke = await invokeEvent(run.id);
    assert(invoke?.payload?.command?.startsWith("kubectl job/"), `adapter.invoke ${JSON.stringify(invoke).slice(0, 400)}`);
    assert(!invoke.payload.commandArgs.includes("--resume"), "the first wake resumed a session");
    const log = await runLog(run.id);
    assert(log.some((l) => l.stream === "stdout" && l.chunk.includes('"type":"result"')), "no stream-json result line in the log");
    // The keys Paperclip itself keeps in and adds to adapterConfig (paperclipSkillSync, paperclipRuntimeSkills, …) are not unknown keys.
    const warned = log.filter((l) => l.chunk.includes("[clipjob] warning: adapterConfig key"));
    assert(warned.length === 0, `unknown-key warnings on Paperclip's own config: ${JSON.stringify(warned).slice(0, 800)}`);
    return run;
  });

  await step("the next wake resumes that session (--resume)", async () => {
    const queued = await wake("e2e second wake");
    const run = await pc.waitForRun(queued.id, ["succeeded"], { timeoutMs: 90_000 });
    const invoke = await invokeEvent(run.id);
    const args = invoke?.payload?.commandArgs ?? [];
    assert(args[args.indexOf("--resume") + 1] === run1.sessionIdAfter, `args ${JSON.stringify(args)} vs session ${run1.sessionIdAfter}`);
    assert(run.sessionIdAfter === run1.sessionIdAfter, `session changed: ${run.sessionIdAfter}`);
  });

  await step("a key neither clipjob nor Paperclip reads is a warning in the run log, with the key it misspells", async () => {
    await pc.api("PATCH", `/agents/${agent.id}`, { adapterConfig: { cluster: "simulated", simulatedScenario: "success", timeoutSecs: 60 } });
    const queued = await wake("e2e unknown key");
    const run = await pc.waitForRun(queued.id, ["succeeded"], { timeoutMs: 90_000 });
    const lines = (await runLog(run.id)).map((l) => l.chunk);
    const expected = '[clipjob] warning: adapterConfig key "timeoutSecs" is not one clipjob or Paperclip reads, so it is ignored; did you mean "timeoutSec"?';
    assert(lines.some((c) => c.includes(expected)), `no unknown-key warning:\n${lines.join("").slice(0, 1500)}`);
  });

  await step("a cancelled run ends cancelled with its Job deleted", async () => {
    await pc.api("PATCH", `/agents/${agent.id}`, { adapterConfig: { cluster: "simulated", simulatedScenario: "silent-then-success" } });
    const queued = await wake("e2e cancel");
    const deadline = Date.now() + 60_000;
    while (!(await runLog(queued.id)).some((l) => l.chunk.includes("[clipjob] Created Job"))) {
      assert(Date.now() < deadline, "the Job was never created");
      await sleep(200);
    }
    // Paperclip answers the cancel only after the adapter has stopped, and 409s unless the result acknowledges
    // the cancellation ("provider termination could not be verified"): seen in a pod on the real node.
    const cancelResponse = await pc.request("POST", `/heartbeat-runs/${queued.id}/cancel`, {}, { timeoutMs: 60_000 });
    assert(cancelResponse.ok, `cancel answered HTTP ${cancelResponse.status}: ${cancelResponse.text.slice(0, 500)}`);
    const run = await pc.waitForRun(queued.id, ["cancelled"], { timeoutMs: 30_000 });
    assert(run.errorCode === "cancelled", `errorCode ${run.errorCode}`);
    assert(run.resultJson?.executionCancellation?.state === "acknowledged", `resultJson ${JSON.stringify(run.resultJson)}`);
    let lines = [];
    while (Date.now() < deadline + 30_000) {
      lines = (await runLog(queued.id)).map((l) => l.chunk);
      if (lines.some((c) => /\[clipjob\] Job clipjob\/\S+ deleted/.test(c))) break;
      await sleep(250);
    }
    assert(lines.some((c) => /\[clipjob\] Job clipjob\/\S+ deleted/.test(c)), `no deletion line:\n${lines.join("").slice(-2000)}`);
    assert(lines.some((c) => c.includes("[clipjob] cancelled: ")), "no cancelled verdict line");
  });

  await step("test-environment returns checks", async () => {
    const r = await pc.api("POST", `/companies/${company.id}/adapters/${TYPE}/test-environment`, { adapterConfig: { cluster: "simulated" } });
    assert(r.status === "pass", JSON.stringify(r).slice(0, 800));
    const codes = r.checks.map((c) => c.code);
    for (const code of ["clipjob_simulated_cluster", "k8s_api_reachable", "k8s_rbac_job_patch", "k8s_secret_exists", "k8s_pvc_rwx"]) assert(codes.includes(code), `no ${code} in ${codes}`);
  });

  await step("models are claude_local's on the same server", async () => {
    const idsOf = async (type) => {
      const models = await pc.api("GET", `/companies/${company.id}/adapters/${type}/models`);
      return (Array.isArray(models) ? models : (models.models ?? [])).map((m) => m.id);
    };
    const [mine, claudeLocal] = await Promise.all([idsOf(TYPE), idsOf("claude_local")]);
    assert(claudeLocal.length > 0 && JSON.stringify(mine) === JSON.stringify(claudeLocal), `claude_k8s ${mine} vs claude_local ${claudeLocal}`);
  });

  await step("a mistyped simulated scenario is config_invalid listing the valid names", async () => {
    const r = await pc.api("POST", `/companies/${company.id}/adapters/${TYPE}/test-environment`, { adapterConfig: { cluster: "simulated", simulatedScenario: "rate_limited" } });
    const check = r.checks.find((c) => c.code === "config_invalid");
    assert(r.status === "fail" && check?.message.includes('"rate-limited"') && check.message.includes('got "rate_limited"'), JSON.stringify(r).slice(0, 800));
  });

  await step("the default config outside a cluster warns and names the simulated mode", async () => {
    const r = await pc.api("POST", `/companies/${company.id}/adapters/${TYPE}/test-environment`, { adapterConfig: {} });
    assert(r.status === "warn" && r.checks.some((c) => c.code === "k8s_not_in_cluster" && c.hint.includes('cluster: "simulated"')), JSON.stringify(r).slice(0, 800));
  });

  // Last: it stops the server. The plugin's SIGTERM latch, registered by the first run after Paperclip's own
  // process.once("SIGTERM") shutdown handler, once re-raised the signal and killed the server before its drain.
  await step("SIGTERM during a running heartbeat: Paperclip's own shutdown drains it (server exits 0, run interrupted/server_shutdown_interrupted)", async () => {
    await pc.api("PATCH", `/agents/${agent.id}`, { adapterConfig: { cluster: "simulated", simulatedScenario: "silent-then-success" } });
    const queued = await wake("e2e shutdown");
    const deadline = Date.now() + 60_000;
    while (!(await runLog(queued.id)).some((l) => l.chunk.includes("[clipjob] Created Job"))) {
      assert(Date.now() < deadline, "the Job was never created");
      await sleep(200);
    }
    const stopped = pc;
    const { exit } = await stopped.stop({ keepDataDir: true });
    try {
      assert(exit?.code === 0 && exit.signal === null, `server exit ${JSON.stringify(exit)}\n${stopped.logs().split("\n").slice(-30).join("\n")}`);
      assert(stopped.logs().includes("graceful heartbeat run drain complete"), `no drain in the server log:\n${stopped.logs().split("\n").slice(-30).join("\n")}`);
      pc = await startPaperclip({ dataDir: stopped.dataDir, keepDataDir: keep, env: { CLIPJOB_SIM_SPEED: "60" }, quiet: true });
    } catch (e) {
      // The data dir was kept for the restart; without one it is this step's to remove (the stopped server's
      // own stop() has already run and will not remove it again).
      if (!keep) rmSync(stopped.dataDir, { recursive: true, force: true });
      throw e;
    }
    const run = await pc.api("GET", `/heartbeat-runs/${queued.id}`);
    assert(run.status === "interrupted" && run.errorCode === "server_shutdown_interrupted", `run after the restart: ${run.status}/${run.errorCode}`);
  });
} catch (e) {
  if (failedCount === 0) failedCount += 1;
  process.stderr.write(`\n${e.stack ?? e}\n`);
  if (pc) process.stderr.write(`\nserver log tail:\n${pc.logs().split("\n").slice(-40).join("\n")}\n`);
} finally {
  if (pc) {
    await pc.stop({ keepDataDir: keep });
    if (keep) process.stderr.write(`data dir kept: ${pc.dataDir}\n`);
  }
}
process.stdout.write(`\n${passed} passed, ${failedCount} failed\n`);
process.exit(failedCount > 0 ? 1 : 0);
