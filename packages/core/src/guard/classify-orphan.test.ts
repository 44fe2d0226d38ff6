import { describe, expect, it } from "vitest";
import type { JobSnapshot } from "../ports/cluster-objects.js";
import { classifyOrphan, orphanBlockCode, type OrphanClassification } from "./classify-orphan.js";

function job(labels: Record<string, string>): JobSnapshot {
  return {
    ref: { namespace: "ns", name: "ac-old", uid: "u" },
    labels,
    annotations: {},
    creationTimestamp: "2026-01-01T00:00:00Z",
    resourceVersion: "1",
    suspended: false,
    conditions: [],
    active: 1,
    succeeded: 0,
    failed: 0,
  };
}

const withLabels = (task: string | null, session: string | null): Record<string, string> => ({
  ...(task === null ? {} : { "paperclip.io/task-id": task }),
  ...(session === null ? {} : { "paperclip.io/session-id": session }),
});

// Every row of the predecessor's decision table, plus the sanitisation cases it got wrong.
describe("classifyOrphan", () => {
  it.each<[string, string | null, string | null, string | null, string | null, OrphanClassification]>([
    // description, expected task, job task, expected session, job session, result
    ["expected task missing", null, "A", "s", "s", "block_task_unknown"],
    ["expected task missing, job task missing too", null, null, null, null, "block_task_unknown"],
    ["job task missing", "A", null, "s", "s", "block_task_unknown"],
    ["different task", "A", "B", "s", "s", "block_task_mismatch"],
    ["different task, sessions unknown", "A", "B", null, null, "block_task_mismatch"],
    ["same task, both sessions known and different", "A", "A", "s1", "s2", "block_session_mismatch"],
    ["same task, expected session missing", "A", "A", null, "s2", "reattach"],
    ["same task, job session missing", "A", "A", "s1", null, "reattach"],
    ["same task, both sessions missing", "A", "A", null, null, "reattach"],
    ["same task, same session", "A", "A", "s1", "s1", "reattach"],
    ["expected ids are sanitised before comparing (task)", "task 7/x", "task7x", null, null, "reattach"],
    ["expected ids are sanitised before comparing (session)", "A", "A", "sess:1", "sess1", "reattach"],
    ["an expected task with no label form counts as unknown", "日本", "A", null, null, "block_task_unknown"],
    ["an expected session with no label form counts as missing", "A", "A", "日本", "s2", "reattach"],
  ])("%s", (_, expectedTask, jobTask, expectedSession, jobSession, result) => {
    expect(classifyOrphan(job(withLabels(jobTask, jobSession)), { runId: "r-now", taskId: expectedTask, sessionId: expectedSession })).toBe(result);
  });

  it.each([
    ["block_task_unknown", "k8s_orphan_task_unknown"],
    ["block_task_mismatch", "k8s_concurrent_run_blocked"],
    ["block_session_mismatch", "k8s_orphan_session_mismatch"],
  ] as const)("%s blocks with %s", (classification, code) => {
    expect(orphanBlockCode(classification)).toBe(code);
  });
});
