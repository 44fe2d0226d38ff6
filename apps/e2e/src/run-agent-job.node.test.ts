// The run use case on a real node: runAgentJob with the Kube adapters, as the least-privilege adapter
// ServiceAccount; the agent pod runs the real `claude` 2.1.328 native binary (agent image built by
// apps/e2e/node/images.mjs) under a real kubelet + containerd + runc, talking to the scripted Anthropic API
// through the adapter's env config (ANTHROPIC_BASE_URL). Nothing in the pod is simulated.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { AgentLocks, type HostPort, type RunRequest } from "@clipjob/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@clipjob/kube-test-kit/eventually";
import { realNode, type RealNode } from "./e2e-real-node.js";
import { createKubeHarness, type KubeHarness } from "./kube-contract-harness.js";
import { bashTurn, events, QUIET_CLAUDE_ENV, ScriptedApi, sharedWorkspace, startRun, textTurn, type StartedRun } from "./real-claude.js";
import { createRealNodeDriver } from "./real-node-driver.js";

/** A host process running one heartbeat over the built packages (see the file). */
const HOST_PROCESS = fileURLToPath(new URL("./host-process.mjs", import.meta.url));

let world: RealNode;
let h: KubeHarness;
let api: ScriptedApi;

beforeAll(async () => {
  world = await realNode();
  if (!world.scriptedApiUrl) throw new Error("the scripted Anthropic API is not running in the real-node world (packages/scripted-anthropic-api not built)");
  api = new ScriptedApi(world.scriptedApiUrl);
  const driver = createRealNodeDriver({ namespace: world.namespace, image: world.agentImage, admin: world.admin });
  h = await createKubeHarness({ kubeconfigPath: world.kubeconfigAdapter, namespace: world.namespace, driver });
});
afterAll(async () => {
  await h?.cleanup();
});

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

/** A heartbeat of agent `agentId` whose claude talks to `scenario`. */
function claudeRequest(scenario: string, config: Record<string, unknown> = {}, extra: Partial<RunRequest> = {}): RunRequest {
  const { env, ...rest } = config as { env?: Record<string, string> };
  return {
    runId: unique("run"),
    agent: { id: unique("agent"), companyId: "company-1", name: "Builder" },
    taskId: unique("task"),
    config: {
      image: world.agentImage,
      imagePullPolicy: "IfNotPresent",
      namespace: world.namespace,
      timeoutSec: 0,
      graceSec: 5,
      env: { ANTHROPIC_BASE_URL: api.scenarioUrl(scenario), ANTHROPIC_API_KEY: "sk-ant-api03-scripted-real-node", ...QUIET_CLAUDE_ENV, ...env },
      ...rest,
    },
    ...extra,
  };
}

const run = (req: RunRequest, options = {}, host?: HostPort, locks?: AgentLocks): StartedRun => startRun(h, world, req, options, host, locks);

async function expectJobGone(name: string): Promise<void> {
  await eventually(`Job ${name} to be gone`, async () => (await h.cluster.getJob({ namespace: world.namespace, name })) === null, { timeoutMs: 60_000, intervalMs: 250 });
}

/** For pods whose container never starts (pull failures): small requests keep them schedulable next to pods still terminating. */
const NEVER_STARTS = { requests: { cpu: "50m", memory: "32Mi" } };

const resultOf = (lines: readonly string[]) => events(lines).find((e) => e.type === "result");
const toolResults = (lines: readonly string[]): string[] =>
  events(lines)
    .filter((e) => e.type === "user")
    .flatMap((e) => (e.message?.content ?? []) as any[])
    .filter((c) => c?.type === "tool_result")
    .map((c) => (typeof c.content === "string" ? c.content : (c.content ?? []).map((x: any) => x.text ?? "").join("")));

