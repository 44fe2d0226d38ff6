// Messages users read: no epoch, no JSON blob, nothing impossible in a pod ("/login"); reset times in UTC
// and relative; auth failures name the credential and where it comes from.
import { describe, expect, it } from "vitest";
import { CLAUDE_FAILURE_EVIDENCE, claudeFailureCode, failureEvidence } from "./claude-failure-evidence.js";
import { CODE_FAMILIES, ERROR_CODES } from "./error-codes.js";
import { credentialAdvice, plainDetail, providerQuotaMessage, relativeTime, resetTimeInWords } from "./messages.js";

const NOW = Date.parse("2026-11-30T00:53:00Z");

describe("plainDetail", () => {
  it.each<[string, string, string]>([
    ["a JSON error body becomes its message", 'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}', "API Error: 500 Internal server error"],
    ["an epoch after the pipe is dropped", "Claude AI usage limit reached|1767232800", "Claude AI usage limit reached"],
    ["a /login instruction is cut", "Invalid API key · Please run /login", "Invalid API key"],
    ["a --model instruction is cut", "There's an issue with the selected model (x). It may not exist. Run --model to pick a different model.", "There's an issue with the selected model (x). It may not exist."],
  ])("%s", (_name, text, expected) => {
    expect(plainDetail(text)).toBe(expected);
  });
});

describe("reset times", () => {
  it.each<[number, string]>([
    [30_000, "in under a minute"],
    [4 * 60_000, "in 4 min"],
    [(60 + 58) * 60_000, "in 1 h 58 min"],
    [3 * 86_400_000 + 2 * 3_600_000, "in 3 d 2 h"],
    [-1, "now"],
  ])("%d ms → %s", (delta, words) => {
    expect(relativeTime(NOW + delta, NOW)).toBe(words);
  });

  it("a quota message gives the reset in UTC and relative, never as an epoch", () => {
    const m = providerQuotaMessage({ rateLimitType: "five_hour", retryNotBefore: "2026-11-30T02:53:00.000Z", nowMs: NOW, detail: "Claude AI usage limit reached|1796007180" });
    expect(m).toBe(
      "Claude's 5-hour usage limit is reached; it resets 2026-11-30 02:53 UTC (in 2 h), and runs before then fail the same way. Wait for the reset, or raise the plan's or the API key's limit.",
    );
    expect(m).not.toMatch(/\d{10}/);
    expect(resetTimeInWords("2026-12-03T00:53:00.000Z", NOW)).toBe("2026-12-03 00:53 UTC (in 3 d)");
  });
});

describe("credential advice", () => {
  it("names the env variable and its Secret", () => {
    expect(credentialAdvice([{ name: "ANTHROPIC_API_KEY", from: "Secret agents/claude, key api-key" }], [])).toBe(
      "Refresh the credential the agent's pod gets: ANTHROPIC_API_KEY (from Secret agents/claude, key api-key).",
    );
    expect(credentialAdvice([], ["agents/env"])).toContain("in the Secret the pod imports: agents/env");
    expect(credentialAdvice([], [])).toContain("No credential is bound to the agent");
  });
});

describe("evidence table", () => {
  it("every Claude failure code has one row, and every code a family", () => {
    expect(new Set(CLAUDE_FAILURE_EVIDENCE.map((r) => r.code)).size).toBe(CLAUDE_FAILURE_EVIDENCE.length);
    for (const code of ERROR_CODES) expect(CODE_FAMILIES[code], code).toBeTruthy();
  });

  it("a structured field wins over a phrase: a 403 whose text says 'Failed to authenticate' is access, not auth", () => {
    const e = failureEvidence({
      result: null,
      apiError: { status: 403, errorType: "permission_error", error: "authentication_failed", apiError: null, text: "Failed to authenticate. API Error: 403 …" },
      lastApiRetry: null,
      rateLimit: null,
      lines: [],
    });
    expect(claudeFailureCode(e)).toEqual({ code: "claude_access_denied", via: "structured" });
  });

  it.each([
    "API Error: 403 Request not allowed",
    "Failed to authenticate. API Error: 403 Request not allowed",
    'API Error: 403 {"error":{"type":"forbidden","message":"Request not allowed"}}',
  ])("an older CLI's HTTP 403 in words is access denied whatever its wording: %s", (line) => {
    const e = failureEvidence({ result: null, apiError: null, lastApiRetry: null, rateLimit: null, lines: [line] });
    expect(claudeFailureCode(e)).toEqual({ code: "claude_access_denied", via: "text" });
  });

  it("text is the fallback when no field speaks (an older CLI, stderr only)", () => {
    const e = failureEvidence({ result: null, apiError: null, lastApiRetry: null, rateLimit: null, lines: ["Failed to authenticate: OAuth session expired and could not be refreshed"] });
    expect(claudeFailureCode(e)).toEqual({ code: "claude_auth_required", via: "text" });
  });
});
