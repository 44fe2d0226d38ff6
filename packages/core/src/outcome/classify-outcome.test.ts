import { describe, expect, it } from "vitest";
import { createTranscriptReducer } from "../stream/transcript-reducer.js";
import type { TranscriptSummary } from "../stream/transcript-summary.js";
import {
  AUTH_REQUIRED,
  EMPTY_LLM_RESPONSE,
  FIXTURE_MODEL,
  FIXTURE_SESSION_ID,
  INIT_ONLY_EXIT_1,
  MAX_TURNS,
  RATE_LIMITED,
  STALE_SESSION,
  STALE_SESSION_ID,
  SUCCESS_WITH_TOOL_USE,
  TRUNCATED,
} from "../stream/testing/fixtures.js";
import type { ClassifyInput, RunEnding } from "./classify-input.js";
import { classifyOutcome } from "./classify-outcome.js";
import type { JobGoneForensics, RunOutcome } from "./run-outcome.js";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const JOB = { namespace: "agents", name: "clipjob-a-1", reattached: false, kept: false };
const COMPLETE: RunEnding = { kind: "job_finished", jobCondition: "Complete" };
const FAILED: RunEnding = { kind: "job_finished", jobCondition: "Failed", jobReason: "BackoffLimitExceeded" };
const FORENSICS: JobGoneForensics = {
  detectedVia: "get-404",
  job: "clipjob-a-1",
  namespace: "agents",
  secondsSincePodRunning: 12,
  pollsSeen: 4,
  watchEventsSeen: 2,
  lastJobConditions: [],
  stdoutBytes: 100,
  stdoutNonEmptyLines: 1,
};
const GONE: RunEnding = { kind: "job_gone", forensics: FORENSICS };

function transcript(lines: readonly string[]): TranscriptSummary {
  const reducer = createTranscriptReducer();
  for (const line of lines) reducer.push(line);
  return reducer.summary();
}

const result = (fields: Record<string, unknown>): string =>
  JSON.stringify({ type: "result", subtype: "success", is_error: false, session_id: "s-result", ...fields });

function classify(lines: readonly string[], over: Partial<ClassifyInput> & { exitCode?: number | null } = {}): RunOutcome {
  const { exitCode, ...rest } = over;
  return classifyOutcome({
    transcript: transcript(lines),
    termination: exitCode === undefined ? { exitCode: 0 } : exitCode === null ? null : { exitCode },
    podPresence: "present",
    ending: COMPLETE,
    job: JOB,
    configuredModel: "configured-model",
    resumedSessionId: null,
    tail: lines.slice(-5),
    nowMs: NOW,
    durationMs: 1234,
    ...rest,
  });
}

describe("success", () => {
  it("a result, no error, exit 0: every field filled from the transcript", () => {
    const o = classify(SUCCESS_WITH_TOOL_USE.lines);
    expect(o).toMatchObject({
      status: "succeeded",
      errorCode: null,
      errorMessage: null,
      errorFamily: null,
      retryNotBefore: null,
      errorMeta: null,
      exitCode: 0,
      signal: null,
      timedOut: false,
      sessionId: FIXTURE_SESSION_ID,
      clearSession: false,
      model: FIXTURE_MODEL,
      usage: { inputTokens: 1512, cachedInputTokens: 28000, outputTokens: 350, cacheCreationInputTokens: 1200 },
      costUsd: 0.0421,
      summary: "Fixed the parser: closing quotes are kept; all 42 tests pass.",
      job: JOB,
      durationMs: 1234,
    });
    expect(o.resultJson).toMatchObject({ type: "result", subtype: "success" });
  });

  it.each<[string, number | null, RunEnding]>([
    ["no exit code but the Job is Complete", null, COMPLETE],
    ["Job gone but the pod's exit code 0 was read", 0, GONE],
  ])("succeeds with %s", (_name, exitCode, ending) => {
    expect(classify(SUCCESS_WITH_TOOL_USE.lines, { exitCode, ending }).status).toBe("succeeded");
  });
});

