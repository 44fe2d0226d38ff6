import { describe, expect, it } from "vitest";
import { FakeCluster } from "@clipjob/fake-cluster";
import { cancelJob } from "./cancel-job.js";
import { leaveSuspendedJob, submitAgentJob } from "./testing/submit-agent-job.js";

describe("cancelJob", () => {
  it("deletes a running Job; its pod and payload Secret follow", async () => {
    const fake = new FakeCluster();
    try {
      const job = await submitAgentJob(fake, { runId: "run-1", scenario: "silent-then-success" });
      await fake.clock.advance(20_000);
      expect(fake.pods()).toHaveLength(1);

      const result = await cancelJob(fake.cluster, job.ref);
      expect(result).toEqual({ ok: true, value: { namespace: fake.namespace, name: job.ref.name, phase: "Running" } });

      await fake.clock.advance(120_000);
      expect(fake.jobs()).toEqual([]);
      expect(fake.pods()).toEqual([]);
      expect(fake.secrets().filter((s) => s.ref.name.startsWith(job.ref.name))).toEqual([]);
    } finally {
      fake.dispose();
    }
  });

  it("a Job a failed submit left suspended is cancelled as Suspended, not 'was Running' (issue 14, fault 6)", async () => {
    const fake = new FakeCluster();
    try {
      const name = await leaveSuspendedJob(fake, { runId: "run-stuck", scenario: "success" });
      const result = await cancelJob(fake.cluster, { namespace: fake.namespace, name });
      expect(result).toEqual({ ok: true, value: { namespace: fake.namespace, name, phase: "Suspended" } });
    } finally {
      fake.dispose();
    }
  });

  it("says job_not_found for a Job that does not exist", async () => {
    const fake = new FakeCluster();
    try {
      expect(await cancelJob(fake.cluster, { namespace: fake.namespace, name: "ac-missing" })).toMatchObject({ ok: false, error: { code: "job_not_found" } });
    } finally {
      fake.dispose();
    }
  });
});
