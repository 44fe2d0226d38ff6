import { describe, expect, it } from "vitest";
import type { ContainerState, JobSnapshot, PodSnapshot } from "../ports/cluster-objects.js";
import { decideRun, endingDeletesJob, endingHidesExitCode, RUN_RULES, type DecideConfig, type RunDecision } from "./decide-run.js";
import { observeRun, type ObservedRun } from "./observed-run.js";

const CONFIG: DecideConfig = { timeoutSec: 600, graceSec: 30, startTimeoutSec: 120, keepaliveSec: 60, apiUnreachableSec: 300 };
const T0 = 1_000_000;
const S = 1000;

function job(conditions: JobSnapshot["conditions"] = [], extra: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    ref: { namespace: "agents", name: "clipjob-a-1", uid: "job-uid" },
    labels: {},
    annotations: {},
    creationTimestamp: "2026-01-01T00:00:00Z",
    resourceVersion: "1",
    suspended: false,
    conditions,
    active: 1,
    succeeded: 0,
    failed: 0,
    ...extra,
  };
}

function pod(claude: ContainerState, extra: Partial<PodSnapshot> = {}): PodSnapshot {
  return {
    ref: { namespace: "agents", name: "clipjob-a-1-x", uid: "pod-uid" },
    labels: {},
    phase: claude.kind === "running" ? "Running" : claude.kind === "terminated" ? (claude.exitCode === 0 ? "Succeeded" : "Failed") : "Pending",
    conditions: [],
    initContainers: [],
    containers: [{ name: "claude", state: claude, restartCount: 0 }],
    creationTimestamp: "2026-01-01T00:00:00Z",
    resourceVersion: "1",
    ...extra,
  };
}

const RUNNING = pod({ kind: "running" });
const EXITED_0 = pod({ kind: "terminated", exitCode: 0 });
const EXITED_1 = pod({ kind: "terminated", exitCode: 1 });
const COMPLETE = job([{ type: "Complete", status: "True" }]);
const FAILED = job([{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }]);
const DEADLINE_EXCEEDED = job([{ type: "Failed", status: "True", reason: "DeadlineExceeded" }]);
const EVICTED = { code: "k8s_pod_evicted", message: "Pod clipjob-a-1-x was evicted" } as const;

/** A run supervised since T0 whose follower already runs; `patch` sets what the case observed. */
function observed(patch: Partial<ObservedRun> = {}): ObservedRun {
  return { ...observeRun(job(), T0, T0), pod: RUNNING, podRunningAt: T0, followerStarted: true, keepaliveCheckedAt: T0, ...patch };
}

function ended(decision: RunDecision): { rule: string; kind: string; detail?: unknown } | RunDecision {
  if (decision.kind !== "end") return decision;
  const e = decision.ending;
  const detail =
    e.kind === "job_finished" ? `${e.jobCondition}${e.jobReason ? `/${e.jobReason}` : ""}` : e.kind === "pod_fatal" ? e.code : e.kind === "job_gone" ? e.forensics.detectedVia : undefined;
  return { rule: decision.rule, kind: e.kind, ...(detail !== undefined ? { detail } : {}) };
}

