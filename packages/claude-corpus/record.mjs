#!/usr/bin/env node
// Records the corpus: installs the pinned Claude Code CLI from the npm registry (into ~/.cache/clipjob), then,
// inside a network namespace that has only loopback (`unshare --net`, gone when the recording ends), runs
// every scenario of scenarios.mjs against the scripted Anthropic API and stores stdout, stderr, the exit code,
// the CLI version and the expected outcome under fixtures/<name>/.
//
//   node packages/claude-corpus/record.mjs              record everything
//   node packages/claude-corpus/record.mjs --only a,b   record some (resume pairs bring their first run)
//   node packages/claude-corpus/record.mjs --expectations  rewrite only the expected outcomes in meta.json
//                                                       from scenarios.mjs (no CLI run)
//   node packages/claude-corpus/record.mjs --if-stale   record only when the fixtures' CLI version differs
//                                                       from the pinned one, or CLAUDE_CORPUS_RECORD=1 is set (CI), else exit 0
// Needs Linux, root (or CAP_SYS_ADMIN) for the namespace, `unshare` and `ip`, npm and the registry.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CLI_VERSION, CORPUS, EXTRA_API_SCENARIOS } from "./scenarios.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const fixturesDir = join(here, "fixtures");
const manifestPath = join(fixturesDir, "manifest.json");
const { values } = parseArgs({ options: { only: { type: "string" }, "if-stale": { type: "boolean" }, expectations: { type: "boolean" }, inside: { type: "boolean" }, cli: { type: "string" } } });

/** Port of the scripted API inside the namespace; nothing listens on CLOSED_PORT. Fixed, so re-recordings diff only where the CLI changed. */
const API_PORT = 8080;
const CLOSED_PORT = 8081;
const WORK_ROOT = "/tmp/clipjob-corpus";
const RUN_TIMEOUT_MS = 180_000;
const FAKE_API_KEY = "sk-ant-api03-corpus-fake-key";
const FAKE_OAUTH_TOKEN = "sk-ant-oat01-corpus-fake-oauth-token";
const MISSING_SESSION_ID = "0c0ffee0-0000-4000-8000-00000000dead";

function log(line) {
  process.stderr.write(`[corpus] ${line}\n`);
}

function fail(message) {
  log(`error: ${message}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

/** The CLI's native binary, installed from npm once per version. */
function ensureCli() {
  const prefix = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "clipjob", `claude-code-npm-${CLI_VERSION}`);
  const bin = join(prefix, "node_modules", "@anthropic-ai", "claude-code", "bin", "claude.exe");
  const version = () => spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "";
  if (!existsSync(bin) || !version().startsWith(CLI_VERSION)) {
    mkdirSync(prefix, { recursive: true });
    log(`installing @anthropic-ai/claude-code@${CLI_VERSION} into ${prefix}`);
    const status = run("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", `@anthropic-ai/claude-code@${CLI_VERSION}`]);
    if (status !== 0) fail(`npm install exited ${status}`);
  }
  const v = version();
  if (!v.startsWith(CLI_VERSION)) fail(`${bin} --version says ${JSON.stringify(v)}, expected ${CLI_VERSION}`);
  return { bin, version: v };
}

function recordedVersion() {
  try {
    return JSON.parse(readFileSync(manifestPath, "utf8")).cliVersion ?? null;
  } catch {
    return null;
  }
}

function selected() {
  if (!values.only) return CORPUS;
  const names = new Set(values.only.split(",").map((s) => s.trim()));
  for (const n of names) if (!CORPUS.some((e) => e.name === n)) fail(`--only: no corpus entry ${n}`);
  // A resumed run needs its first run recorded in the same session.
  for (const e of CORPUS) if (names.has(e.name) && e.resumeOf) names.add(e.resumeOf);
  return CORPUS.filter((e) => names.has(e.name));
}

/** Runs the CLI once; resolves with stdout, stderr, exit code and signal. */
function runCli(bin, entry, dirs, resumeId) {
  const baseUrl = entry.api === "closed-port" ? `http://127.0.0.1:${CLOSED_PORT}` : `http://127.0.0.1:${API_PORT}/s/${entry.api}`;
  const env = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: dirs.home,
    LANG: "C.UTF-8",
    // The recorder runs as root; the CLI refuses --dangerously-skip-permissions as root outside a sandbox.
    IS_SANDBOX: "1",
    ANTHROPIC_BASE_URL: baseUrl,
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_MAX_RETRIES: "2",
  };
  if (entry.auth === "oauth") env.CLAUDE_CODE_OAUTH_TOKEN = FAKE_OAUTH_TOKEN;
  else env.ANTHROPIC_API_KEY = FAKE_API_KEY;
  const args = ["--print", "-", "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions"];
  if (resumeId) args.push("--resume", resumeId);
  args.push(...(entry.args ?? []));
  const prompt = entry.prompt ?? `Corpus scenario ${entry.name}: do what the scripted API says.`;
  return new Promise((resolvePromise) => {
    const child = spawn(bin, args, { cwd: dirs.work, env, stdio: ["pipe", "pipe", "pipe"] });
    const out = [];
    const err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ args, env, prompt, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), exitCode: code, signal });
    });
    child.stdin.end(prompt);
  });
}

