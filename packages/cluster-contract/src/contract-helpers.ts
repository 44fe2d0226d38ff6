import { isClusterError, type ClusterErrorCode, type JobSnapshot, type ObjectRef, type PodSnapshot } from "@clipjob/core";
import type { ContractHarness } from "./contract-harness.js";

let counter = 0;

/** A fresh DNS-1123 name per case, so cases never collide on a shared real cluster. */
export function uniqueName(prefix: string): string {
  counter++;
  return `${prefix}-${counter.toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, "0")}`;
}

/** Polls `probe` on the harness clock until it returns a value (not undefined/null/false), or fails after `timeoutMs`. */
export async function eventually<T>(h: ContractHarness, what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = h.clock.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (h.clock.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await h.clock.sleep(200);
  }
}

export async function onlyPod(h: ContractHarness, job: ObjectRef): Promise<PodSnapshot> {
  return eventually(h, `the pod of ${job.name}`, async () => (await h.cluster.listPods(job))[0]);
}

export async function podWhere(h: ContractHarness, job: ObjectRef, what: string, test: (p: PodSnapshot) => boolean, timeoutMs?: number): Promise<PodSnapshot> {
  return eventually(h, what, async () => (await h.cluster.listPods(job)).find(test), timeoutMs);
}

export async function jobWhere(h: ContractHarness, job: ObjectRef, what: string, test: (j: JobSnapshot) => boolean, timeoutMs?: number): Promise<JobSnapshot> {
  return eventually(h, what, async () => {
    const j = await h.cluster.getJob(job);
    return j && test(j) ? j : undefined;
  }, timeoutMs);
}

export function conditionTrue(j: JobSnapshot, type: string): boolean {
  return j.conditions.some((c) => c.type === type && c.status === "True");
}

export function isFinished(j: JobSnapshot): boolean {
  return conditionTrue(j, "Complete") || conditionTrue(j, "Failed");
}

export async function expectClusterError(p: Promise<unknown>, code: ClusterErrorCode): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (isClusterError(err) && err.code === code) return;
    throw new Error(`expected ClusterError ${code}, got ${String(err)}`);
  }
  throw new Error(`expected ClusterError ${code}, but it succeeded`);
}

/** Collects an async iterable until `until` says stop (inclusive) or the iterable ends. */
export async function collectUntil<T>(it: AsyncIterable<T>, until: (item: T, all: T[]) => boolean): Promise<T[]> {
  const all: T[] = [];
  for await (const item of it) {
    all.push(item);
    if (until(item, all)) break;
  }
  return all;
}

export async function collectAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of it) all.push(item);
  return all;
}