describe("runAgentJob with the real claude on a real node", () => {
  it("success: claude runs a real Bash tool call in the pod (uid 1000); usage and cost are the run's", async () => {
    const scenario = await api.define(unique("bash"), [
      bashTurn("echo $((6*7)) uid=$(id -u) home=$HOME", { input_tokens: 120, output_tokens: 30 }),
      textTurn("The command printed 42.", { input_tokens: 180, output_tokens: 12 }),
    ]);
    const r = run(claudeRequest(scenario));
    const outcome = await r.done;
    expect(outcome).toMatchObject({ status: "succeeded", errorCode: null, exitCode: 0 });
    // The tool really ran in the container: its output went back to the API as the tool_result.
    expect(toolResults(r.seen.stdout).join("\n")).toContain("42 uid=1000 home=/paperclip");
    const requests = await api.requests(scenario);
    expect(JSON.stringify(requests.at(-1)?.body)).toContain("42 uid=1000 home=/paperclip");
    const init = events(r.seen.stdout).find((e) => e.type === "system" && e.subtype === "init");
    expect(outcome.sessionId).toBe(init?.session_id);
    expect(outcome.usage).toMatchObject({ inputTokens: 300, outputTokens: 42, cachedInputTokens: 0 });
    const result = resultOf(r.seen.stdout);
    expect(result?.total_cost_usd).toBeGreaterThan(0);
    expect(outcome.costUsd).toBeCloseTo(result!.total_cost_usd, 9);
    await expectJobGone(await r.job);
  });

  it("two heartbeats of one agent on a shared RWX volume: the second resumes the session and reports only its own cost", async () => {
    // The Paperclip host pod mounts a PVC at /paperclip; its Jobs inherit it (claude's HOME and sessions).
    // hostPath gets no fsGroup: the agent uid must own the directory.
    const ws = await sharedWorkspace(world, { uid: world.agentUid, mode: 0o755 });
    const host = ws.host;
    const hostDir = ws.dir;
    const usage = { input_tokens: 13, cache_creation_input_tokens: 1500, cache_read_input_tokens: 25000, output_tokens: 42 };
    const scenario = await api.define(unique("resume"), [textTurn("First answer.", usage), textTurn("Second answer.", usage)]);
    const locks = new AgentLocks();
    const first = claudeRequest(scenario);
    const r1 = run(first, {}, host, locks);
    const o1 = await r1.done;
    expect(o1).toMatchObject({ status: "succeeded", errorCode: null });
    expect(o1.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    // claude saved the session on the shared volume (under HOME=/paperclip).
    expect(existsSync(join(hostDir, ".claude"))).toBe(true);
    expect(JSON.stringify(readdirSync(join(hostDir, ".claude/projects"), { recursive: true }))).toContain(o1.sessionId!);

    const r2 = run({ ...claudeRequest(scenario), agent: first.agent, taskId: first.taskId, session: { sessionId: o1.sessionId! } }, {}, host, locks);
    const o2 = await r2.done;
    expect(o2).toMatchObject({ status: "succeeded", errorCode: null, sessionId: o1.sessionId });
    const requests = await api.requests(scenario);
    expect(requests.map((q) => q.position)).toEqual([0, 1]); // the second call carried the first conversation
    const result2 = resultOf(r2.seen.stdout)!;
    // The CLI restores the session's saved cost: total_cost_usd covers both runs, the run reports its own.
    expect(result2.total_cost_usd).toBeCloseTo(o1.costUsd! * 2, 9);
    expect(o2.costUsd).toBeCloseTo(o1.costUsd!, 9);
    expect(o2.usage).toEqual(o1.usage);
    await ws.cleanup();
  });

  it("a tool result line over 16 KiB (several CRI records on the node) arrives whole, once", async () => {
    // 25 000 characters: over one 16 KiB CRI record, under the Bash tool's 30 000-character output cap.
    const scenario = await api.define(unique("huge"), [bashTurn("head -c 25000 /dev/zero | tr '\\0' x; echo"), textTurn("Printed a long line.")]);
    const r = run(claudeRequest(scenario));
    const outcome = await r.done;
    expect(outcome.status).toBe("succeeded");
    const big = r.seen.stdout.filter((l) => l.includes("x".repeat(1000)));
    expect(big).toHaveLength(1);
    expect(big[0]!.length).toBeGreaterThan(25_000);
    expect(toolResults(r.seen.stdout).join("")).toContain("x".repeat(25_000));
    // Every line is one event: no record of the long line leaked as a line of its own.
    expect(r.seen.stdout.every((l) => l.startsWith("{"))).toBe(true);
  });

  it("log rotation during a long run (containerLogMaxSize 64Ki, 3 files): every transcript line arrives once, in order", async () => {
    // 24 tool calls of ~15 KB output each, one a second: ~720 KB of transcript over ~30 s, so the kubelet's
    // log manager (it checks every 10 s) rotates the container log several times while the run follows it.
    const turns = Array.from({ length: 24 }, (_, i) => bashTurn(`sleep 1; for n in $(seq 1 1000); do printf 'chunk-${i}-%s ' "$n"; done; echo`));
    const scenario = await api.define(unique("rotate"), [...turns, textTurn("All chunks printed.")]);
    const r = run(claudeRequest(scenario, { retainJobs: true }));
    const outcome = await r.done;
    expect(outcome.status).toBe("succeeded");
    const results = toolResults(r.seen.stdout);
    expect(results.map((t) => /chunk-(\d+)-1 /.exec(t)?.[1])).toEqual(turns.map((_, i) => String(i)));
    for (const [i, t] of results.entries()) expect(t).toContain(`chunk-${i}-1000`);
    expect(new Set(r.seen.stdout).size).toBe(r.seen.stdout.length);
    expect(events(r.seen.stdout).filter((e) => e.type === "result")).toHaveLength(1);
    // The kubelet really rotated: the retained pod's log dir holds rotated files next to the current one.
    const name = await r.job;
    const podDir = readdirSync(world.podLogsDir).find((d) => d.startsWith(`${world.namespace}_${name}-`));
    expect(podDir).toBeDefined();
    const files = readdirSync(join(world.podLogsDir, podDir!, "claude"));
    expect(files.some((f) => /^0\.log\.\d{8}-\d{6}/.test(f))).toBe(true);
    await h.cluster.deleteJob({ namespace: world.namespace, name }, "Background");
  });

  it("OOMKilled: claude over its memory limit is killed by the kernel, and the message says OOM", async () => {
    const scenario = await api.define(unique("oom"), [textTurn("never read")]);
    const r = run(claudeRequest(scenario, { resources: { requests: { memory: "24Mi" }, limits: { memory: "24Mi" } } }));
    const outcome = await r.done;
    expect(outcome.status).toBe("failed");
    expect(outcome.exitCode).toBe(137);
    expect(outcome.errorMessage).toMatch(/OOM/);
    await expectJobGone(await r.job);
  });

  it("deadline: timeoutSec ends claude with SIGTERM mid tool call; the run is timeout", async () => {
    const scenario = await api.define(unique("deadline"), [bashTurn(api.gateCommand(unique("never"))), textTurn("unreachable")]);
    const r = run(claudeRequest(scenario, { timeoutSec: 8 }));
    await r.line((l) => l.includes('"tool_use"'), "the Bash tool call");
    const outcome = await r.done;
    expect(outcome).toMatchObject({ status: "timed_out", errorCode: "timeout", timedOut: true });
    expect(outcome.exitCode).toBe(143); // SIGTERM: claude exits at once, before the grace period
    await expectJobGone(await r.job);
  });

  it("external delete: the Job deleted by someone else mid-run gives k8s_job_deleted_externally", async () => {
    const scenario = await api.define(unique("extdel"), [bashTurn(api.gateCommand(unique("never"))), textTurn("unreachable")]);
    const r = run(claudeRequest(scenario));
    await r.line((l) => l.includes('"tool_use"'), "the Bash tool call");
    const name = await r.job;
    await world.admin.delete(`/apis/batch/v1/namespaces/${world.namespace}/jobs/${name}`, undefined, { propagationPolicy: "Background" });
    const outcome = await r.done;
    expect(outcome.errorCode).toBe("k8s_job_deleted_externally");
    expect(outcome.errorMessage).toContain(name);
    await expectJobGone(name);
  });

  it("cancel: the run returns cancelled and deletes its Job while claude is mid tool call", async () => {
    const scenario = await api.define(unique("cancel"), [bashTurn(api.gateCommand(unique("never"))), textTurn("unreachable")]);
    const cancel = new AbortController();
    const r = run(claudeRequest(scenario), { cancelSignal: cancel.signal });
    await r.line((l) => l.includes('"tool_use"'), "the Bash tool call");
    cancel.abort();
    const outcome = await r.done;
    expect(outcome).toMatchObject({ status: "cancelled", errorCode: "cancelled" });
    await expectJobGone(await r.job);
  });

  it("host restart mid-run: the host process is SIGKILLed; the next run of the agent reattaches and delivers the orphan's whole transcript", async () => {
    // The Bash tool waits for a gate the test opens only once the second run has adopted the Job, so the
    // orphan is still running when the new host looks, whatever the machine's speed.
    const gate = unique("gate");
    const scenario = await api.define(unique("restart"), [
      bashTurn(`echo before-restart; ${api.gateCommand(gate)}; echo after-restart`),
      textTurn("Finished after the restart."),
    ]);
    const req = claudeRequest(scenario);
    // The killed host's process Lease blocks its agent claims until it expires: a short one keeps the case quick.
    const leaseTiming = { durationSeconds: 6, renewMs: 2_000, pollMs: 500 };
    const host = spawn(process.execPath, [HOST_PROCESS, world.kubeconfigAdapter, JSON.stringify(req)], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, CLIPJOB_E2E_LEASE_TIMING: JSON.stringify(leaseTiming) },
    });
    const seenByFirst: { type: string; name?: string; line?: string }[] = [];
    const toolCallSeen = new Promise<void>((resolve, reject) => {
      createInterface({ input: host.stdout }).on("line", (l) => {
        const msg = JSON.parse(l) as { type: string; name?: string; line?: string };
        seenByFirst.push(msg);
        if (msg.type === "line" && msg.line?.includes('"tool_use"')) resolve();
      });
      host.on("exit", (code) => reject(new Error(`host process exited (${code}) before the tool call`)));
    });
    await toolCallSeen;
    host.kill("SIGKILL");
    await new Promise((r) => host.once("exit", r));
    const orphan = seenByFirst.find((m) => m.type === "job")!.name!;
    const session = JSON.parse(seenByFirst.find((m) => m.line?.includes('"init"'))!.line!).session_id as string;

    const second = startRun(h, world, { ...claudeRequest(scenario), agent: req.agent, taskId: req.taskId, session: { sessionId: session } }, {}, h.host, new AgentLocks({ leaseTiming }));
    expect(await second.job).toBe(orphan);
    // The orphan may finish now: opened before the checks below, so a failing one leaves no pod running.
    await api.openGate(gate);
    // The dead host's claim (its process Lease went unrenewed for its duration) was taken over, not ignored.
    expect(second.seen.notices.some((n) => n.startsWith("Took over ") && n.includes(`from host-process/${host.pid}`)), second.seen.notices.join("\n")).toBe(true);
    const outcome = await second.done;
    expect(outcome).toMatchObject({ status: "succeeded", errorCode: null, sessionId: session, job: { name: orphan, reattached: true } });
    // The orphan's whole transcript, from its init line, each line once.
    const lines = second.seen.stdout;
    expect(events(lines).filter((e) => e.type === "system" && e.subtype === "init")).toHaveLength(1);
    expect(new Set(lines).size).toBe(lines.length);
    expect(toolResults(lines).join("\n")).toMatch(/before-restart\s+after-restart/);
    expect(resultOf(lines)?.result).toBe("Finished after the restart.");
    expect(await api.requests(scenario)).toHaveLength(2); // one claude, two API calls: nothing ran twice
    await expectJobGone(orphan);
  });

  it("missing image with imagePullPolicy Never (ErrImageNeverPull) fails fast with k8s_image_pull_failed", async () => {
    const scenario = await api.define(unique("noimage"), [textTurn("never")]);
    const r = run(claudeRequest(scenario, { image: "localhost/clipjob-absent:never", imagePullPolicy: "Never" }));
    const outcome = await r.done;
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_image_pull_failed" });
    expect(outcome.errorMessage).toContain("ErrImageNeverPull");
    expect(outcome.errorMessage).toContain("localhost/clipjob-absent:never");
    // Definite, so decided on the first report of it (not the bounded wait for a transient pull, not the start timeout).
    expect(outcome.errorMessage).toContain("the image is not present and imagePullPolicy is Never; not retried");
    await expectJobGone(await r.job);
  });

  it("item 7: an image reference the kubelet cannot parse (InvalidImageName) is definite: the run ends at once, saying so", async () => {
    const scenario = await api.define(unique("badref"), [textTurn("never")]);
    // A repository name may not hold capitals; the API server accepts the pod, the kubelet refuses the reference.
    const r = run(claudeRequest(scenario, { image: "localhost/Clipjob-Agent:1", imagePullPolicy: "IfNotPresent", resources: NEVER_STARTS }));
    const outcome = await r.done;
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_image_pull_failed" });
    expect(outcome.errorMessage).toMatch(/\(invalid image name; not retried\): InvalidImageName/);
    await expectJobGone(await r.job);
  });

  it("item 7: a registry that answers 'manifest unknown' (image not found) or 401 (unauthorised) is definite: the run ends at once, saying which", async () => {
    // A registry on the namespace's loopback, which containerd (in the same namespace) pulls from over plain
    // HTTP as it does for any localhost registry: just enough of the distribution API to refuse.
    const registry = await refusingRegistry();
    try {
      for (const [path, cause] of [
        ["clipjob/absent", "image not found"],
        ["private/agent", "the registry refused the credentials (unauthorised)"],
      ] as const) {
        const scenario = await api.define(unique("registry"), [textTurn("never")]);
        const r = run(claudeRequest(scenario, { image: `${registry.host}/${path}:1`, imagePullPolicy: "IfNotPresent", resources: NEVER_STARTS }));
        const outcome = await r.done;
        expect(outcome, outcome.errorMessage ?? "").toMatchObject({ status: "failed", errorCode: "k8s_image_pull_failed" });
        expect(outcome.errorMessage).toContain(`(${cause}; not retried): ErrImagePull`);
        await expectJobGone(await r.job);
      }
      expect(registry.manifestRequests).toEqual(expect.arrayContaining(["clipjob/absent", "private/agent"]));
    } finally {
      await registry.close();
    }
  });

  it("item 7: a registry the node cannot reach (the namespace has no route out) is transient: waited out until the start timeout, then k8s_image_pull_failed saying so", async () => {
    const scenario = await api.define(unique("noroute"), [textTurn("never")]);
    const r = run(claudeRequest(scenario, { image: "registry.invalid/clipjob/absent:1", imagePullPolicy: "IfNotPresent", startTimeoutSec: 20, resources: NEVER_STARTS }));
    const outcome = await r.done;
    expect(outcome, outcome.errorMessage ?? "").toMatchObject({ status: "failed", errorCode: "k8s_image_pull_failed" });
    expect(outcome.errorMessage).toMatch(/^Image pull failed: transient registry errors for \d+s \(until the 20s start timeout\), still failing \(container "claude": (ErrImagePull|ImagePullBackOff): .*registry\.invalid/);
    await expectJobGone(await r.job);
  });
});

