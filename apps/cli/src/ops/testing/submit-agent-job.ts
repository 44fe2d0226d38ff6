// Test helper: puts a real agent Job into a FakeCluster the way a run would (core's plan, the fake's submit),
// without supervising it, so `jobs`, `logs` and `cancel` have something to find.
import { parseConfig, planAgentJob, type JobSnapshot } from "@clipjob/core";
import { simImage, type FakeCluster } from "@clipjob/fake-cluster";

export interface AgentJobFixture {
  readonly runId: string;
  readonly scenario: string;
  readonly agentId?: string;
  readonly taskId?: string;
}

export async function submitAgentJob(fake: FakeCluster, fixture: AgentJobFixture): Promise<JobSnapshot> {
  const config = parseConfig({ image: simImage(fixture.scenario) });
  if (!config.ok) throw new Error(config.error.message);
  const plan = planAgentJob({
    request: {
      runId: fixture.runId,
      agent: { id: fixture.agentId ?? "agent-1", companyId: "company-1", name: "Agent One" },
      config: {},
      ...(fixture.taskId ? { taskId: fixture.taskId } : {}),
      taskMarkdown: `Work on ${fixture.runId}`,
    },
    config: config.value,
    host: await fake.host.describeHost(),
    defaultNamespace: fake.namespace,
  });
  if (!plan.ok) throw new Error(plan.error.message);
  return fake.cluster.submit(plan.value);
}

/**
 * A Job left suspended by a submit that failed at the resume and whose clean-up failed too: it never starts.
 * Returns its name.
 */
export async function leaveSuspendedJob(fake: FakeCluster, fixture: AgentJobFixture): Promise<string> {
  const resume = fake.faults.failRequests({ operation: "patch job", error: "500", count: 1 });
  const cleanup = fake.faults.failRequests({ operation: "delete job", error: "500" });
  try {
    await submitAgentJob(fake, fixture);
  } catch {
    // The submit failed as intended.
  } finally {
    resume.remove();
    cleanup.remove();
  }
  const job = fake.jobs().find((j) => j.labels["paperclip.io/run-id"] === fixture.runId);
  if (!job?.suspended) throw new Error("no suspended Job was left");
  return job.ref.name;
}
