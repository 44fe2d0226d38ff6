import { describe, expect, it } from "vitest";
import type { JobSnapshot, ObjectCondition } from "../ports/cluster-objects.js";
import { decideGuard, describeLiveJob, type GuardDecision, type GuardInput } from "./decide-guard.js";
import { isJobTerminal, isPodLive, jobLiveness, needsPodCheck } from "./job-liveness.js";

interface JobInit {
  name: string;
  minute?: number;
  run?: string;
  task?: string;
  session?: string;
  deleting?: boolean;
  condition?: "Complete" | "Failed" | "FailureTarget";
  /** Created suspended and never resumed: no pod ever counted. */
  suspended?: boolean;
}

function job(init: JobInit): JobSnapshot {
  const conditions: ObjectCondition[] = init.condition ? [{ type: init.condition, status: "True" }] : [];
  return {
    ref: { namespace: "ns", name: init.name, uid: `uid-${init.name}` },
    labels: {
      "paperclip.io/agent-id": "agent",
      "paperclip.io/adapter-type": "claude_k8s",
      ...(init.run ? { "paperclip.io/run-id": init.run } : {}),
      ...(init.task ? { "paperclip.io/task-id": init.task } : {}),
      ...(init.session ? { "paperclip.io/session-id": init.session } : {}),
    },
    annotations: {},
    creationTimestamp: `2026-01-01T00:${String(init.minute ?? 0).padStart(2, "0")}:00Z`,
    ...(init.deleting ? { deletionTimestamp: "2026-01-01T01:00:00Z" } : {}),
    resourceVersion: "1",
    suspended: init.suspended ?? false,
    conditions,
    active: init.condition || init.suspended ? 0 : 1,
    succeeded: 0,
    failed: 0,
  };
}

const expected = { runId: "run-now", taskId: "task-a", sessionId: "sess-1" };

function decide(jobs: JobSnapshot[], overrides: Partial<GuardInput> = {}): GuardDecision {
  return decideGuard({ jobs, livePods: new Map(), expected, reattachOrphanedJobs: true, ...overrides });
}

/** The decision in a compact form for tables: proceed | reattach:<job>[:same] | <code>:<jobs>. */
function summary(d: GuardDecision): string {
  if (d.kind === "proceed") return d.leftovers.length > 0 ? `proceed, removing ${d.leftovers.map((j) => j.ref.name).join(",")}` : "proceed";
  if (d.kind === "reattach") return `reattach:${d.job.ref.name}${d.sameRun ? ":same" : ""}`;
  return `${d.code}:${d.jobs.join(",")}`;
}

