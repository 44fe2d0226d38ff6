import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode, type OutcomeStatus } from "./error-codes.js";
import { failureOutcome, statusForCode } from "./failure-outcome.js";

describe("statusForCode", () => {
  it.each<[ErrorCode, OutcomeStatus]>([
    ["cancelled", "cancelled"],
    ["timeout", "timed_out"],
    ["k8s_outcome_unknown", "unknown"],
    ["k8s_job_state_mismatch", "unknown"],
    ["k8s_job_kept_for_reattach", "unknown"],
    ["config_invalid", "failed"],
    ["k8s_concurrent_run_blocked", "failed"],
  ])("%s → %s", (code, status) => {
    expect(statusForCode(code)).toBe(status);
  });

  it("every code maps to a status that is not success", () => {
    for (const code of ERROR_CODES) expect(statusForCode(code)).not.toBe("succeeded");
  });
});

describe("failureOutcome", () => {
  it("fills a failed outcome with only what is known", () => {
    expect(
      failureOutcome({ code: "config_invalid", message: "timeoutSec: must be a number", errorMeta: { field: "timeoutSec" }, durationMs: 3 }),
    ).toEqual({
      status: "failed",
      errorCode: "config_invalid",
      errorMessage: "timeoutSec: must be a number",
      errorFamily: null,
      retryNotBefore: null,
      errorMeta: { field: "timeoutSec" },
      exitCode: null,
      signal: null,
      timedOut: false,
      sessionId: null,
      clearSession: false,
      model: null,
      usage: null,
      costUsd: null,
      summary: "",
      resultJson: null,
      job: null,
      durationMs: 3,
    });
  });

  it("keeps job, exit code and session when given", () => {
    const job = { namespace: "n", name: "j", reattached: true, kept: true, keptBecause: "retain" as const };
    expect(failureOutcome({ code: "timeout", message: "m", job, exitCode: 2, sessionId: "s", durationMs: 1 })).toMatchObject({
      status: "timed_out",
      timedOut: true,
      job,
      exitCode: 2,
      sessionId: "s",
    });
  });
});
