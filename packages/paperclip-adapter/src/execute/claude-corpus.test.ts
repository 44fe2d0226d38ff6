// The recorded corpus of the real Claude Code CLI (packages/claude-corpus) through runAgentJob on the
// simulated cluster and then Paperclip's result mapping: what Paperclip stores for each row of the outcome
// table (issue #12) — code, family, retry time, session fate, per-run usage and cost, billing.
import { loadCorpus, loadRecording, replayCredentialEnv, replayProgram, type CorpusRecording } from "@clipjob/claude-corpus";
import { AgentLocks, runAgentJob } from "@clipjob/core";
import { FakeCluster, simImage, type Program } from "@clipjob/fake-cluster";
import type { AdapterExecutionResult } from "@paperclipai/adapter-utils";
import { describe, expect, it } from "vitest";
import { billingOf, resultFromOutcome } from "./result-from-outcome.js";

type Ctx = Parameters<Program>[0];

interface Run {
  readonly recording: CorpusRecording;
  readonly memoryLimit?: string;
  readonly after?: (ctx: Ctx) => Promise<void>;
}

let counter = 0;

/** Replays a recording in a container of a fresh simulated cluster and maps the outcome for Paperclip. */
async function paperclipResult({ recording: r, memoryLimit, after }: Run): Promise<AdapterExecutionResult> {
  const fake = new FakeCluster({ seed: 1, namespace: "clipjob", startTime: r.recordedAt });
  try {
    counter += 1;
    const program = `corpus-${counter}`;
    fake.registerProgram(program, replayProgram(r, after));
    const env = replayCredentialEnv(r);
    const config = {
      image: simImage(program),
      timeoutSec: 0,
      env,
      ...(memoryLimit ? { resources: { requests: { memory: memoryLimit }, limits: { memory: memoryLimit } } } : {}),
    };
    const session = r.resumedSessionId ? { sessionId: r.resumedSessionId } : null;
    const deps = { cluster: fake.cluster, logs: fake.logs, host: fake.host, leases: fake.leases, clock: fake.clock, defaultNamespace: "clipjob", locks: new AgentLocks() };
    const outcome = await runAgentJob(deps, { runId: `run-${counter}`, agent: { id: "agent-7f3a", companyId: "c-1", name: "Builder" }, taskId: "t-1", config, session });
    return resultFromOutcome(outcome, { workspace: null, resumedSession: session, billing: billingOf(env, {}), promptBundleKey: null });
  } finally {
    fake.dispose();
  }
}

const corpus = loadCorpus();

describe("recorded corpus → Paperclip result", () => {
  it.each(corpus.map((r) => [r.name, r] as const))("%s", async (_name, r) => {
    const result = await paperclipResult({ recording: r });
    expect(result.errorCode ?? null).toBe(r.expect.errorCode);
    if (r.expect.errorFamily !== undefined) expect(result.errorFamily ?? null).toBe(r.expect.errorFamily);
    if (r.expect.clearSession) {
      expect(result).toMatchObject({ clearSession: true, sessionId: null, sessionParams: null });
    }
    // Usage is this run's: the basis Paperclip is told is true.
    expect(result.usageBasis).toBe("per_run");
    expect(result).toMatchObject({ provider: "anthropic", biller: "anthropic", billingType: r.auth === "oauth" ? "subscription" : "api" });
    expect(result.exitCode).toBe(r.exitCode);
  });
});