describe("a result that is not a success (predecessor defect 1: is_error and non-zero exits are errors)", () => {
  it.each<[string, readonly string[], Partial<ClassifyInput> & { exitCode?: number | null }, Partial<RunOutcome>]>([
    [
      "is_error with exit 0 is still an error",
      [result({ is_error: true, result: "Hook PreToolUse crashed" })],
      { exitCode: 0 },
      { status: "failed", errorCode: "claude_failed", errorMessage: "Claude run failed: Hook PreToolUse crashed" },
    ],
    [
      "an error_* subtype without is_error",
      [result({ subtype: "error_during_execution" })],
      { exitCode: 1 },
      { errorCode: "claude_failed", errorMessage: "Claude run failed: subtype=error_during_execution" },
    ],
    [
      "an error result that says nothing",
      [result({ is_error: true })],
      { exitCode: 1 },
      { errorCode: "claude_failed", errorMessage: "Claude reported an error and exited with exit code 1" },
    ],
    [
      "a good result then a kill: the pod's cause is appended",
      [result({ result: "done" })],
      { termination: { exitCode: 137, reason: "OOMKilled" } },
      { errorCode: "claude_failed", signal: "SIGKILL", errorMessage: "Claude wrote its result but exited with code 137 [pod: reason=OOMKilled, exit 137: SIGKILL, likely OOM-killed]" },
    ],
    [
      "a good result, no exit code, Job Failed",
      [result({ result: "done" })],
      { exitCode: null, ending: FAILED },
      { errorCode: "claude_failed", errorMessage: "Claude wrote its result, but the Job failed (BackoffLimitExceeded) before the container's exit code could be read" },
    ],
    [
      "a good result, no exit code, Job gone",
      [result({ result: "done" })],
      { exitCode: null, ending: GONE },
      { errorCode: "k8s_job_deleted_externally", summary: "done" },
    ],
  ])("%s", (_name, lines, over, expected) => {
    expect(classify(lines, over)).toMatchObject(expected);
  });

  it("the job-gone message after a result says the result arrived", () => {
    expect(classify([result({ result: "done" })], { exitCode: null, ending: GONE }).errorMessage).toMatch(/^Claude wrote its result, but .*detected via get-404/);
  });
});

