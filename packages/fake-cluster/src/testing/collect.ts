import type { ObjectRef } from "@clipjob/core";
import type { FakeCluster } from "../fake-cluster.js";
import { until } from "./run-helpers.js";

/** Waits for the Job's pod to start and follows its agent log to the end through the LogPort. */
export async function collectLog(fake: FakeCluster, job: ObjectRef): Promise<string[]> {
  const pod = await until(fake, async () => (await fake.cluster.listPods(job)).find((p) => p.containers[0]?.state.kind === "running" || p.containers[0]?.state.kind === "terminated"));
  const out: string[] = [];
  for await (const l of fake.logs.follow(pod.ref, "claude", null, new AbortController().signal)) out.push(l.text);
  return out;
}
