import { describe, expect, it } from "vitest";
import { request, scenario, scripted, transcriptLines } from "./harness.js";

describe("Claude's own failures are classified from its exit code and transcript", () => {
  it("an is_error result with a non-zero exit is an error (predecessor defect 1: tee hid the exit code)", async () => {
    const s = scenario();
    const { outcome } = await s.run(scripted({ lines: transcriptLines(2, { isError: true }), exitCode: 1 }));
    expect(outcome.status).toBe("failed");
    expect(outcome.exitCode).toBe(1);
    expect(outcome.errorCode).toBe("claude_failed");
    expect(outcome.errorMessage).toContain("Something broke");
    s.dispose();
  });

  it("a stale session clears the session so the next run starts fresh (predecessor looped forever)", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ program: "stale-session", session: { sessionId: "0b7c9a52-0000-4000-8000-000000000001" } }));
    expect(outcome.errorCode).toBe("session_unavailable");
    expect(outcome.clearSession).toBe(true);
    s.dispose();
  });

  it("max turns ends with max_turns_exhausted and clears the session", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ program: "max-turns" }));
    expect(outcome.errorCode).toBe("max_turns_exhausted");
    expect(outcome.clearSession).toBe(true);
    s.dispose();
  });

  it("auth required is its own code with the login URL", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ program: "auth-required" }));
    expect(outcome.errorCode).toBe("claude_auth_required");
    s.dispose();
  });

  it("a rate limit is provider quota or transient upstream, with a retry time when the text says", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ program: "rate-limited" }));
    expect(["provider_quota", "claude_transient_upstream"]).toContain(outcome.errorCode);
    expect(outcome.errorFamily).not.toBeNull();
    s.dispose();
  });

  it("an empty LLM response is llm_api_error", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ program: "empty-response" }));
    expect(outcome.errorCode).toBe("llm_api_error");
    s.dispose();
  });

  it("init-only exit 1 names the model and the exit code", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ program: "init-only" }));
    expect(outcome.status).toBe("failed");
    expect(outcome.exitCode).toBe(1);
    expect(outcome.errorMessage).toMatch(/init/i);
    expect(outcome.errorMessage).toMatch(/exit code 1/);
    s.dispose();
  });

  it("OOMKilled: the message says the container was killed for memory", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ program: "oom", configOverrides: { "resources.requests.memory": "512Mi", "resources.limits.memory": "1Gi" } }));
    expect(outcome.status).toBe("failed");
    expect(outcome.exitCode).toBe(137);
    expect(outcome.errorMessage).toMatch(/OOM/);
    s.dispose();
  });

  it("a run truncated mid-stream is claude_truncated with the pod's cause", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ program: "truncated" }));
    expect(outcome.errorCode).toBe("claude_truncated");
    s.dispose();
  });

  it("a hang after the result event ends graceSec later as the result says, and the hung Job is deleted", async () => {
    const s = scenario();
    const { outcome, seen } = await s.run(request({ program: "hang-after-result", configOverrides: { timeoutSec: 0, graceSec: 30 } }));
    expect(outcome.status).toBe("succeeded");
    expect(outcome.timedOut).toBe(false);
    expect(outcome.sessionId).toBeTruthy();
    expect(outcome.job?.kept).toBe(false);
    expect(seen.progress.some((p) => p.type === "notice" && /did not exit/.test(p.message))).toBe(true);
    s.dispose();
  });
});