describe("the most specific Claude failure code", () => {
  it("stale session → session_unavailable, clearSession, the id still reported", () => {
    expect(classify(STALE_SESSION.lines, { exitCode: 1, resumedSessionId: STALE_SESSION_ID })).toMatchObject({
      status: "failed",
      errorCode: "session_unavailable",
      clearSession: true,
      sessionId: STALE_SESSION_ID,
      errorMessage: `Claude run failed: subtype=error_during_execution: No conversation found with session ID: ${STALE_SESSION_ID}`,
    });
  });

  it("stale session said only on stderr (no result) when a resume was tried", () => {
    const lines = [`No conversation found with session ID: ${STALE_SESSION_ID}`];
    expect(classify(lines, { exitCode: 1, resumedSessionId: STALE_SESSION_ID })).toMatchObject({
      errorCode: "session_unavailable",
      clearSession: true,
      sessionId: STALE_SESSION_ID,
      errorMessage: `Claude exited with exit code 1: No conversation found with session ID: ${STALE_SESSION_ID}`,
    });
    expect(classify(lines, { exitCode: 1 }).errorCode).toBe("claude_no_result");
  });

  it("max turns → max_turns_exhausted with clearSession", () => {
    expect(classify(MAX_TURNS.lines, { exitCode: 1 })).toMatchObject({
      errorCode: "max_turns_exhausted",
      clearSession: true,
      errorMessage: "Claude run failed: subtype=error_max_turns",
    });
  });

  it("max turns without any wording still gets a message", () => {
    expect(classify([result({ is_error: true, subtype: "success", stop_reason: "max_turns" })], { exitCode: 1 }).errorMessage).toBe("Claude used up its max turns");
  });

  it("an error result whose only error entry is blank is a plain claude_failed", () => {
    expect(classify([result({ is_error: true, subtype: "success", errors: [" "], result: "" })], { exitCode: 1 }).errorCode).toBe("claude_failed");
  });

  it("auth required → claude_auth_required with the login URL", () => {
    expect(classify(AUTH_REQUIRED.lines, { exitCode: 1 })).toMatchObject({
      errorCode: "claude_auth_required",
      errorMeta: { loginUrl: "https://claude.ai/oauth/authorize?code=true" },
      errorMessage: expect.stringContaining("Invalid API key"),
    });
  });

  it("auth required from stderr when there is no result, without a URL", () => {
    expect(classify(["Error: Not logged in · Please run /login"], { exitCode: 1 })).toMatchObject({
      errorCode: "claude_auth_required",
      errorMeta: null,
      // Said in words, with what to refresh; never "/login", which cannot be done in a pod.
      errorMessage:
        "Anthropic refused Claude's credential (Error: Not logged in). No credential is bound to the agent: set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN in the agent's env (adapterConfig.env, by secretKeyRef to a Secret).",
    });
  });

  it("usage limit → provider_quota with the reset time and the limit type", () => {
    expect(classify(RATE_LIMITED.lines, { exitCode: 1 })).toMatchObject({
      status: "failed",
      errorCode: "provider_quota",
      errorFamily: "provider_quota",
      retryNotBefore: "2026-01-01T00:00:00.000Z",
      errorMeta: { rateLimitType: "five_hour" },
    });
  });

  it("a rejected rate_limit_event alone makes an unexplained failure a quota failure, reset from the event", () => {
    const lines = [
      JSON.stringify({ type: "rate_limit_event", rate_limit_info: { status: "rejected", resetsAt: 1773158400 } }),
      result({ is_error: true, result: "Request failed" }),
    ];
    expect(classify(lines, { exitCode: 1 })).toMatchObject({ errorCode: "provider_quota", retryNotBefore: "2026-03-10T16:00:00.000Z", errorMeta: null });
  });

  it("a rejected rate_limit_event whose reset epoch is past the horizon (year 33658) gives no reset time", () => {
    const lines = [
      JSON.stringify({ type: "rate_limit_event", rate_limit_info: { status: "rejected", resetsAt: 1e15 } }),
      result({ is_error: true, result: "Request failed" }),
    ];
    expect(classify(lines, { exitCode: 1 })).toMatchObject({ errorCode: "provider_quota", retryNotBefore: null });
  });

  it("an allowed rate_limit_event is not a limit", () => {
    const lines = [JSON.stringify({ type: "rate_limit_event", rate_limit_info: { status: "allowed_warning" } }), result({ is_error: true, result: "boom" })];
    expect(classify(lines, { exitCode: 1 }).errorCode).toBe("claude_failed");
  });

  it("529 overloaded → claude_transient_upstream", () => {
    const lines = [result({ is_error: true, result: 'API Error: 529 {"type":"error","error":{"type":"overloaded_error"}}' })];
    expect(classify(lines, { exitCode: 1 })).toMatchObject({ errorCode: "claude_transient_upstream", errorFamily: "transient_upstream", retryNotBefore: null });
  });

  it("a limit on stderr without a result", () => {
    expect(classify(["API Error: 429 rate_limit_error, try again in 10 minutes"], { exitCode: 1 })).toMatchObject({
      errorCode: "claude_transient_upstream",
      retryNotBefore: "2026-03-10T12:10:00.000Z",
    });
  });
});