describe("decideRun: the rules, in order", () => {
  it("asks the rules in this order (the first ending wins)", () => {
    expect(RUN_RULES.map((r) => r.name)).toEqual([
      "cancelled",
      "shutdown",
      "taken_over",
      "fatal",
      "api_unreachable",
      "deadline",
      "image_pull_bound",
      "start_timeout",
      "job_gone",
      "deleted_externally",
      "job_terminal",
      "result_without_exit",
      "log_ended_job_open",
      "follow_log",
      "keepalive",
    ]);
  });

  // Each row: what was observed, when the decision is asked, and the ending it must give.
  const endings: [string, Partial<ObservedRun>, number, { rule: string; kind: string; detail?: unknown }][] = [
    ["an explicit cancel ends the run", { cancelled: { reason: "user" } }, T0, { rule: "cancelled", kind: "cancelled" }],
    ["a host shutdown ends the run (the Job is kept)", { shutdown: true }, T0, { rule: "shutdown", kind: "shutdown" }],
    ["a claim taken over by another process ends the run (the Job is left to it)", { takenOverBy: "replica-b" }, T0, { rule: "taken_over", kind: "taken_over" }],
    ["a fatal pod state ends the run at once", { pod: null, fatal: { code: "k8s_image_pull_failed", message: "x" } }, T0, { rule: "fatal", kind: "pod_fatal", detail: "k8s_image_pull_failed" }],
    ["an API unreachable for the whole bound with no output either", { unreachableSince: T0, lastOutputAt: T0 }, T0 + 300 * S, { rule: "api_unreachable", kind: "unreachable" }],
    ["the adapter's deadline (timeoutSec + graceSec) from the run's start", {}, T0 + 630 * S, { rule: "deadline", kind: "deadline" }],
    ["no pod started within startTimeoutSec", { pod: null, podRunningAt: null, followerStarted: false }, T0 + 120 * S, { rule: "start_timeout", kind: "pod_fatal", detail: "k8s_pod_schedule_failed" }],
    ["a vanished Job, once the log is drained", { jobGone: { at: T0, via: "watch-deleted" }, logDrainedAt: T0 }, T0, { rule: "job_gone", kind: "job_gone", detail: "watch-deleted" }],
    ["a vanished Job, after the drain bound without the log", { jobGone: { at: T0, via: "get-404" } }, T0 + 5 * S, { rule: "job_gone", kind: "job_gone", detail: "get-404" }],
    ["a Job someone else deletes, once its log is drained", { externalDeletionAt: T0, logDrainedAt: T0 }, T0, { rule: "deleted_externally", kind: "job_gone", detail: "deletion-timestamp" }],
    ["a Complete Job with its log drained", { job: COMPLETE, jobTerminalAt: T0, logDrainedAt: T0, pod: EXITED_0 }, T0, { rule: "job_terminal", kind: "job_finished", detail: "Complete" }],
    ["a Failed Job after the grace bound without the log", { job: FAILED, jobTerminalAt: T0, pod: EXITED_1 }, T0 + 30 * S, { rule: "job_terminal", kind: "job_finished", detail: "Failed/BackoffLimitExceeded" }],
    ["a Job failed with DeadlineExceeded", { job: DEADLINE_EXCEEDED, jobTerminalAt: T0, logDrainedAt: T0 }, T0, { rule: "job_terminal", kind: "deadline" }],
    ["a terminal Job that was being deleted by someone else", { job: COMPLETE, jobTerminalAt: T0, logDrainedAt: T0, externalDeletionAt: T0 }, T0, { rule: "job_terminal", kind: "job_gone", detail: "deletion-timestamp" }],
    ["evicted after a successful result: done, the kill's exit code is not Claude's", { job: FAILED, jobTerminalAt: T0, logDrainedAt: T0, disruption: EVICTED, result: { isError: false } }, T0, { rule: "job_terminal", kind: "job_finished", detail: "Complete/DisruptedAfterResult" }],
    ["evicted before any result", { job: FAILED, jobTerminalAt: T0, logDrainedAt: T0, disruption: EVICTED }, T0, { rule: "job_terminal", kind: "pod_fatal", detail: "k8s_pod_evicted" }],
    ["a result printed and the process lingers past the grace bound", { resultSeenAt: T0, result: { isError: false } }, T0 + 30 * S, { rule: "result_without_exit", kind: "job_finished", detail: "Complete/ResultWithoutExit" }],
    ["the log ended, the container exited 0, the Job condition lags past grace", { logDrainedAt: T0, pod: EXITED_0 }, T0 + 30 * S, { rule: "log_ended_job_open", kind: "job_finished", detail: "Complete" }],
    ["the log ended and nothing says the container finished", { logDrainedAt: T0 }, T0 + 30 * S, { rule: "log_ended_job_open", kind: "state_mismatch" }],
  ];
  it.each(endings)("%s", (_name, patch, now, expected) => {
    expect(ended(decideRun(observed(patch), CONFIG, now))).toEqual(expected);
  });

  // Each row: the same observation a moment earlier neither ends the run nor is forgotten: it wakes then.
  // Keepalive off, so only the rule under test wakes the run.
  const quiet: DecideConfig = { ...CONFIG, keepaliveSec: 0 };
  const pending: [string, Partial<ObservedRun>, number, number, DecideConfig?][] = [
    ["the unreachable bound counts from the later of failure and last output", { unreachableSince: T0, lastOutputAt: T0 + 100 * S }, T0 + 200 * S, T0 + 400 * S],
    ["the deadline", {}, T0 + 10 * S, T0 + 630 * S],
    ["the start timeout (counted from supervision, not planning)", { pod: null, followerStarted: false }, T0 + 10 * S, T0 + 120 * S],
    ["the drain bound of a vanished Job", { jobGone: { at: T0, via: "watch-deleted" } }, T0 + 1 * S, T0 + 5 * S],
    ["the grace bound of a terminal Job", { job: COMPLETE, jobTerminalAt: T0 }, T0 + 1 * S, T0 + 30 * S],
    ["the grace bound after a result", { resultSeenAt: T0 + 20 * S, result: { isError: false } }, T0 + 25 * S, T0 + 50 * S],
    ["the grace bound after the log ended", { logDrainedAt: T0 + 40 * S }, T0 + 45 * S, T0 + 70 * S],
    ["the next keepalive check", {}, T0 + 10 * S, T0 + 60 * S, { ...CONFIG, timeoutSec: 0 }],
  ];
  it.each(pending)("wakes at %s", (_name, patch, now, wakeAt, config = quiet) => {
    const decision = decideRun(observed(patch), config, now);
    expect(decision).toMatchObject({ kind: "continue", wakeAt });
  });

  // Precedence: when two rules apply, the earlier one decides.
  const precedence: [string, Partial<ObservedRun>, number, string][] = [
    ["cancel beats a fatal pod state", { cancelled: {}, fatal: EVICTED }, T0, "cancelled"],
    ["cancel beats shutdown", { cancelled: {}, shutdown: true }, T0, "cancelled"],
    ["a takeover beats a fatal pod state (the Job is no longer this run's to judge)", { takenOverBy: "replica-b", fatal: EVICTED }, T0, "taken_over"],
    ["a fatal state beats the deadline", { fatal: EVICTED }, T0 + 700 * S, "fatal"],
    ["unreachable beats the deadline (the outcome is unknown, not a timeout)", { unreachableSince: T0, lastOutputAt: T0 }, T0 + 700 * S, "api_unreachable"],
    ["a vanished Job beats a terminal condition", { job: COMPLETE, jobTerminalAt: T0, jobGone: { at: T0, via: "watch-deleted" }, logDrainedAt: T0 }, T0, "job_gone"],
  ];
  it.each(precedence)("%s", (_name, patch, now, rule) => {
    expect(ended(decideRun(observed(patch), CONFIG, now))).toMatchObject({ rule });
  });
});

