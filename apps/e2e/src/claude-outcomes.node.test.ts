// How runs of the real `claude` end when the Messages API misbehaves, on a real node: the codes are the
// ones the recorded corpus (packages/claude-corpus) pins for the same scenarios, here through the whole
// path (agent pod, kubelet, pods/log, the follower, the classifier).
import type { RunRequest } from "@clipjob/core";
import { beforeAll, describe, expect, it } from "vitest";
import { realNode, type RealNode } from "./e2e-real-node.js";
import { createKubeHarness, type KubeHarness } from "./kube-contract-harness.js";
import { bashTurn, errorTurn, events, QUIET_CLAUDE_ENV, ScriptedApi, startRun, textTurn, type ScriptedTurn } from "./real-claude.js";
import { createRealNodeDriver } from "./real-node-driver.js";

let world: RealNode;
let h: KubeHarness;
let api: ScriptedApi;

beforeAll(async () => {
  world = await realNode();
  if (!world.scriptedApiUrl) throw new Error("the scripted Anthropic API is not running in the real-node world");
  api = new ScriptedApi(world.scriptedApiUrl);
  const driver = createRealNodeDriver({ namespace: world.namespace, image: world.agentImage, admin: world.admin });
  h = await createKubeHarness({ kubeconfigPath: world.kubeconfigAdapter, namespace: world.namespace, driver });
});

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

async function runScenario(turns: readonly (ScriptedTurn | readonly ScriptedTurn[])[], config: Record<string, unknown> = {}) {
  const scenario = await api.define(unique("outcome"), turns);
  const req: RunRequest = {
    runId: unique("run"),
    agent: { id: unique("agent"), companyId: "company-1", name: "Builder" },
    taskId: unique("task"),
    config: {
      image: world.agentImage,
      namespace: world.namespace,
      graceSec: 5,
      env: { ANTHROPIC_BASE_URL: api.scenarioUrl(scenario), ANTHROPIC_API_KEY: "sk-ant-api03-scripted-real-node", ...QUIET_CLAUDE_ENV },
      ...config,
    },
  };
  const r = startRun(h, world, req);
  return { outcome: await r.done, seen: r.seen, requests: await api.requests(scenario) };
}

describe("real claude on a real node: API failures end as the corpus says", () => {
  it("max turns: max_turns_exhausted, and the session is cleared", async () => {
    const { outcome, requests } = await runScenario([bashTurn("echo again")], { maxTurnsPerRun: 2 });
    expect(outcome).toMatchObject({ status: "failed", errorCode: "max_turns_exhausted", clearSession: true });
    expect(requests).toHaveLength(2);
  });

  it("429 with retry-after: claude retries after the header's delay (api_retry events), then claude_transient_upstream", async () => {
    // retry-after 3 s is far above the CLI's own backoff for the first retries (~0.5 s, ~1 s, with jitter).
    const { outcome, seen, requests } = await runScenario([errorTurn(429, "Number of request tokens has exceeded your per-minute rate limit", { "retry-after": "3" })]);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" });
    const retries = events(seen.stdout).filter((e) => e.type === "system" && e.subtype === "api_retry");
    expect(retries.length).toBeGreaterThan(0);
    for (const r of retries) {
      expect(r.error_status).toBe(429);
      expect(r.retry_delay_ms).toBeGreaterThanOrEqual(3000);
      expect(r.retry_delay_ms).toBeLessThan(6000);
    }
    expect(requests.every((q) => q.response === 429)).toBe(true);
    expect(requests).toHaveLength(retries.length + 1);
  });

  it("529 overloaded: claude_transient_upstream", async () => {
    const { outcome } = await runScenario([errorTurn(529, "Overloaded")]);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" });
  });

  it("401: claude_auth_required, naming the credential to refresh", async () => {
    const { outcome } = await runScenario([errorTurn(401, "invalid x-api-key")]);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "claude_auth_required" });
    expect(outcome.errorMessage).toMatch(/ANTHROPIC_API_KEY|credential/);
  });

  it("prompt too long: claude_prompt_too_long, and the session is cleared", async () => {
    const { outcome } = await runScenario([errorTurn(400, "prompt is too long: 210000 tokens > 200000 maximum")]);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "claude_prompt_too_long", clearSession: true });
  });

  it("a connection dropped mid-stream on every attempt: claude_transient_upstream", async () => {
    const { outcome, requests } = await runScenario([{ ...textTurn("This answer never arrives whole."), dropAfterEvents: 3 }]);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" });
    expect(requests.every((q) => q.response === "dropped")).toBe(true);
  });
});