describe("runs without a result", () => {
  it("the container command's writability check (exit 78) → k8s_agent_workspace_not_writable naming the directory and the uid", () => {
    const o = classify(["clipjob: not writable: /paperclip"], {
      exitCode: 78,
      ending: FAILED,
      facts: { memoryLimit: null, anthropicBaseUrl: null, credentials: [], envFromSecrets: [], runAsUser: 1000 },
    });
    expect(o).toMatchObject({ status: "failed", errorCode: "k8s_agent_workspace_not_writable", errorMeta: { notWritable: "/paperclip" } });
    expect(o.errorMessage).toContain("/paperclip is not writable by uid 1000");
  });

  it("exit 78 without the check's line is not a writability failure (Claude's own exit code)", () => {
    expect(classify(["something else"], { exitCode: 78, ending: FAILED }).errorCode).not.toBe("k8s_agent_workspace_not_writable");
  });

  it("job gone with no exit code → k8s_job_deleted_externally with the forensic message", () => {
    const o = classify(TRUNCATED.lines, { exitCode: null, ending: GONE });
    expect(o).toMatchObject({ status: "failed", errorCode: "k8s_job_deleted_externally", exitCode: null });
    expect(o.errorMessage).toContain("detected via get-404; job agents/clipjob-a-1; 12s after the pod started running; 4 polls and 2 watch events seen");
  });

  it("job gone after Claude exited on its own (exit < 128): classified from the transcript", () => {
    expect(classify(TRUNCATED.lines, { exitCode: 1, ending: GONE }).errorCode).toBe("claude_truncated");
  });

  it("job gone and the container was killed by a signal (the deletion's SIGTERM/SIGKILL): deleted externally", () => {
    for (const exitCode of [137, 143]) {
      expect(classify(TRUNCATED.lines, { exitCode, ending: GONE }).errorCode).toBe("k8s_job_deleted_externally");
    }
  });

  it("an empty LLM response → llm_api_error, checked before truncation", () => {
    const withContent = [...EMPTY_LLM_RESPONSE.lines, ...TRUNCATED.lines.slice(1)];
    for (const lines of [EMPTY_LLM_RESPONSE.lines, withContent]) {
      expect(classify(lines, { exitCode: 1 })).toMatchObject({
        errorCode: "llm_api_error",
        errorMessage: expect.stringContaining("empty response (stop_reason null, 0 output tokens)"),
      });
    }
  });

  it.each<[string, Partial<ClassifyInput>, string]>([
    ["OOM-killed", { termination: { exitCode: 137, reason: "OOMKilled" } }, "exit code 137 (SIGKILL, likely OOM-killed), reason=OOMKilled"],
    ["pod gone", { termination: null, podPresence: "gone" }, "the pod is gone (evicted, preempted or deleted) before its exit could be read"],
    ["status not observable yet", { termination: null, podPresence: "present", podPhase: "Failed" }, "pod phase=Failed"],
  ])("content then no result → claude_truncated: %s", (_name, over, cause) => {
    const o = classify(TRUNCATED.lines, over);
    expect(o.errorCode).toBe("claude_truncated");
    expect(o.errorMessage).toMatch(new RegExp(`^Claude's run was cut off mid-stream \\(model ${FIXTURE_MODEL}\\)`));
    expect(o.errorMessage).toContain(cause);
  });

  it("init-only exit → claude_no_result naming model and exit code", () => {
    expect(classify(INIT_ONLY_EXIT_1.lines, { exitCode: 1 })).toMatchObject({
      errorCode: "claude_no_result",
      errorMessage: `Claude exited right after its init event (model ${FIXTURE_MODEL}, exit code 1): the model may be unsupported, or the session was rejected before any output`,
      resultJson: { tail: INIT_ONLY_EXIT_1.lines },
    });
  });

  it.each<[string, readonly string[], number | null, string]>([
    // Valid stream-json that merely lacks a result is not called invalid.
    ["exit 0 without a result", INIT_ONLY_EXIT_1.lines, 0, "Claude exited with code 0 without writing its result event (its stream-json output stops before the result)"],
    // Row 9: the only text printed is quoted.
    ["exit 0, only a line of container-log noise", ["unable to retrieve container logs for containerd://4f2a9c"], 0, "Claude exited with code 0 without a result event; the only text it printed: unable to retrieve container logs for containerd://4f2a9c"],
    ["a crash line", ["Segmentation fault"], 139, "Claude exited with exit code 139: Segmentation fault"],
    ["started, no exit code", INIT_ONLY_EXIT_1.lines, null, `Claude started (model ${FIXTURE_MODEL}) but produced no result`],
    ["nothing at all", [], 1, "Claude exited with exit code 1 and wrote nothing"],
  ])("claude_no_result: %s", (_name, lines, exitCode, message) => {
    const o = classify(lines, { exitCode });
    expect(o.errorCode).toBe("claude_no_result");
    expect(o.errorMessage).toContain(message);
  });

  it("the pod's cause is appended to the generic message, and the signal named", () => {
    expect(classify([], { termination: { exitCode: 143, reason: "Error", signal: 15 } })).toMatchObject({
      errorMessage: "Claude exited with exit code 143 and wrote nothing [pod: reason=Error, signal=SIGTERM, exit 143: SIGTERM]",
      signal: "SIGTERM",
    });
  });
});

