import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode, type OutcomeStatus } from "@clipjob/core";
import { EXIT, exitCodeForOutcome } from "./exit-codes.js";

describe("exitCodeForOutcome", () => {
  it.each<[OutcomeStatus, ErrorCode | null, number]>([
    ["succeeded", null, EXIT.ok],
    ["failed", "claude_auth_required", EXIT.runFailed],
    ["failed", "provider_quota", EXIT.runFailed],
    ["failed", "session_unavailable", EXIT.runFailed],
    ["timed_out", "timeout", EXIT.runFailed],
    ["failed", "config_invalid", EXIT.usage],
    ["failed", "k8s_payload_too_large", EXIT.usage],
    ["failed", "k8s_image_pull_failed", EXIT.infrastructure],
    ["failed", "k8s_permission_denied", EXIT.infrastructure],
    ["failed", "k8s_concurrent_run_blocked", EXIT.infrastructure],
    ["unknown", "k8s_outcome_unknown", EXIT.outcomeUnknown],
    ["unknown", "k8s_job_kept_for_reattach", EXIT.outcomeUnknown],
    ["cancelled", "cancelled", EXIT.cancelled],
    ["failed", null, EXIT.runFailed],
    ["unknown", null, EXIT.outcomeUnknown],
  ])("%s / %s exits %i", (status, errorCode, expected) => {
    expect(exitCodeForOutcome({ status, errorCode })).toBe(expected);
  });

  it("gives every k8s_ infrastructure code exit 3, except input errors (2) and unknown outcomes (4)", () => {
    const input = new Set<ErrorCode>(["k8s_agent_id_invalid", "k8s_payload_too_large"]);
    const unknown = new Set<ErrorCode>(["k8s_outcome_unknown", "k8s_job_state_mismatch", "k8s_job_kept_for_reattach"]);
    for (const code of ERROR_CODES.filter((c) => c.startsWith("k8s_"))) {
      const expected = input.has(code) ? EXIT.usage : unknown.has(code) ? EXIT.outcomeUnknown : EXIT.infrastructure;
      expect({ code, exit: exitCodeForOutcome({ status: "failed", errorCode: code }) }).toEqual({ code, exit: expected });
    }
  });
});