function sessionIdOf(stdout) {
  for (const line of stdout.split("\n").reverse()) {
    const m = /"session_id":"([0-9a-f-]{36})"/.exec(line);
    if (m) return m[1];
  }
  return null;
}

async function recordInside(cli) {
  const { startScriptedAnthropicApi } = await import(join(root, "packages/scripted-anthropic-api/dist/index.js"));
  const api = await startScriptedAnthropicApi({ host: "127.0.0.1", port: API_PORT, scenarios: EXTRA_API_SCENARIOS });
  const sessions = new Map();
  let failures = 0;
  try {
    for (const entry of selected()) {
      const first = entry.resumeOf ? sessions.get(entry.resumeOf) : null;
      if (entry.resumeOf && !first) fail(`${entry.name}: ${entry.resumeOf} was not recorded before it`);
      const dirs = first?.dirs ?? { home: join(WORK_ROOT, entry.name, "home"), work: join(WORK_ROOT, entry.name, "work") };
      if (!first) {
        rmSync(join(WORK_ROOT, entry.name), { recursive: true, force: true });
        mkdirSync(dirs.home, { recursive: true });
        mkdirSync(dirs.work, { recursive: true });
      }
      const resumeId = entry.resumeMissing ? MISSING_SESSION_ID : (first?.sessionId ?? null);
      api.clearRequests();
      const recordedAt = new Date().toISOString();
      const r = await runCli(cli.bin, entry, dirs, resumeId);
      const sessionId = sessionIdOf(r.stdout);
      sessions.set(entry.name, { dirs, sessionId });
      const dir = join(fixturesDir, entry.name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "stdout.jsonl"), r.stdout);
      writeFileSync(join(dir, "stderr.txt"), r.stderr);
      const requests = api.requests().map((q) => ({ url: q.url, position: q.position ?? null, attempt: q.attempt ?? null, response: q.response ?? null }));
      const meta = {
        name: entry.name,
        row: entry.row,
        cliVersion: cli.version,
        recordedAt,
        apiScenario: entry.api,
        auth: entry.auth ?? "api-key",
        argv: ["claude", ...r.args],
        env: Object.fromEntries(Object.entries(r.env).map(([k, v]) => [k, k === "ANTHROPIC_API_KEY" || k === "CLAUDE_CODE_OAUTH_TOKEN" ? "<fake>" : v])),
        prompt: r.prompt,
        resumeOf: entry.resumeOf ?? null,
        resumedSessionId: resumeId,
        exitCode: r.exitCode,
        signal: r.signal,
        requests,
        expect: entry.expect,
      };
      writeFileSync(join(dir, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
      log(`${entry.name}: exit ${r.exitCode}${r.signal ? ` (${r.signal})` : ""}, ${r.stdout.split("\n").filter(Boolean).length} stdout lines, ${requests.length} API requests`);
      if (r.signal) failures++;
    }
  } finally {
    await api.close();
    rmSync(WORK_ROOT, { recursive: true, force: true });
  }
  if (!values.only) {
    writeFileSync(manifestPath, `${JSON.stringify({ cliVersion: cli.version, pinned: CLI_VERSION, entries: CORPUS.map((e) => e.name) }, null, 2)}\n`);
  }
  if (failures > 0) fail(`${failures} run(s) were killed by the recorder's timeout`);
}

if (values.expectations) {
  for (const entry of CORPUS) {
    const path = join(fixturesDir, entry.name, "meta.json");
    if (!existsSync(path)) fail(`${entry.name} is not recorded yet`);
    const meta = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, `${JSON.stringify({ ...meta, row: entry.row, expect: entry.expect }, null, 2)}\n`);
  }
  log("expected outcomes rewritten");
} else if (values.inside) {
  await recordInside({ bin: values.cli, version: spawnSync(values.cli, ["--version"], { encoding: "utf8" }).stdout.trim() });
} else {
  const stale = !String(recordedVersion() ?? "").startsWith(CLI_VERSION);
  if (values["if-stale"] && !stale && process.env.CLAUDE_CORPUS_RECORD !== "1") {
    log(`fixtures are recorded with ${CLI_VERSION}: nothing to do`);
    process.exit(0);
  }
  const cli = ensureCli();
  if (run(process.execPath, [join(root, "scripts/dev.mjs"), "pnpm", "--filter", "@clipjob/scripted-anthropic-api", "build"], { cwd: root }) !== 0) {
    fail("building @clipjob/scripted-anthropic-api failed");
  }
  // A fresh network namespace with only loopback: the CLI can reach the scripted API and nothing else. It
  // disappears with the process; nothing is left to delete.
  const status = run("unshare", [
    "--net",
    "--",
    "sh",
    "-c",
    'ip link set lo up && exec "$0" "$@"',
    process.execPath,
    fileURLToPath(import.meta.url),
    "--inside",
    "--cli",
    cli.bin,
    ...(values.only ? ["--only", values.only] : []),
  ]);
  process.exit(status);
}
