// The recorded corpus of the real Claude Code CLI (packages/claude-corpus), replayed byte for byte by a
// container of the simulated cluster, through runAgentJob: every recording must give its expected outcome,
// and every row of the outcome table (issue #12) is asserted with the value it names. Rows that come from
// Kubernetes or bug reports rather than the CLI's conversation use small transcripts of the same shape,
// built from the recordings.
import { loadCorpus, loadRecording, replayCredentialEnv, replayProgram, type CorpusRecording } from "@clipjob/claude-corpus";
import type { RunOutcome } from "@clipjob/core";
import type { Program } from "@clipjob/fake-cluster";
import { afterEach, describe, expect, it } from "vitest";
import { request, scenario, type Scenario } from "./harness.js";

const opened: Scenario[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.dispose();
});

interface ReplayOptions {
  readonly env?: Record<string, unknown>;
  readonly memoryLimit?: string;
  readonly after?: (ctx: Parameters<Program>[0]) => Promise<void>;
  readonly startTime?: string;
}

/** Runs a recording (or a transcript of the same shape) through runAgentJob on a fresh simulated cluster. */
async function run(r: CorpusRecording, options: ReplayOptions = {}): Promise<RunOutcome> {
  const s = scenario({ startTime: options.startTime ?? r.recordedAt });
  opened.push(s);
  const program = `corpus-${r.name}`;
  s.fake.registerProgram(program, replayProgram(r, options.after));
  const credential = replayCredentialEnv(r);
  const { outcome } = await s.run(
    request({
      program,
      ...(r.resumedSessionId ? { session: { sessionId: r.resumedSessionId } } : {}),
      configOverrides: {
        env: { ...credential, ...options.env },
        ...(options.memoryLimit ? { resources: { requests: { memory: options.memoryLimit }, limits: { memory: options.memoryLimit } } } : {}),
      },
    }),
  );
  return outcome;
}

/** The recording with some of its lines replaced (a transcript of the same shape). */
function variant(name: string, change: Partial<CorpusRecording>): CorpusRecording {
  return { ...loadRecording(name), ...change, name: `${name}-variant` };
}

function parse(line: string): Record<string, unknown> {
  return JSON.parse(line) as Record<string, unknown>;
}

const corpus = loadCorpus();

describe("the recorded corpus through runAgentJob", () => {
  it.each(corpus.map((r) => [r.name, r] as const))("%s gives its expected outcome", async (_name, r) => {
    const outcome = await run(r);
    expect({ status: outcome.status, errorCode: outcome.errorCode }).toEqual({ status: r.expect.status, errorCode: r.expect.errorCode });
    if (r.expect.errorFamily !== undefined) expect(outcome.errorFamily).toBe(r.expect.errorFamily);
    if (r.expect.clearSession !== undefined) expect(outcome.clearSession).toBe(r.expect.clearSession);
    expect(outcome.exitCode).toBe(r.exitCode);
    // No user-facing message carries an epoch, a JSON blob or an instruction impossible in a pod.
    const message = outcome.errorMessage ?? "";
    expect(message).not.toMatch(/\b1[6-9]\d{8}\b/);
    expect(message).not.toMatch(/[{}]/);
    expect(message).not.toMatch(/\/login|--model to pick|Run --model/);
  });
});