describe("decideRun: effects", () => {
  it("starts the log follower once Claude's container started, and only once", () => {
    const fresh = observed({ followerStarted: false });
    expect(decideRun(fresh, CONFIG, T0)).toMatchObject({ kind: "continue", effects: [{ kind: "follow_log", pod: RUNNING.ref }] });
    expect(decideRun(observed(), CONFIG, T0)).toMatchObject({ effects: [] });
  });

  it("follows the log of a container that finished before it was ever seen running", () => {
    const o = observed({ followerStarted: false, pod: pod({ kind: "waiting" }), job: COMPLETE, jobTerminalAt: T0 });
    expect(decideRun(o, CONFIG, T0)).toMatchObject({ effects: [{ kind: "follow_log" }] });
  });

  it("reports a keepalive when Claude was silent for a whole interval, and restarts the interval either way", () => {
    expect(decideRun(observed({ lastOutputAt: T0 }), CONFIG, T0 + 61 * S)).toMatchObject({ effects: [{ kind: "keepalive", secondsSinceOutput: 61 }] });
    expect(decideRun(observed({ lastOutputAt: T0 + 59 * S }), CONFIG, T0 + 61 * S)).toMatchObject({ effects: [{ kind: "keepalive", secondsSinceOutput: null }], wakeAt: T0 + 121 * S });
  });

  it("waits only for events when no rule waits on time", () => {
    expect(decideRun(observed(), { ...CONFIG, timeoutSec: 0, keepaliveSec: 0 }, T0)).toEqual({ kind: "continue", effects: [], wakeAt: null });
  });

  it("is pure: deciding twice gives the same decision and changes nothing", () => {
    const o = observed({ resultSeenAt: T0, result: { isError: false } });
    const before = JSON.stringify(o);
    expect(decideRun(o, CONFIG, T0 + 10 * S)).toEqual(decideRun(o, CONFIG, T0 + 10 * S));
    expect(JSON.stringify(o)).toBe(before);
  });

  it("names the lingering Job in the notice of a result without exit", () => {
    const decision = decideRun(observed({ resultSeenAt: T0, result: { isError: false } }), CONFIG, T0 + 30 * S);
    expect(decision).toMatchObject({ kind: "end", notice: expect.stringContaining("deleting Job clipjob-a-1") });
  });
});

describe("what an ending means for clean-up", () => {
  it.each([
    [{ kind: "job_finished", jobCondition: "Complete", jobReason: "ResultWithoutExit" } as const, true],
    [{ kind: "job_finished", jobCondition: "Complete" } as const, false],
    [{ kind: "cancelled" } as const, true],
    [{ kind: "deadline", timeoutSec: 1 } as const, true],
    [{ kind: "pod_fatal", code: "k8s_pod_evicted", message: "" } as const, true],
    [{ kind: "shutdown" } as const, false],
    [{ kind: "taken_over", by: "replica-b" } as const, false],
  ])("%o deletes the Job whatever retainJobs says: %s", (ending, deletes) => {
    expect(endingDeletesJob(ending)).toBe(deletes);
  });

  it("only an eviction after a successful result hides the container's exit code", () => {
    expect(endingHidesExitCode({ kind: "job_finished", jobCondition: "Complete", jobReason: "DisruptedAfterResult" })).toBe(true);
    expect(endingHidesExitCode({ kind: "job_finished", jobCondition: "Failed" })).toBe(false);
  });
});
