import type { AgentJobSpec, JobSnapshot, PodSnapshot } from "@clipjob/core";
import type { FakeCluster } from "../fake-cluster.js";

/** Polls on the fake's clock until `probe` yields a value. */
export async function until<T>(fake: FakeCluster, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 3_600_000): Promise<T> {
  const deadline = fake.clock.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (fake.clock.now() > deadline) throw new Error("condition not reached in virtual time");
    await fake.clock.sleep(100);
  }
}

export const isDone = (j: JobSnapshot | null | undefined): boolean => !!j && j.conditions.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");

/** Submits, waits until the Job is finished, and returns the Job, its pod and the agent's log lines. */
export async function runToEnd(fake: FakeCluster, spec: AgentJobSpec): Promise<{ job: JobSnapshot; pod: PodSnapshot; lines: string[] }> {
  const submitted = await fake.cluster.submit(spec);
  const job = await until(fake, async () => {
    const j = await fake.cluster.getJob(submitted.ref);
    return isDone(j) ? j : undefined;
  });
  const pod = (await fake.cluster.listPods(job.ref))[0]!;
  const lines = fake.podLog(pod.ref.name).map((e) => e.text);
  return { job, pod, lines };
}

export function events(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