describe("decideGuard", () => {
  it.each<[string, JobInit[], Partial<GuardInput>, string]>([
    ["no Jobs", [], {}, "proceed"],
    ["only finished Jobs", [{ name: "done", run: "r1", condition: "Complete" }, { name: "failed", condition: "Failed" }], {}, "proceed"],
    [
      "a Job still failing (FailureTarget, pods being stopped) still counts",
      [{ name: "failing", run: "r1", task: "task-b", condition: "FailureTarget" }],
      {},
      "k8s_concurrent_run_blocked:failing",
    ],
    ["an orphan on the same task and session is adopted", [{ name: "old", run: "r1", task: "task-a", session: "sess-1" }], {}, "reattach:old"],
    ["an orphan without a session on the same task is adopted", [{ name: "old", run: "r1", task: "task-a" }], {}, "reattach:old"],
    ["an orphan on another task blocks", [{ name: "old", run: "r1", task: "task-b" }], {}, "k8s_concurrent_run_blocked:old"],
    ["an orphan without a task blocks", [{ name: "old", run: "r1" }], {}, "k8s_orphan_task_unknown:old"],
    ["a run without a task cannot adopt", [{ name: "old", run: "r1", task: "task-a" }], { expected: { ...expected, taskId: null } }, "k8s_orphan_task_unknown:old"],
    ["an orphan in another session blocks", [{ name: "old", run: "r1", task: "task-a", session: "sess-2" }], {}, "k8s_orphan_session_mismatch:old"],
    [
      "with reattach off, any orphan blocks",
      [{ name: "old", run: "r1", task: "task-a", session: "sess-1" }],
      { reattachOrphanedJobs: false },
      "k8s_concurrent_run_blocked:old",
    ],
    [
      "of several adoptable orphans the newest is adopted",
      [
        { name: "older", minute: 1, run: "r1", task: "task-a" },
        { name: "newest", minute: 3, run: "r3", task: "task-a" },
        { name: "middle", minute: 2, run: "r2", task: "task-a" },
      ],
      {},
      "reattach:newest",
    ],
    [
      "a blocking older orphan still blocks when a newer one is adoptable",
      [
        { name: "newer", minute: 5, run: "r2", task: "task-a" },
        { name: "older", minute: 1, run: "r1", task: "task-b" },
      ],
      {},
      "k8s_concurrent_run_blocked:older",
    ],
    [
      "the newest blocking orphan gives the code; every blocking one is listed",
      [
        { name: "b-old", minute: 1, run: "r1" },
        { name: "b-new", minute: 4, run: "r2", task: "task-a", session: "sess-9" },
        { name: "ok", minute: 6, run: "r3", task: "task-a" },
      ],
      {},
      "k8s_orphan_session_mismatch:b-new,b-old",
    ],
    ["this run's own Job is adopted, not blocked", [{ name: "mine", run: "run-now" }], {}, "reattach:mine:same"],
    ["this run's own Job is adopted even with reattach off", [{ name: "mine", run: "run-now" }], { reattachOrphanedJobs: false }, "reattach:mine:same"],
    [
      "this run's own Job wins over other orphans",
      [
        { name: "other", minute: 9, run: "r1", task: "task-b" },
        { name: "mine", minute: 1, run: "run-now" },
      ],
      {},
      "reattach:mine:same",
    ],
    [
      "the run id is compared in its sanitised (label) form",
      [{ name: "mine", run: "runnow" }],
      { expected: { ...expected, runId: "run now" } },
      "reattach:mine:same",
    ],
    [
      "a run id with no label form never matches a Job",
      [{ name: "unlabelled", task: "task-a" }],
      { expected: { ...expected, runId: "日本" } },
      "reattach:unlabelled",
    ],
    [
      "a finished Job of this run is ignored (the next submit would reuse nothing)",
      [{ name: "mine", run: "run-now", condition: "Complete" }],
      {},
      "proceed",
    ],
  ])("%s", (_, jobs, overrides, result) => {
    expect(summary(decide(jobs.map(job), overrides))).toBe(result);
  });

  describe("suspended Jobs that never started (issue 14, fault 6)", () => {
    // Created at minute 0; the guard runs at minute 5 unless said otherwise.
    const at = (minute: number, second = 0) => Date.parse(`2026-01-01T00:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}Z`);
    it.each<[string, JobInit[], [string, boolean][], number | undefined, string]>([
      ["a leftover of another run is removed and the run proceeds", [{ name: "stuck", run: "r1", suspended: true }], [["stuck", false]], at(5), "proceed, removing stuck"],
      ["a leftover of this very run is removed too (its submit never resumed it)", [{ name: "mine", run: "run-now", suspended: true }], [["mine", false]], at(5), "proceed, removing mine"],
      ["a leftover beside a live orphan: the orphan decides", [{ name: "stuck", run: "r1", suspended: true }, { name: "live", minute: 1, run: "r2", task: "task-b" }], [["stuck", false]], at(5), "k8s_concurrent_run_blocked:live"],
      ["one younger than a minute may be another process's submit in progress: it counts", [{ name: "fresh", run: "r1", task: "task-a", suspended: true }], [["fresh", false]], at(0, 30), "reattach:fresh"],
      ["one with a live pod is not unstarted", [{ name: "odd", run: "r1", task: "task-b", suspended: true }], [["odd", true]], at(5), "k8s_concurrent_run_blocked:odd"],
      ["without the time nothing is taken for a leftover", [{ name: "stuck", run: "r1", task: "task-b", suspended: true }], [["stuck", false]], undefined, "k8s_concurrent_run_blocked:stuck"],
    ])("%s", (_, jobs, pods, nowMs, result) => {
      expect(summary(decide(jobs.map(job), { livePods: new Map(pods), ...(nowMs === undefined ? {} : { nowMs }) }))).toBe(result);
    });
  });

  describe("Jobs being deleted", () => {
    it.each<[string, JobInit[], [string, boolean][], string]>([
      ["counts while its pod is live", [{ name: "going", run: "r1", task: "task-a", deleting: true }], [["going", true]], "k8s_concurrent_run_blocked:going"],
      ["is ignored once its pods are gone", [{ name: "going", run: "r1", task: "task-b", deleting: true }], [["going", false]], "proceed"],
      ["counts when nobody checked its pods", [{ name: "going", run: "r1", deleting: true }], [], "k8s_concurrent_run_blocked:going"],
      ["is ignored when it is terminal", [{ name: "going", run: "r1", deleting: true, condition: "Failed" }], [], "proceed"],
      [
        "is never adopted, even when it is this run's",
        [{ name: "mine", run: "run-now", deleting: true }],
        [["mine", true]],
        "k8s_concurrent_run_blocked:mine",
      ],
      [
        "blocks even beside an adoptable orphan",
        [
          { name: "going", minute: 1, run: "r1", task: "task-a", deleting: true },
          { name: "ok", minute: 2, run: "r2", task: "task-a" },
        ],
        [["going", true]],
        "k8s_concurrent_run_blocked:going",
      ],
      [
        "does not stop this run from adopting its own live Job",
        [
          { name: "going", minute: 5, run: "r1", deleting: true },
          { name: "mine", minute: 1, run: "run-now" },
        ],
        [["going", true]],
        "reattach:mine:same",
      ],
      [
        "lets an adoptable orphan through once its pods are gone",
        [
          { name: "going", minute: 5, run: "r1", task: "task-b", deleting: true },
          { name: "ok", minute: 2, run: "r2", task: "task-a" },
        ],
        [["going", false]],
        "reattach:ok",
      ],
    ])("%s", (_, jobs, pods, result) => {
      expect(summary(decide(jobs.map(job), { livePods: new Map(pods) }))).toBe(result);
    });
  });

  it("explains blocks in words that name the Job", () => {
    const cases: [JobInit[], Partial<GuardInput>, RegExp][] = [
      [[{ name: "j", run: "r1", task: "task-b" }], {}, /^Concurrent run blocked: live Job j of this agent \(started 2026-01-01T00:00:00Z by run r1\) is running a different task \(task-b\)$/],
      [[{ name: "j", run: "r1" }], {}, /live Job j of this agent \(started 2026-01-01T00:00:00Z by run r1\) has unknown task context/],
      [[{ name: "j", run: "r1", task: "task-a", session: "x" }], {}, /live Job j of this agent \(started 2026-01-01T00:00:00Z by run r1\) has a mismatched session/],
      [
        [{ name: "j", run: "r1" }, { name: "k", run: "r2", minute: 1 }],
        { reattachOrphanedJobs: false },
        /live Job k of this agent \(started 2026-01-01T00:01:00Z by run r2\) is still running \(and 1 more: j\) \(reattachOrphanedJobs is off\)/,
      ],
      [[{ name: "j", run: "r1", deleting: true }], {}, /Job j is being deleted but its pod is still running/],
    ];
    for (const [jobs, overrides, message] of cases) {
      const d = decide(jobs.map(job), overrides);
      expect(d.kind === "block" ? d.message : d.kind).toMatch(message);
    }
  });

  it("names who started a blocking Job instead of calling it orphaned: its supervisor may well be alive (issue 14, fault 12)", () => {
    const started = { ...job({ name: "j", run: "r1" }), annotations: { "clipjob.dev/started-by": "clipjob CLI, pid 4242 on dev-1" } };
    const d = decide([started]);
    expect(d).toMatchObject({
      kind: "block",
      code: "k8s_orphan_task_unknown",
      message:
        "Concurrent run blocked: live Job j of this agent (started 2026-01-01T00:00:00Z by clipjob CLI, pid 4242 on dev-1; run r1) has unknown task context (the Job or this run carries no task id), so it cannot be matched to this run",
    });
    expect(describeLiveJob({ ...job({ name: "bare" }), labels: {} })).toBe("live Job bare of this agent (started 2026-01-01T00:00:00Z)");
  });

  it("reads at most 256 characters of a hand-edited started-by annotation, without control characters; a blank one names nobody", () => {
    const annotated = (by: string) => ({ ...job({ name: "j", run: "r1" }), annotations: { "clipjob.dev/started-by": by } });
    expect(describeLiveJob(annotated(`\u001b[2J${"x".repeat(300 * 1024)}`))).toBe(`live Job j of this agent (started 2026-01-01T00:00:00Z by [2J${"x".repeat(252)}; run r1)`);
    expect(describeLiveJob(annotated("a\nb"))).toBe("live Job j of this agent (started 2026-01-01T00:00:00Z by a b; run r1)");
    expect(describeLiveJob(annotated("  "))).toBe("live Job j of this agent (started 2026-01-01T00:00:00Z by run r1)");
  });

  it("orders Jobs with unreadable timestamps last and ties by name, deterministically", () => {
    const a = { ...job({ name: "a", run: "r1", task: "task-a" }), creationTimestamp: "garbage" };
    const b = job({ name: "b", run: "r2", task: "task-a" });
    const c = job({ name: "c", run: "r3", task: "task-a" });
    expect(summary(decide([a, b, c]))).toBe("reattach:c");
    expect(summary(decide([c, b, a]))).toBe("reattach:c");
    expect(summary(decide([a]))).toBe("reattach:a");
  });
});