describe("rows of the outcome table, asserted on the recordings", () => {
  it("row 1: a resumed run reports this run's cost and tokens, never the session totals", async () => {
    const r = loadRecording("resume-second");
    const result = parse(r.stdoutLines.at(-1)!);
    const since = result["model_usage_since_last_result"] as Record<string, { costUSD: number }>;
    const runCost = Object.values(since).reduce((sum, m) => sum + m.costUSD, 0);
    expect(result["total_cost_usd"]).toBeCloseTo(2 * runCost, 9); // the CLI's session total
    const outcome = await run(r);
    expect(outcome.costUsd).toBeCloseTo(runCost, 12);
    expect(outcome.costUsd).toBeCloseTo(0.013392, 9);
    expect(outcome.usage).toEqual({ inputTokens: 13 + 1500, cachedInputTokens: 25000, outputTokens: 42, cacheCreationInputTokens: 1500 });
    // The first run of the session reports the same per-run figures: nothing is counted twice.
    const first = await run(loadRecording("resume-first"));
    expect(first.costUsd).toBeCloseTo(0.013392, 9);
    expect(first.usage).toEqual(outcome.usage);
  });

  it("row 1: cache usage is counted (creation as input, reads as cached)", async () => {
    const outcome = await run(loadRecording("success-cache-usage"));
    expect(outcome.usage).toEqual({ inputTokens: 7 + 2048, cachedInputTokens: 30000, outputTokens: 21, cacheCreationInputTokens: 2048 });
    expect(outcome.costUsd).toBeCloseTo(0.016688, 9);
  });

  it("row 2: a resumed session whose prompt is too long clears the session and reports no cost of earlier runs", async () => {
    const outcome = await run(loadRecording("prompt-too-long-resume-second"));
    expect(outcome).toMatchObject({ status: "failed", errorCode: "claude_prompt_too_long", clearSession: true, costUsd: 0 });
    expect(outcome.usage).toEqual({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0 });
    expect(outcome.errorMessage).toBe(
      "Claude's conversation no longer fits the model's context window (prompt too long, and compacting it failed). The session is cleared, so the next run starts a fresh one.",
    );
  });

  it("row 3: 500, 529, 429 and dropped connections are transient, in words", async () => {
    const o500 = await run(loadRecording("api-500"));
    expect(o500.errorMessage).toBe(
      "Anthropic's API at 127.0.0.1:8080 failed (HTTP 500 api_error) after 2 retries: API Error: 500 Internal server error. This is usually temporary; a later run will likely succeed.",
    );
    const dropped = await run(loadRecording("connection-dropped-mid-stream"));
    expect(dropped.errorMessage).toMatch(/^The connection to Anthropic's API at api\.anthropic\.com dropped after 2 retries: API Error: Connection dropped \(ECONNRESET\)\. This is usually temporary/);
    // An older CLI's wording with the JSON body: same code, the JSON turned into its message.
    const older = variant("api-500", {
      stdoutLines: [JSON.stringify({ type: "result", subtype: "success", is_error: true, result: 'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}', session_id: "s-1" })],
    });
    const o = await run(older);
    expect(o).toMatchObject({ errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" });
    expect(o.errorMessage).not.toMatch(/[{}]/);
    // The bug reports' wording with neither a status nor a code: transient from the words alone.
    const words = variant("api-500", {
      stdoutLines: [JSON.stringify({ type: "result", subtype: "success", is_error: true, result: "API Error: Repeated server overload · usually temporary — try again in a moment", session_id: "s-1" })],
    });
    expect(await run(words)).toMatchObject({ errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" });
  });

  describe("row 4: subscription limits → provider_quota with retryNotBefore", () => {
    it.each([
      ["subscription-five-hour", "five_hour", "5-hour"],
      ["subscription-weekly", "seven_day", "weekly"],
    ])("%s: from the rate_limit_event", async (name, type, words) => {
      const r = loadRecording(name);
      const event = r.stdoutLines.map(parse).find((e) => e["type"] === "rate_limit_event")!;
      const resetsAt = (event["rate_limit_info"] as { resetsAt: number }).resetsAt;
      const outcome = await run(r);
      expect(outcome).toMatchObject({ errorCode: "provider_quota", errorFamily: "provider_quota", retryNotBefore: new Date(resetsAt * 1000).toISOString() });
      expect(outcome.errorMeta).toMatchObject({ rateLimitType: type });
      expect(outcome.errorMessage).toMatch(new RegExp(`^Claude's ${words} usage limit is reached; it resets \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(in \\d+ [dh]`));
    });

    it.each(["subscription-five-hour", "subscription-weekly"])("%s: without the event, from the text (date and zone, next occurrence)", async (name) => {
      const r = loadRecording(name);
      const event = r.stdoutLines.map(parse).find((e) => e["type"] === "rate_limit_event")!;
      const resetsAt = (event["rate_limit_info"] as { resetsAt: number }).resetsAt;
      // An older CLI: no rate_limit_event, no api_error fields; only the words.
      const words = r.stdoutLines
        .map(parse)
        .filter((e) => e["type"] === "system" || e["type"] === "result")
        .map((e) => {
          const { api_error: _a, api_error_status: _s, api_error_type: _t, ...rest } = e;
          return JSON.stringify(rest);
        });
      const outcome = await run({ ...r, name: `${name}-words`, stdoutLines: words });
      expect(outcome).toMatchObject({ errorCode: "provider_quota", errorFamily: "provider_quota" });
      // The text says the minute: the event's time, to the minute.
      expect(outcome.retryNotBefore).toBe(new Date(Math.floor(resetsAt / 60) * 60_000).toISOString());
    });

    it("Asia/Calcutta with a date, and an epoch-only older message", async () => {
      const base = loadRecording("subscription-weekly");
      const result = (text: string) => JSON.stringify({ type: "result", subtype: "success", is_error: true, result: text, session_id: "s-2" });
      const zoned = await run({ ...base, name: "calcutta", stdoutLines: [result("You've hit your weekly limit · resets Jan 3 at 4:30am (Asia/Calcutta)")] }, { startTime: "2026-11-30T00:00:00Z" });
      expect(zoned.retryNotBefore).toBe("2027-01-02T23:00:00.000Z");
      const epoch = await run({ ...base, name: "epoch", stdoutLines: [result("Claude AI usage limit reached|1796007180")] }, { startTime: "2026-11-30T00:00:00Z" });
      expect(epoch).toMatchObject({ errorCode: "provider_quota", retryNotBefore: "2026-11-30T02:53:00.000Z" });
      expect(epoch.errorMessage).toBe(
        "Claude's usage limit or API quota is exhausted; it resets 2026-11-30 02:53 UTC (in 2 h 53 min), and runs before then fail the same way. Wait for the reset, or raise the plan's or the API key's limit.",
      );
    });
  });

  describe("row 5: authentication", () => {
    it("an expired OAuth token names the credential binding to refresh", async () => {
      const outcome = await run(loadRecording("oauth-expired"));
      expect(outcome.errorCode).toBe("claude_auth_required");
      expect(outcome.errorMessage).toMatch(/^Anthropic refused Claude's credential \(HTTP 401 authentication_error: Failed to authenticate\. API Error: 401 OAuth token has expired\./);
      expect(outcome.errorMessage).toMatch(/Refresh the credential the agent's pod gets: CLAUDE_CODE_OAUTH_TOKEN \(from the run's payload Secret clipjob\/clipjob-agent-[a-z0-9-]+/);
    });

    it("an invalid API key names ANTHROPIC_API_KEY and where the pod gets it", async () => {
      const outcome = await run(loadRecording("api-401"));
      expect(outcome.errorCode).toBe("claude_auth_required");
      expect(outcome.errorMessage).toContain("Invalid API key");
      expect(outcome.errorMessage).toContain("ANTHROPIC_API_KEY (from the run's payload Secret");
    });

    it.each([
      ["in the result", { stdout: [JSON.stringify({ type: "result", subtype: "success", is_error: true, result: "Failed to authenticate: OAuth session expired and could not be refreshed", session_id: "s" })], stderr: [] }],
      ["on stderr only", { stdout: [], stderr: ["Failed to authenticate: OAuth session expired and could not be refreshed"] }],
    ])("the bug report's wording %s", async (_where, lines) => {
      const outcome = await run({ ...loadRecording("oauth-expired"), name: "oauth-words", stdoutLines: lines.stdout, stderrLines: lines.stderr, exitCode: 1 });
      expect(outcome.errorCode).toBe("claude_auth_required");
      expect(outcome.errorMessage).not.toMatch(/\/login/);
    });
  });

  it("row 6: a 403 is access denied, not a generic failure", async () => {
    const outcome = await run(loadRecording("api-403"));
    expect(outcome.errorCode).toBe("claude_access_denied");
    expect(outcome.errorMessage).toMatch(/^Anthropic accepted Claude's credential but refused access for model claude-opus-5-5 \(HTTP 403 permission_error: .*organization does not have access/);
  });

  it("row 7: an unknown model says to pick another model", async () => {
    const outcome = await run(loadRecording("api-404-unknown-model"));
    expect(outcome.errorCode).toBe("claude_model_unavailable");
    expect(outcome.errorMessage).toBe(
      "Claude cannot use model claude-nonexistent-model (HTTP 404 not_found_error): it does not exist, or this credential has no access to it. Pick another model in the agent's `model` setting.",
    );
  });

  it("row 8: killed by OOM after assistant messages: usage summed once per message id, marked partial", async () => {
    const r = loadRecording("success-bash-echo");
    // The CLI writes one assistant event per content block, each with its message's full usage: every assistant
    // line is sent twice here, so counting per event instead of per message id would double the figures.
    const withoutResult = r.stdoutLines.filter((l) => !l.includes('"type":"result"'));
    const perBlock = withoutResult.flatMap((l) => (l.includes('"type":"assistant"') ? [l, l] : [l]));
    const outcome = await run({ ...r, name: "oom-after-work", stdoutLines: perBlock }, { memoryLimit: "256Mi", after: async (ctx) => ctx.allocate(512 * 1024 * 1024) });
    const ids = new Map<string, Record<string, number>>();
    for (const e of withoutResult.map(parse).filter((x) => x["type"] === "assistant")) {
      const m = e["message"] as { id: string; usage: Record<string, number> };
      if (!ids.has(m.id)) ids.set(m.id, m.usage);
    }
    const sum = (k: string) => [...ids.values()].reduce((a, u) => a + (u[k] ?? 0), 0);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "claude_truncated", exitCode: 137 });
    expect(outcome.usage).toEqual({ inputTokens: sum("input_tokens") + sum("cache_creation_input_tokens"), cachedInputTokens: sum("cache_read_input_tokens"), outputTokens: sum("output_tokens"), cacheCreationInputTokens: sum("cache_creation_input_tokens"), partial: true });
    expect(outcome.usage!.inputTokens).toBeGreaterThan(9000);
    expect(outcome.errorMeta).toMatchObject({ usagePartial: true });
    expect(outcome.errorMessage).toContain("memory limit 256Mi");
  });

  it("row 9: exit 0 with only container-log noise quotes that text", async () => {
    const noise = "unable to retrieve container logs for containerd://3f9c2a7d1e";
    const outcome = await run({ ...loadRecording("success-text"), name: "log-noise", stdoutLines: [noise], stderrLines: [], exitCode: 0 });
    expect(outcome.errorCode).toBe("claude_no_result");
    expect(outcome.errorMessage).toBe(`Claude exited with code 0 without a result event; the only text it printed: ${noise}`);
  });

  it("row 9: valid stream-json without a result is not called invalid stream-json", async () => {
    const r = loadRecording("success-text");
    const outcome = await run({ ...r, name: "no-result", stdoutLines: r.stdoutLines.slice(0, 1), exitCode: 0 });
    expect(outcome.errorMessage).not.toMatch(/not valid stream-json/);
  });

  it("row 10: a success result, then exit 1 from an MCP server failing at shutdown, succeeds with a warning", async () => {
    const r = loadRecording("success-text");
    const outcome = await run({ ...r, name: "mcp-shutdown", stderrLines: ["MCP server \"github\" failed to shut down: EPIPE"], exitCode: 1 });
    expect(outcome).toMatchObject({ status: "succeeded", errorCode: null, exitCode: 1 });
    expect(outcome.errorMeta).toMatchObject({ warning: expect.stringContaining("Claude exited with code 1 after its success result") });
    expect(outcome.costUsd).toBeCloseTo(0.018264, 9);
  });

  describe("row 11", () => {
    async function runProgram(program: string, config: Record<string, unknown> = {}): Promise<RunOutcome> {
      const s = scenario({ startTime: "2026-11-30T00:00:00Z" });
      opened.push(s);
      return (await s.run(request({ program, configOverrides: config }))).outcome;
    }

    it("11a: an image without sh (StartError, exit 128) names sh", async () => {
      const outcome = await runProgram("no-shell");
      expect(outcome).toMatchObject({ errorCode: "k8s_agent_image_invalid", exitCode: 128 });
      expect(outcome.errorMessage).toMatch(/^Claude never started: the agent image has no `sh`/);
    });

    it("11a: claude not on the image's PATH (exit 127) names claude", async () => {
      const outcome = await runProgram("claude-missing");
      expect(outcome).toMatchObject({ errorCode: "k8s_agent_image_invalid", exitCode: 127 });
      expect(outcome.errorMessage).toMatch(/^Claude never started: the agent image has no `claude` on its PATH \(exit code 127: sh: 1: exec: claude: not found\)/);
    });

    it("11b: OOM-killed before any output names the memory limit", async () => {
      const outcome = await run({ ...loadRecording("success-text"), name: "oom-at-once", stdoutLines: [], stderrLines: [] }, { memoryLimit: "300Mi", after: async (ctx) => ctx.allocate(1024 * 1024 * 1024) });
      expect(outcome).toMatchObject({ errorCode: "claude_truncated", exitCode: 137 });
      expect(outcome.errorMessage).toMatch(/^Claude was OOM-killed before it wrote anything: the container exceeded its memory limit of 300Mi/);
    });

    it("11c: a refused connection names the API host (ANTHROPIC_BASE_URL)", async () => {
      const outcome = await run(loadRecording("connection-refused"), { env: { ANTHROPIC_BASE_URL: "http://claude-gateway.internal:8081" } });
      expect(outcome).toMatchObject({ errorCode: "claude_upstream_unreachable", errorFamily: "transient_upstream" });
      expect(outcome.errorMessage).toMatch(/^Claude could not reach Anthropic's API at claude-gateway\.internal:8081 after 2 retries \(API Error: Connection refused — a firewall or proxy may be blocking it \(ECONNREFUSED\)\)\. Check ANTHROPIC_BASE_URL/);
    });
  });

  it("row 12: api_retry events are read (a retried run still succeeds; a run killed while retrying is transient)", async () => {
    const ok = await run(loadRecording("api-429-then-success"));
    expect(ok).toMatchObject({ status: "succeeded", errorCode: null });
    const r = loadRecording("api-529");
    const retriesOnly = r.stdoutLines.filter((l) => l.includes('"subtype":"api_retry"') || l.includes('"subtype":"init"'));
    const killed = await run({ ...r, name: "killed-while-retrying", stdoutLines: retriesOnly, exitCode: 143 });
    expect(killed).toMatchObject({ errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" });
    expect(killed.errorMessage).toMatch(/HTTP 529.*after 2 retries/);
  });
});