describe("the agent image contract on a real node: each missing piece fails fast with its own code", () => {
  it("no claude on the image's PATH (exit 127): k8s_agent_image_invalid naming claude", async () => {
    const scenario = await api.define(unique("noclaude"), [textTurn("never")]);
    const outcome = await run(claudeRequest(scenario, { image: world.agentImageNoClaude })).done;
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_agent_image_invalid", exitCode: 127 });
    expect(outcome.errorMessage).toContain("`claude`");
  });

  it("no sh in the image (the runtime cannot start the command): k8s_agent_image_invalid naming sh", async () => {
    const scenario = await api.define(unique("nosh"), [textTurn("never")]);
    const outcome = await run(claudeRequest(scenario, { image: world.agentImageNoShell })).done;
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_agent_image_invalid" });
    expect(outcome.errorMessage).toContain("no `sh`");
    expect(await api.requests(scenario)).toEqual([]);
  });

  it("/paperclip on a hostPath volume owned by root 0755 (no fsGroup): k8s_agent_workspace_not_writable naming it and uid 1000; claude never starts", async () => {
    const ws = await sharedWorkspace(world, { uid: 0, mode: 0o755 });
    const scenario = await api.define(unique("rootvol"), [textTurn("never")]);
    const outcome = await run(claudeRequest(scenario), {}, ws.host).done;
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_agent_workspace_not_writable", exitCode: 78, sessionId: null });
    expect(outcome.errorMessage).toContain("/paperclip is not writable by uid 1000");
    expect(await api.requests(scenario)).toEqual([]);
    await ws.cleanup();
  });

  it("the same volume made writable for uid 1000 runs, and claude saves its session on it", async () => {
    const ws = await sharedWorkspace(world, { uid: 1000, mode: 0o755 });
    const scenario = await api.define(unique("okvol"), [textTurn("Saved.")]);
    const outcome = await run(claudeRequest(scenario), {}, ws.host).done;
    expect(outcome).toMatchObject({ status: "succeeded", errorCode: null });
    expect(JSON.stringify(readdirSync(join(ws.dir, ".claude/projects"), { recursive: true }))).toContain(outcome.sessionId!);
    await ws.cleanup();
  });
});