describe("liveness", () => {
  it("is terminal only on Complete or Failed conditions that are True", () => {
    expect(isJobTerminal(job({ name: "j", condition: "Complete" }))).toBe(true);
    expect(isJobTerminal(job({ name: "j", condition: "Failed" }))).toBe(true);
    expect(isJobTerminal(job({ name: "j", condition: "FailureTarget" }))).toBe(false);
    expect(isJobTerminal({ ...job({ name: "j" }), conditions: [{ type: "Complete", status: "False" }] })).toBe(false);
  });

  it("asks for a pod check only for Jobs being deleted that are not terminal", () => {
    expect(needsPodCheck(job({ name: "j" }))).toBe(false);
    expect(needsPodCheck(job({ name: "j", deleting: true }))).toBe(true);
    expect(needsPodCheck(job({ name: "j", deleting: true, condition: "Complete" }))).toBe(false);
  });

  it("classifies each state", () => {
    const live = new Map([["yes", true], ["no", false]]);
    expect(jobLiveness(job({ name: "x", condition: "Complete" }), live)).toBe("terminal");
    expect(jobLiveness(job({ name: "x" }), live)).toBe("live");
    expect(jobLiveness(job({ name: "yes", deleting: true }), live)).toBe("deleting_with_live_pod");
    expect(jobLiveness(job({ name: "no", deleting: true }), live)).toBe("deleting_without_live_pod");
  });

  it("treats pods as live until they finish, grace period included", () => {
    const pod = (phase: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown") => ({
      ref: { namespace: "ns", name: "p", uid: "u" },
      labels: {},
      phase,
      conditions: [],
      initContainers: [],
      containers: [],
      creationTimestamp: "t",
      deletionTimestamp: "t",
      resourceVersion: "1",
    });
    expect(["Pending", "Running", "Unknown", "Succeeded", "Failed"].map((p) => isPodLive(pod(p as never)))).toEqual([true, true, true, false, false]);
  });
});
