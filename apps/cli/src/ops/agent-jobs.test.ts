import { describe, expect, it } from "vitest";
import { FakeCluster } from "@clipjob/fake-cluster";
import { listAgentJobs } from "./agent-jobs.js";
import { leaveSuspendedJob, submitAgentJob } from "./testing/submit-agent-job.js";

async function rows(fake: FakeCluster, supervisedRunIds?: ReadonlySet<string>) {
  return listAgentJobs({ cluster: fake.cluster, namespace: fake.namespace, nowMs: fake.clock.now(), ...(supervisedRunIds ? { supervisedRunIds } : {}) });
}

describe("listAgentJobs", () => {
  it("lists each Job with its labels, phase and age, and marks the live ones nobody here supervises", async () => {
    const fake = new FakeCluster({ freeze: true });
    try {
      await submitAgentJob(fake, { runId: "run-done", scenario: "success", taskId: "task-7" });
      await submitAgentJob(fake, { runId: "run-failed", scenario: "init-only" });
      await fake.clock.advance(60_000);
      await submitAgentJob(fake, { runId: "run-live", scenario: "silent-then-success", agentId: "agent-2" });
      await fake.clock.advance(5_000);

      const byRun = Object.fromEntries((await rows(fake)).map((r) => [r.runId, r]));

      expect(byRun["run-done"]).toMatchObject({ phase: "Complete", agentId: "agent-1", taskId: "task-7", orphanCandidate: false, ageSeconds: 65 });
      expect(byRun["run-failed"]).toMatchObject({ phase: "Failed", taskId: null, orphanCandidate: false });
      expect(byRun["run-live"]).toMatchObject({ phase: "Running", agentId: "agent-2", orphanCandidate: true, ageSeconds: 5 });
    } finally {
      fake.dispose();
    }
  });

  it("a Job a failed submit left suspended shows as Suspended, not Running (issue 14, fault 6)", async () => {
    const fake = new FakeCluster();
    try {
      await leaveSuspendedJob(fake, { runId: "run-stuck", scenario: "success" });
      await fake.clock.sleep(30_000);
      expect((await rows(fake)).find((r) => r.runId === "run-stuck")).toMatchObject({ phase: "Suspended", orphanCandidate: false });
    } finally {
      fake.dispose();
    }
  });

  it("lists the newest Job first", async () => {
    const fake = new FakeCluster({ freeze: true });
    try {
      await submitAgentJob(fake, { runId: "run-old", scenario: "silent-then-success", agentId: "a1" });
      await fake.clock.advance(10_000);
      await submitAgentJob(fake, { runId: "run-new", scenario: "silent-then-success", agentId: "a2" });
      expect((await rows(fake)).map((r) => r.runId)).toEqual(["run-new", "run-old"]);
    } finally {
      fake.dispose();
    }
  });

  it("does not mark a live Job whose run this process supervises", async () => {
    const fake = new FakeCluster({ freeze: true });
    try {
      await submitAgentJob(fake, { runId: "run-mine", scenario: "silent-then-success" });
      await fake.clock.advance(3_000);
      expect((await rows(fake, new Set(["run-mine"])))[0]).toMatchObject({ phase: "Running", orphanCandidate: false });
    } finally {
      fake.dispose();
    }
  });

  it("shows a Job that is being deleted as Deleting, not as an orphan", async () => {
    const fake = new FakeCluster({ freeze: true });
    try {
      const job = await submitAgentJob(fake, { runId: "run-going", scenario: "silent-then-success" });
      await fake.clock.advance(3_000);
      await fake.deleteJobExternally(job.ref.name, "Foreground");
      const [row] = await rows(fake);
      expect(row).toMatchObject({ phase: "Deleting", orphanCandidate: false });
    } finally {
      fake.dispose();
    }
  });

  it("finds nothing in a namespace without clipjob Jobs", async () => {
    const fake = new FakeCluster({ freeze: true });
    try {
      await submitAgentJob(fake, { runId: "run-x", scenario: "success" });
      expect(await listAgentJobs({ cluster: fake.cluster, namespace: "default", nowMs: fake.clock.now() })).toEqual([]);
    } finally {
      fake.dispose();
    }
  });
});
