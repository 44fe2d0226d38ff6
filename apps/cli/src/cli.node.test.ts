// The built `clipjob` binary on a real node (kubelet + containerd + runc), as the adapter's least-privilege
// ServiceAccount: the agent pod runs the real `claude` against the scripted Anthropic API, and the CLI shows
// its transcript while it runs.
import { LABEL_AGENT_ID } from "@clipjob/core";
import { beforeAll, describe, expect, it } from "vitest";
import { bashTurn, eventually, QUIET_CLAUDE_ENV, realNode, ScriptedApi, sharedWorkspace, textTurn, type RealNode } from "@clipjob/e2e";
import { KubeAccessAdapter, loadKubeConfig } from "@clipjob/k8s-infra";
import { checkEnvironment } from "./ops/environment-checks.js";
import { cleanEnv, runCliProcess, startCli } from "../test/spawn-cli.js";

let world: RealNode;
let api: ScriptedApi;

beforeAll(async () => {
  world = await realNode();
  if (!world.scriptedApiUrl) throw new Error("the scripted Anthropic API is not running in the real-node world");
  api = new ScriptedApi(world.scriptedApiUrl);
});

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

/** `clipjob run` against the real node, its claude talking to `scenario`. */
function runArgs(scenario: string, agent: string, extra: readonly string[] = []): string[] {
  const env = { ANTHROPIC_BASE_URL: api.scenarioUrl(scenario), ANTHROPIC_API_KEY: "sk-ant-api03-scripted-real-node", ...QUIET_CLAUDE_ENV };
  return [
    "run", "--kubeconfig", world.kubeconfigAdapter, "--namespace", world.namespace, "--image", world.agentImage, "--agent", agent,
    "--set", `env=${JSON.stringify(env)}`, "--set", "graceSec=5", ...extra, "Run the command and report",
  ];
}

async function liveJobs(agent: string): Promise<string[]> {
  const list = await world.admin.get(`/apis/batch/v1/namespaces/${world.namespace}/jobs`, { labelSelector: `${LABEL_AGENT_ID}=${agent}` });
  return (list.items as { metadata: { name: string; deletionTimestamp?: string } }[]).filter((j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name);
}

async function untilNoJobs(agent: string): Promise<void> {
  await eventually(`the Jobs of ${agent} to be gone`, async () => (await liveJobs(agent)).length === 0, { timeoutMs: 60_000, intervalMs: 250 });
}

describe("clipjob run (built CLI) with the real claude on a real node", () => {
  it("shows the transcript live: the Bash tool call appears while claude runs; Ctrl-C cancels and deletes the Job", async () => {
    const agent = unique("cli-live");
    const scenario = await api.define(unique("cli-live"), [bashTurn(`echo started-in-pod; ${api.gateCommand(unique("never"))}`), textTurn("unreachable")]);
    const cli = startCli(runArgs(scenario, agent), { timeoutMs: 200_000, env: cleanEnv() });
    await cli.waitForOutput("● Claude started: session");
    await cli.waitForOutput("started-in-pod"); // the tool call (its command) is on screen while it runs
    expect(await liveJobs(agent)).toHaveLength(1);
    cli.interrupt();
    const result = await cli.done;
    expect(result.timedOut).toBe(false);
    expect(result.stdout).toMatch(/cancelled/);
    await untilNoJobs(agent);
  });

  it("run --json: the real claude's transcript line by line, then the succeeded outcome with its session, usage and cost", async () => {
    const agent = unique("cli-json");
    const scenario = await api.define(unique("cli-json"), [
      bashTurn("echo from-the-pod $(id -u)", { input_tokens: 90, output_tokens: 20 }),
      textTurn("Done.", { input_tokens: 110, output_tokens: 5 }),
    ]);
    const result = await runCliProcess([...runArgs(scenario, agent), "--json"], { timeoutMs: 200_000, env: cleanEnv() });
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; [k: string]: any });
    const lines = rows.filter((r) => r.type === "line").map((r) => String(r.line));
    expect(lines.some((l) => l.includes("from-the-pod 1000"))).toBe(true);
    const outcome = rows.at(-1)!;
    expect(outcome).toMatchObject({ type: "outcome", outcome: { status: "succeeded", errorCode: null, usage: { inputTokens: 200, outputTokens: 25 } } });
    expect(outcome.outcome.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(outcome.outcome.costUsd).toBeGreaterThan(0);
    await untilNoJobs(agent);
  });

  it("doctor: a /paperclip volume the agent uid cannot write (hostPath root 0755, no fsGroup) fails pvc_writable; chowned to 1000 it passes", async () => {
    const kc = loadKubeConfig({ kubeconfigPath: world.kubeconfigAdapter });
    if (!kc.ok) throw new Error(kc.error.message);
    const access = new KubeAccessAdapter(kc.value);
    const rootOwned = await sharedWorkspace(world, { uid: 0, mode: 0o755 });
    const bad = await checkEnvironment({ access, host: rootOwned.host, namespace: world.namespace, secretRef: "paperclip-secrets" });
    expect(bad.checks.find((c) => c.id === "pvc_access_mode")).toMatchObject({ status: "pass" });
    expect(bad.checks.find((c) => c.id === "pvc_writable")).toMatchObject({
      status: "fail",
      message: expect.stringContaining(`PVC ${rootOwned.claim}) is not writable by the agent uid 1000 (uid 0, gid 0, mode 0755)`),
    });
    expect(bad.status).toBe("fail");
    await rootOwned.cleanup();

    const agentOwned = await sharedWorkspace(world, { uid: 1000, mode: 0o755 });
    const good = await checkEnvironment({ access, host: agentOwned.host, namespace: world.namespace, secretRef: "paperclip-secrets" });
    expect(good.checks.find((c) => c.id === "pvc_writable")).toMatchObject({ status: "pass" });
    await agentOwned.cleanup();
  });
});