interface RefusingRegistry {
  /** 127.0.0.1:<port>, the registry part of an image reference. */
  readonly host: string;
  /** Repositories whose manifest was asked for. */
  readonly manifestRequests: string[];
  close(): Promise<void>;
}

/**
 * A container registry on loopback that refuses every pull the way real ones do (distribution API v2):
 * repositories under `private/` need credentials (401 with a Basic challenge), every other manifest is
 * unknown (404 MANIFEST_UNKNOWN).
 */
async function refusingRegistry(): Promise<RefusingRegistry> {
  const manifestRequests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://registry");
    const manifest = /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(url.pathname);
    const repository = manifest?.[1];
    if (repository !== undefined) manifestRequests.push(repository);
    const body = (status: number, errors: { code: string; message: string }[], headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0", ...headers });
      res.end(req.method === "HEAD" ? undefined : JSON.stringify({ errors }));
    };
    if (repository?.startsWith("private/")) return body(401, [{ code: "UNAUTHORIZED", message: "authentication required" }], { "www-authenticate": 'Basic realm="clipjob-test"' });
    if (repository !== undefined) return body(404, [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }]);
    if (url.pathname === "/v2/" || url.pathname === "/v2") return body(200, []);
    return body(404, [{ code: "NAME_UNKNOWN", message: "repository name not known to registry" }]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    manifestRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
