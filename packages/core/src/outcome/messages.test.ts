import { describe, expect, it } from "vitest";
import type { ResultEvent } from "../stream/transcript-summary.js";
import {
  describeClaudeFailure,
  jobGoneMessage,
  partialRunMessage,
  podCauseSuffix,
  shutdownMessage,
  stateMismatchMessage,
  timeoutMessage,
  truncationCause,
  truncationMessage,
  unreachableMessage,
  type PartialRunFacts,
} from "./messages.js";
import type { JobGoneForensics, PodTermination } from "./run-outcome.js";

const oom: PodTermination = { exitCode: 137, reason: "OOMKilled" };

describe("podCauseSuffix", () => {
  it.each<[string, PodTermination | null, string]>([
    ["no termination", null, ""],
    ["a clean exit says nothing", { exitCode: 1 }, ""],
    ["OOM kill", oom, " [pod: reason=OOMKilled, exit 137: SIGKILL, likely OOM-killed]"],
    ["SIGTERM", { exitCode: 143, reason: "Error" }, " [pod: reason=Error, exit 143: SIGTERM]"],
    ["message and signal", { exitCode: null, message: " node lost \n", signal: 9 }, " [pod: message=node lost, signal=SIGKILL]"],
    ["unknown signal number", { exitCode: null, signal: 31 }, " [pod: signal=SIG31]"],
  ])("%s", (_name, termination, expected) => {
    expect(podCauseSuffix(termination)).toBe(expected);
  });
});

describe("partialRunMessage: the five branches of a run without a result", () => {
  const facts = (f: Partial<PartialRunFacts>): PartialRunFacts => ({
    exitCode: 1,
    model: "claude-x",
    firstTextLine: null,
    initSeen: false,
    hasOutput: true,
    termination: null,
    ...f,
  });
  it.each<[string, Partial<PartialRunFacts>, string]>([
    ["1. exit 0, stream-json without a result", { exitCode: 0, termination: oom }, "Claude exited with code 0 without writing its result event (its stream-json output stops before the result)"],
    ["1. exit 0, only a text line: quoted", { exitCode: 0, firstTextLine: "unable to retrieve container logs for containerd://ab12" }, "Claude exited with code 0 without a result event; the only text it printed: unable to retrieve container logs for containerd://ab12"],
    ["1. exit 0, nothing", { exitCode: 0, hasOutput: false }, "Claude exited with code 0 and wrote nothing"],
    ["2. a text line explains it", { firstTextLine: "Error: ENOENT", termination: oom }, "Claude exited with exit code 1: Error: ENOENT [pod: reason=OOMKilled, exit 137: SIGKILL, likely OOM-killed]"],
    ["2. … without an exit code", { exitCode: null, firstTextLine: "boom" }, "Claude exited without an exit code: boom"],
    [
      "3. init only (model + exit code)",
      { initSeen: true, exitCode: 1 },
      "Claude exited right after its init event (model claude-x, exit code 1): the model may be unsupported, or the session was rejected before any output",
    ],
    [
      "4. started, no result (init-only needs an exit code)",
      { initSeen: true, exitCode: null },
      "Claude started (model claude-x) but produced no result: check API credentials, model support and the adapter config",
    ],
    ["5. nothing at all", { model: null, hasOutput: false, exitCode: 2 }, "Claude exited with exit code 2 and wrote nothing"],
    ["5. … with the pod's cause", { model: null, hasOutput: false, exitCode: 137, termination: oom }, "Claude exited with exit code 137 and wrote nothing [pod: reason=OOMKilled, exit 137: SIGKILL, likely OOM-killed]"],
  ])("%s", (_name, f, expected) => {
    expect(partialRunMessage(facts(f))).toBe(expected);
  });
});

