import { describe, expect, it } from "vitest";
import { ERROR_CODES, failureOutcome, statusForCode, type RunOutcome } from "@clipjob/core";
import { billingOf, capResultJson, MAX_RESULT_JSON_BYTES, resultFromOutcome } from "./result-from-outcome.js";

const billing = { biller: "anthropic", billingType: "api" } as const;
const workspace = { cwd: "/paperclip/w", workspaceId: "ws-1", repoUrl: "https://git.example/r.git", repoRef: "main" };

const succeeded: RunOutcome = {
  ...failureOutcome({ code: "claude_failed", message: "", durationMs: 1200 }),
  status: "succeeded",
  errorCode: null,
  errorMessage: null,
  exitCode: 0,
  sessionId: "5f0c7a39-7d0e-4c55-9a1c-6b1f6f0e9f31",
  model: "claude-opus-4-7",
  usage: { inputTokens: 1200, cachedInputTokens: 300, outputTokens: 450, cacheCreationInputTokens: 200 },
  costUsd: 0.0123,
  summary: "All done",
  resultJson: { type: "result", subtype: "success", result: "All done" },
  job: { namespace: "agents", name: "ac-builder-1", reattached: false, kept: false },
};

describe("outcome → AdapterExecutionResult", () => {
  it("maps a success with usage, cost, model, billing and the session", () => {
    const result = resultFromOutcome(succeeded, { workspace, resumedSession: null, billing, promptBundleKey: "b".repeat(64) });
    expect(result).toEqual({
      exitCode: 0,
      signal: null,
      timedOut: false,
      errorCode: null,
      errorMessage: null,
      errorFamily: null,
      retryNotBefore: null,
      usage: { inputTokens: 1200, outputTokens: 450, cachedInputTokens: 300 },
      usageBasis: "per_run",
      provider: "anthropic",
      biller: "anthropic",
      billingType: "api",
      model: "claude-opus-4-7",
      costUsd: 0.0123,
      summary: "All done",
      resultJson: { type: "result", subtype: "success", result: "All done" },
      sessionId: succeeded.sessionId,
      sessionParams: { sessionId: succeeded.sessionId, cwd: "/paperclip/w", workspaceId: "ws-1", repoUrl: "https://git.example/r.git", repoRef: "main", promptBundleKey: "b".repeat(64), lastJobName: "ac-builder-1" },
      sessionDisplayId: succeeded.sessionId,
      clearSession: false,
    });
  });

  it.each(ERROR_CODES)("maps error code %s with its message, status flags and meta", (code) => {
    const outcome = failureOutcome({ code, message: `message for ${code}`, errorMeta: { detail: code }, durationMs: 5, exitCode: code === "timeout" ? 143 : null });
    const result = resultFromOutcome(outcome, { workspace: null, resumedSession: { sessionId: "s-prev", lastJobName: "ac-old" }, billing, promptBundleKey: null });
    expect(result.errorCode).toBe(code);
    expect(result.errorMessage).toBe(`message for ${code}`);
    expect(result.errorMeta).toEqual({ detail: code });
    expect(result.timedOut).toBe(statusForCode(code) === "timed_out");
    expect(result.exitCode).toBe(code === "timeout" ? 143 : null);
    expect(result.usageBasis).toBe("per_run");
    expect(result.provider).toBe("anthropic");
    // Nothing ran that could invalidate the session the run was asked to resume: it is kept for the next wake.
    expect(result.sessionParams).toEqual({ sessionId: "s-prev", lastJobName: "ac-old" });
  });

  it("passes the error family and retry time of quota and upstream errors", () => {
    const outcome: RunOutcome = {
      ...failureOutcome({ code: "provider_quota", message: "usage limit", durationMs: 1 }),
      errorFamily: "provider_quota",
      retryNotBefore: "2026-01-01T02:00:00.000Z",
    };
    expect(resultFromOutcome(outcome, { workspace: null, resumedSession: null, billing, promptBundleKey: null })).toMatchObject({
      errorFamily: "provider_quota",
      retryNotBefore: "2026-01-01T02:00:00.000Z",
    });
  });

  it("drops the session when the outcome says it is unusable", () => {
    const outcome: RunOutcome = { ...failureOutcome({ code: "session_unavailable", message: "gone", durationMs: 1, sessionId: "s-1" }), clearSession: true };
    const result = resultFromOutcome(outcome, { workspace, resumedSession: { sessionId: "s-1" }, billing, promptBundleKey: null });
    expect(result).toMatchObject({ clearSession: true, sessionId: null, sessionParams: null, sessionDisplayId: null });
  });

  it("caps resultJson at 64 KiB with a preview", () => {
    expect(capResultJson({ a: 1 })).toEqual({ a: 1 });
    const big = capResultJson({ result: "x".repeat(MAX_RESULT_JSON_BYTES * 2) });
    expect(big).toMatchObject({ truncated: true });
    expect(JSON.stringify(big).length).toBeLessThanOrEqual(MAX_RESULT_JSON_BYTES + 200);
  });
});