describe("endings decided before the transcript", () => {
  it.each<[string, RunEnding, Partial<RunOutcome>]>([
    ["cancel", { kind: "cancelled" }, { status: "cancelled", errorCode: "cancelled", errorMessage: "Run cancelled", timedOut: false }],
    ["cancel with a reason", { kind: "cancelled", reason: "operator" }, { errorMessage: "Run cancelled: operator" }],
    ["deadline", { kind: "deadline", timeoutSec: 600 }, { status: "timed_out", errorCode: "timeout", timedOut: true, errorMessage: "Timed out after 600s", exitCode: 143 }],
    [
      "unreachable is never a timeout (predecessor defect 7)",
      { kind: "unreachable", detail: "API server down for 300s" },
      { status: "unknown", errorCode: "k8s_outcome_unknown", timedOut: false, errorMessage: expect.stringContaining("API server down for 300s") },
    ],
    [
      "state mismatch",
      { kind: "state_mismatch", detail: "Job still active 60s after the log ended" },
      { status: "unknown", errorCode: "k8s_job_state_mismatch", errorMessage: expect.stringContaining("Job agents/clipjob-a-1 did not reach a terminal state") },
    ],
    ["host shutdown keeps the Job for reattach", { kind: "shutdown" }, { status: "unknown", errorCode: "k8s_job_kept_for_reattach", errorMeta: { keptForReattach: true } }],
    ["a claim taken over by another process leaves the Job to it", { kind: "taken_over", by: "replica-b" }, { status: "failed", errorCode: "k8s_concurrent_run_blocked", errorMeta: { takenOverBy: "replica-b" } }],
    [
      "a fatal pod state, with the pod's cause",
      { kind: "pod_fatal", code: "k8s_pod_evicted", message: "Pod evicted: node under memory pressure" },
      { status: "failed", errorCode: "k8s_pod_evicted", errorMessage: "Pod evicted: node under memory pressure [pod: exit 143: SIGTERM]" },
    ],
  ])("%s", (_name, ending, expected) => {
    // A complete, successful transcript: the ending still decides.
    expect(classify(SUCCESS_WITH_TOOL_USE.lines, { ending, exitCode: 143 })).toMatchObject(expected);
  });

  it("keeps what the transcript knew (usage, session, result) on those endings", () => {
    expect(classify(SUCCESS_WITH_TOOL_USE.lines, { ending: { kind: "deadline", timeoutSec: 1 } })).toMatchObject({
      sessionId: FIXTURE_SESSION_ID,
      costUsd: 0.0421,
      resultJson: { type: "result" },
    });
  });
});

describe("identity fields", () => {
  it.each<[string, readonly string[], string | null, string | null]>([
    ["result session wins", [result({ session_id: "from-result" })], "resumed", "from-result"],
    ["transcript session next", TRUNCATED.lines, "resumed", FIXTURE_SESSION_ID],
    ["the resumed session last", ["noise"], "resumed", "resumed"],
    ["none at all", [], null, null],
  ])("sessionId: %s", (_name, lines, resumed, expected) => {
    expect(classify(lines, { resumedSessionId: resumed, exitCode: 1 }).sessionId).toBe(expected);
  });

  it("model falls back to the configured one", () => {
    expect(classify([], { exitCode: 1 }).model).toBe("configured-model");
  });

  it("resultJson without a result is the tail", () => {
    expect(classify(["a", "b"], { exitCode: 1, tail: ["b"] }).resultJson).toEqual({ tail: ["b"] });
  });

  it.each<[string, ClassifyInput["termination"], string | null]>([
    ["kubelet signal", { exitCode: null, signal: 9 }, "SIGKILL"],
    ["exit 137", { exitCode: 137 }, "SIGKILL"],
    ["exit 134", { exitCode: 134 }, "SIGABRT"],
    ["exit 200", { exitCode: 200 }, null],
    ["exit 1", { exitCode: 1 }, null],
    ["no termination", null, null],
  ])("signal from %s", (_name, termination, expected) => {
    expect(classify([], { termination }).signal).toBe(expected);
  });
});
