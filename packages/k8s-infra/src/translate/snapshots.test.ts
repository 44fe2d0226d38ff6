import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { toJobSnapshot } from "./job-snapshot.js";
import { toPodSnapshot } from "./pod-snapshot.js";

describe("toJobSnapshot", () => {
  it("translates a finished Job, whether times arrive as Date (typed calls) or strings (watch)", () => {
    const job: V1Job = {
      metadata: {
        name: "j",
        namespace: "ns",
        uid: "u1",
        resourceVersion: "42",
        labels: { a: "1" },
        creationTimestamp: new Date("2026-01-01T00:00:00Z"),
        deletionTimestamp: "2026-01-01T00:05:00Z" as unknown as Date,
      },
      spec: { template: {}, suspend: false },
      status: {
        active: 0,
        failed: 1,
        startTime: new Date("2026-01-01T00:00:01.250Z"),
        conditions: [
          { type: "FailureTarget", status: "True", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline", lastTransitionTime: new Date("2026-01-01T00:01:00Z") },
          { type: "Failed", status: "True", reason: "DeadlineExceeded" },
          { type: "Odd", status: "Maybe" },
        ],
      },
    };
    expect(toJobSnapshot(job)).toEqual({
      ref: { namespace: "ns", name: "j", uid: "u1" },
      labels: { a: "1" },
      annotations: {},
      creationTimestamp: "2026-01-01T00:00:00Z",
      deletionTimestamp: "2026-01-01T00:05:00Z",
      resourceVersion: "42",
      suspended: false,
      conditions: [
        { type: "FailureTarget", status: "True", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline", lastTransitionTime: "2026-01-01T00:01:00Z" },
        { type: "Failed", status: "True", reason: "DeadlineExceeded" },
        { type: "Odd", status: "Unknown" },
      ],
      active: 0,
      succeeded: 0,
      failed: 1,
      startTime: "2026-01-01T00:00:01.250Z",
    });
  });
});

describe("toPodSnapshot", () => {
  const pod: V1Pod = {
    metadata: {
      name: "p",
      namespace: "ns",
      uid: "pu",
      resourceVersion: "7",
      creationTimestamp: new Date("2026-01-01T00:00:00Z"),
      ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: "owner-job", uid: "ju", controller: true }],
    },
    spec: { nodeName: "node-1", initContainers: [{ name: "setup" }], containers: [{ name: "claude" }, { name: "sidecar" }, { name: "lagging" }] },
    status: {
      phase: "Failed",
      reason: "Evicted",
      message: "The node was low on resource: memory.",
      conditions: [{ type: "DisruptionTarget", status: "True", reason: "TerminationByKubelet" }],
      initContainerStatuses: [{ name: "setup", image: "busybox", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }],
      containerStatuses: [
        { name: "claude", image: "paperclip", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode: 137, signal: 9, reason: "OOMKilled", startedAt: new Date("2026-01-01T00:00:02Z"), finishedAt: new Date("2026-01-01T00:00:09Z") } } },
        { name: "sidecar", image: "x", imageID: "", ready: false, restartCount: 2, state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s" } } },
      ],
    },
  };

  it("translates phase, reason, conditions and every container's state; one not yet reported is unknown", () => {
    expect(toPodSnapshot(pod)).toEqual({
      ref: { namespace: "ns", name: "p", uid: "pu" },
      jobName: "owner-job",
      labels: {},
      phase: "Failed",
      reason: "Evicted",
      message: "The node was low on resource: memory.",
      nodeName: "node-1",
      conditions: [{ type: "DisruptionTarget", status: "True", reason: "TerminationByKubelet" }],
      initContainers: [{ name: "setup", image: "busybox", restartCount: 0, state: { kind: "terminated", exitCode: 0, reason: "Completed" } }],
      containers: [
        { name: "claude", image: "paperclip", restartCount: 0, state: { kind: "terminated", exitCode: 137, signal: 9, reason: "OOMKilled", startedAt: "2026-01-01T00:00:02Z", finishedAt: "2026-01-01T00:00:09Z" } },
        { name: "sidecar", image: "x", restartCount: 2, state: { kind: "waiting", reason: "CrashLoopBackOff", message: "back-off 10s" } },
        { name: "lagging", restartCount: 0, state: { kind: "unknown" } },
      ],
      creationTimestamp: "2026-01-01T00:00:00Z",
      resourceVersion: "7",
    });
  });

  it.each([
    ["the current label", { "batch.kubernetes.io/job-name": "new", "job-name": "old" }, "new"],
    ["the legacy label", { "job-name": "old" }, "old"],
  ])("takes the Job name from %s", (_name, labels, expected) => {
    expect(toPodSnapshot({ metadata: { name: "p", labels }, spec: { containers: [] } }).jobName).toBe(expected);
  });

  it("a running container and an unknown phase", () => {
    const snap = toPodSnapshot({
      metadata: { name: "p" },
      spec: { containers: [{ name: "claude" }] },
      status: { phase: "Weird", containerStatuses: [{ name: "claude", image: "", imageID: "", ready: true, restartCount: 0, state: { running: { startedAt: new Date("2026-01-01T00:00:03Z") } } }] },
    });
    expect(snap.phase).toBe("Unknown");
    expect(snap.containers[0]).toEqual({ name: "claude", restartCount: 0, state: { kind: "running", startedAt: "2026-01-01T00:00:03Z" } });
  });
});