describe("billing", () => {
  it.each([
    { name: "Bedrock flag on the host", configEnv: {}, hostEnv: { CLAUDE_CODE_USE_BEDROCK: "1" }, expected: { biller: "aws_bedrock", billingType: "metered_api" } },
    { name: "Bedrock base URL in config", configEnv: { ANTHROPIC_BEDROCK_BASE_URL: "https://bedrock" }, hostEnv: {}, expected: { biller: "aws_bedrock", billingType: "metered_api" } },
    { name: "Bedrock flag as a plain binding", configEnv: { CLAUDE_CODE_USE_BEDROCK: { type: "plain", value: "true" } }, hostEnv: {}, expected: { biller: "aws_bedrock", billingType: "metered_api" } },
    { name: "an API key the pod inherits", configEnv: {}, hostEnv: { ANTHROPIC_API_KEY: "sk" }, expected: { biller: "anthropic", billingType: "api" } },
    { name: "an API key by Secret reference", configEnv: { ANTHROPIC_API_KEY: { secretKeyRef: { name: "s", key: "k" } } }, hostEnv: {}, expected: { biller: "anthropic", billingType: "api" } },
    { name: "no key: a subscription", configEnv: {}, hostEnv: {}, expected: { biller: "anthropic", billingType: "subscription" } },
  ])("$name", ({ configEnv, hostEnv, expected }) => {
    expect(billingOf(configEnv, hostEnv)).toEqual(expected);
  });

  describe("a board cancel is acknowledged only when termination was verified", () => {
    const at = new Date("2026-11-30T05:30:00.000Z");
    const cancelled = (job: RunOutcome["job"]): RunOutcome => ({
      ...failureOutcome({ code: "cancelled", message: "Run cancelled by the operator", durationMs: 900 }),
      job,
    });
    const deleted = { namespace: "agents", name: "ac-builder-1", reattached: false, kept: false } as const;

    it("cancelled with its Job deleted: resultJson.executionCancellation is acknowledged at the finish time", () => {
      const result = resultFromOutcome(cancelled(deleted), { workspace, resumedSession: null, billing, promptBundleKey: null, finishedAt: at });
      expect(result.resultJson).toEqual({ executionCancellation: { state: "acknowledged", acknowledgedAt: "2026-11-30T05:30:00.000Z" } });
    });

    it("cancelled before any Job was created: acknowledged (nothing runs)", () => {
      const result = resultFromOutcome(cancelled(null), { workspace, resumedSession: null, billing, promptBundleKey: null, finishedAt: at });
      expect(result.resultJson?.["executionCancellation"]).toEqual({ state: "acknowledged", acknowledgedAt: "2026-11-30T05:30:00.000Z" });
    });

    it("cancelled but the Job's delete failed: not acknowledged", () => {
      const kept = { ...deleted, kept: true, keptBecause: "delete_failed" } as const;
      const result = resultFromOutcome(cancelled(kept), { workspace, resumedSession: null, billing, promptBundleKey: null, finishedAt: at });
      expect(result.resultJson?.["executionCancellation"]).toBeUndefined();
    });

    it("an ending that is not a cancel carries no acknowledgement", () => {
      const result = resultFromOutcome(succeeded, { workspace, resumedSession: null, billing, promptBundleKey: null, finishedAt: at });
      expect(result.resultJson).toEqual({ type: "result", subtype: "success", result: "All done" });
    });
  });
});