describe("truncation", () => {
  it.each<[string, Parameters<typeof truncationCause>[0], string]>([
    ["OOM", { termination: { ...oom, signal: 9 }, podPresence: "present" }, "exit code 137 (SIGKILL, likely OOM-killed), signal SIGKILL, reason=OOMKilled"],
    ["SIGTERM with message", { termination: { exitCode: 143, message: "deleted" }, podPresence: "present" }, "exit code 143 (SIGTERM), message=deleted"],
    ["no exit code", { termination: { exitCode: null }, podPresence: "present" }, "no exit code"],
    ["pod gone", { termination: null, podPresence: "gone" }, "the pod is gone (evicted, preempted or deleted) before its exit could be read"],
    [
      "status not yet observable",
      { termination: null, podPresence: "present", podPhase: "Running" },
      "the container's terminated state was not observable yet (pod phase=Running): the kubelet had not reported it within the retry window, so the exit cause is unknown",
    ],
    ["phase unknown", { termination: null, podPresence: "present" }, expect.stringContaining("pod phase=unknown") as unknown as string],
    ["lookup failed", { termination: null, podPresence: "unknown" }, "the pod's state could not be read, so the exit cause is unknown"],
  ])("cause: %s", (_name, facts, expected) => {
    expect(truncationCause(facts)).toEqual(expected);
  });

  it("message names the model and the cause", () => {
    expect(truncationMessage({ model: "m", cause: "exit code 137" })).toBe(
      "Claude's run was cut off mid-stream (model m): the assistant had produced content but no result event arrived; exit code 137",
    );
    expect(truncationMessage({ model: null, cause: "c" })).toContain("(model unknown)");
  });
});

describe("jobGoneMessage", () => {
  const forensics: JobGoneForensics = {
    detectedVia: "watch-deleted",
    job: "clipjob-a-1",
    namespace: "agents",
    secondsSincePodRunning: 42,
    pollsSeen: 3,
    watchEventsSeen: 7,
    lastJobConditions: [{ type: "SuccessCriteriaMet", status: "True", reason: "CompletionsReached" }, { type: "Suspended", status: "False" }],
    stdoutBytes: 1234,
    stdoutNonEmptyLines: 9,
  };
  it("carries every forensic field", () => {
    expect(jobGoneMessage(forensics)).toBe(
      "The Kubernetes Job was deleted (externally or by its TTL) before Claude finished [detected via watch-deleted; job agents/clipjob-a-1; " +
        "42s after the pod started running; 3 polls and 7 watch events seen; last Job conditions: SuccessCriteriaMet=True(CompletionsReached), Suspended=False; " +
        "stdout 1234 bytes in 9 non-empty lines]",
    );
  });
  it("leaves out unknown timing and says when no condition was seen", () => {
    const m = jobGoneMessage({ ...forensics, secondsSincePodRunning: null, lastJobConditions: [] });
    expect(m).not.toContain("after the pod started");
    expect(m).toContain("last Job conditions: none observed");
  });
  it("says so when the result had already arrived", () => {
    expect(jobGoneMessage(forensics, true)).toMatch(/^Claude wrote its result, but the Kubernetes Job was deleted .* before its exit code could be read \[/);
  });
});

describe("describeClaudeFailure", () => {
  const r = (f: Partial<ResultEvent>): ResultEvent => ({ subtype: null, isError: true, text: null, errors: [], stopReason: null, terminalReason: null, apiErrorStatus: null, apiErrorType: null, apiError: null, numTurns: null, sessionId: null, json: {}, ...f });
  it.each<[string, Partial<ResultEvent>, string | null]>([
    ["subtype and text", { subtype: "error_during_execution", text: " boom " }, "Claude run failed: subtype=error_during_execution: boom"],
    ["subtype and first error", { subtype: "error_during_execution", errors: ["e1", "e2"] }, "Claude run failed: subtype=error_during_execution: e1"],
    ["text only (success subtype is noise)", { subtype: "success", text: "API Error: 500" }, "Claude run failed: API Error: 500"],
    ["nothing to say", { subtype: "success", text: "  " }, null],
  ])("%s", (_name, fields, expected) => {
    expect(describeClaudeFailure(r(fields))).toBe(expected);
  });
});

describe("ending messages", () => {
  const job = { namespace: "ns", name: "j" };
  it.each([
    [timeoutMessage(30), "Timed out after 30s"],
    [unreachableMessage(job, "5 min of 503"), "The cluster stayed unreachable, so the run's outcome is unknown (5 min of 503); Job ns/j is kept and was not deleted"],
    [unreachableMessage(null, "x"), "The cluster stayed unreachable, so the run's outcome is unknown (x); the Job, if any, is kept and was not deleted"],
    [stateMismatchMessage(job, "still active"), "Job ns/j did not reach a terminal state after its log ended (still active); it is kept for inspection"],
    [stateMismatchMessage(null, "d"), "The Job did not reach a terminal state after its log ended (d); it is kept for inspection"],
    [shutdownMessage(job), "The host is shutting down: Job ns/j keeps running and the next run for this agent will reattach to it"],
    [shutdownMessage(null), "The host is shutting down: the Job keeps running and the next run for this agent will reattach to it"],
  ])("%s", (actual, expected) => {
    expect(actual).toBe(expected);
  });
});