describe("rows of the outcome table, as Paperclip stores them", () => {
  it("row 1: a resumed run's usage and cost are this run's, not the session's", async () => {
    const result = await paperclipResult({ recording: loadRecording("resume-second") });
    expect(result.usage).toEqual({ inputTokens: 1513, outputTokens: 42, cachedInputTokens: 25000 });
    expect(result.costUsd).toBeCloseTo(0.013392, 9);
    expect(result.usageBasis).toBe("per_run");
  });

  it("row 2: prompt too long clears the session, and the run cost nothing", async () => {
    const result = await paperclipResult({ recording: loadRecording("prompt-too-long-resume-second") });
    expect(result).toMatchObject({ errorCode: "claude_prompt_too_long", clearSession: true, sessionId: null, costUsd: 0 });
  });

  it("row 3: transient upstream failures carry Paperclip's transient family", async () => {
    for (const name of ["api-500", "api-529", "api-429", "connection-dropped-mid-stream", "connection-reset"]) {
      expect(await paperclipResult({ recording: loadRecording(name) })).toMatchObject({ errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" });
    }
  });

  it("row 4: a subscription limit is provider_quota with retryNotBefore = the event's reset", async () => {
    const r = loadRecording("subscription-five-hour");
    const event = r.stdoutLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e["type"] === "rate_limit_event")!;
    const resetsAt = (event["rate_limit_info"] as { resetsAt: number }).resetsAt;
    const result = await paperclipResult({ recording: r });
    expect(result).toMatchObject({ errorCode: "provider_quota", errorFamily: "provider_quota", retryNotBefore: new Date(resetsAt * 1000).toISOString(), billingType: "subscription" });
    expect(result.errorMeta).toMatchObject({ rateLimitType: "five_hour" });
    expect(result.errorMessage).not.toMatch(/\d{10}/);
  });

  it.each([
    ["oauth-expired", "claude_auth_required", /CLAUDE_CODE_OAUTH_TOKEN \(from the run's payload Secret/],
    ["api-401", "claude_auth_required", /ANTHROPIC_API_KEY \(from the run's payload Secret/],
    ["api-403", "claude_access_denied", /refused access for model claude-opus-5-5/],
    ["api-404-unknown-model", "claude_model_unavailable", /Pick another model/],
    ["connection-refused", "claude_upstream_unreachable", /could not reach Anthropic's API/],
  ])("rows 5, 6, 7, 11c: %s → %s", async (name, code, message) => {
    const result = await paperclipResult({ recording: loadRecording(name) });
    expect(result.errorCode).toBe(code);
    expect(result.errorMessage).toMatch(message);
    expect(result.errorMessage).not.toMatch(/\/login|[{}]/);
  });

  it("row 8: OOM after assistant messages reports the summed usage, marked partial", async () => {
    const r = loadRecording("success-bash-echo");
    const result = await paperclipResult({
      recording: { ...r, stdoutLines: r.stdoutLines.filter((l) => !l.includes('"type":"result"')) },
      memoryLimit: "256Mi",
      after: async (ctx) => ctx.allocate(512 * 1024 * 1024),
    });
    expect(result).toMatchObject({ errorCode: "claude_truncated", usageBasis: "per_run", costUsd: null });
    expect(result.usage!.inputTokens).toBeGreaterThan(9000);
    expect(result.errorMeta).toMatchObject({ usagePartial: true });
  });

  it("row 9: exit 0 with only log noise quotes it", async () => {
    const noise = "unable to retrieve container logs for containerd://3f9c2a7d1e";
    const result = await paperclipResult({ recording: { ...loadRecording("success-text"), stdoutLines: [noise], stderrLines: [], exitCode: 0 } });
    expect(result).toMatchObject({ errorCode: "claude_no_result", errorMessage: expect.stringContaining(noise) });
  });

  it("row 10: success then exit 1 at shutdown is a success with the exit code kept as a warning", async () => {
    const result = await paperclipResult({ recording: { ...loadRecording("success-text"), stderrLines: ["MCP server failed at shutdown"], exitCode: 1 } });
    expect(result).toMatchObject({ errorCode: null, exitCode: 1, errorMeta: { warning: expect.stringContaining("exited with code 1 after its success result") } });
    expect(result.costUsd).toBeCloseTo(0.018264, 9);
  });

  it("row 11b: OOM before any output names the memory limit", async () => {
    const result = await paperclipResult({
      recording: { ...loadRecording("success-text"), stdoutLines: [], stderrLines: [] },
      memoryLimit: "300Mi",
      after: async (ctx) => ctx.allocate(1024 * 1024 * 1024),
    });
    expect(result).toMatchObject({ errorCode: "claude_truncated", exitCode: 137, errorMessage: expect.stringContaining("memory limit of 300Mi") });
  });

  it("row 11a: claude missing from the image's PATH", async () => {
    const result = await paperclipResult({ recording: { ...loadRecording("success-text"), stdoutLines: [], stderrLines: ["sh: 1: exec: claude: not found"], exitCode: 127 } });
    expect(result).toMatchObject({ errorCode: "k8s_agent_image_invalid", exitCode: 127, errorMessage: expect.stringContaining("no `claude` on its PATH") });
  });

  it("row 11a: an image without sh (StartError, exit 128)", async () => {
    const fake = new FakeCluster({ seed: 1, namespace: "clipjob" });
    try {
      const deps = { cluster: fake.cluster, logs: fake.logs, host: fake.host, leases: fake.leases, clock: fake.clock, defaultNamespace: "clipjob", locks: new AgentLocks() };
      const outcome = await runAgentJob(deps, { runId: "run-no-sh", agent: { id: "agent-7f3a", companyId: "c-1", name: "Builder" }, taskId: "t-1", config: { image: simImage("no-shell"), timeoutSec: 0 } });
      const result = resultFromOutcome(outcome, { workspace: null, resumedSession: null, billing: billingOf({}, {}), promptBundleKey: null });
      expect(result).toMatchObject({ errorCode: "k8s_agent_image_invalid", exitCode: 128, errorMessage: expect.stringContaining("the agent image has no `sh`") });
    } finally {
      fake.dispose();
    }
  });

  it("row 12: a run that recovered after api_retry succeeds with its own cost", async () => {
    const result = await paperclipResult({ recording: loadRecording("api-500-then-success") });
    expect(result).toMatchObject({ errorCode: null, costUsd: 0.018275999999999997 });
  });
});
