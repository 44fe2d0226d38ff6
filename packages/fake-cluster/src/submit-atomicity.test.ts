import { describe, expect, it } from "vitest";
import { isClusterError } from "@clipjob/core";
import { FakeCluster } from "./fake-cluster.js";
import type { InjectedError } from "./faults/fault-injector.js";
import { baseSpec } from "./testing/base-spec.js";

const steps = ["create job", "create secret", "patch job"] as const;
const errors: InjectedError[] = ["429", "500", "503", "reset"];

describe("submit leaves nothing behind when any step fails", () => {
  for (const step of steps) {
    for (const error of errors) {
      for (const afterCommit of [false, true]) {
        it(`${step} fails with ${error}${afterCommit ? " after the server applied it" : ""}`, async () => {
          const fake = new FakeCluster();
          fake.faults.failRequests({ operation: step, error, count: 1, afterCommit });
          const err = await fake.cluster.submit(baseSpec("atomic")).catch((e: unknown) => e);
          expect(isClusterError(err) && err.operation === step).toBe(true);
          await fake.clock.sleep(5_000);
          expect(fake.jobs()).toEqual([]);
          expect(fake.secrets()).toEqual([]);
          expect(fake.pods()).toEqual([]);
          fake.dispose();
        });
      }
    }
  }

  it("an aborted submit deletes what it created", async () => {
    const fake = new FakeCluster();
    const ac = new AbortController();
    const p = fake.cluster.submit(baseSpec("aborted"), ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: "ClusterError" });
    await fake.clock.sleep(5_000);
    expect(fake.jobs()).toEqual([]);
    expect(fake.secrets()).toEqual([]);
    fake.dispose();
  });

  it("a name clash does not delete the Job that already had the name", async () => {
    const fake = new FakeCluster();
    const first = await fake.cluster.submit(baseSpec("clash"));
    await expect(fake.cluster.submit(baseSpec("clash"))).rejects.toMatchObject({ code: "already_exists" });
    expect(fake.jobs().map((j) => j.ref.uid)).toEqual([first.ref.uid]);
    expect(fake.secrets()).toHaveLength(1);
    fake.dispose();
  });

  it("the payload Secret is owned by the Job and holds the prompt and run token; the Job starts suspended", async () => {
    const fake = new FakeCluster({ freeze: true });
    const job = await fake.cluster.submit(baseSpec("owned", "success", { payload: { prompt: "hi", runToken: "jwt" } }));
    const [secret] = fake.secrets();
    expect(secret?.ref.name).toBe("owned-payload");
    expect(secret?.data).toEqual({ prompt: "hi", "run-token": "jwt" });
    expect(secret?.ownerReferences).toEqual([expect.objectContaining({ kind: "Job", uid: job.ref.uid })]);
    expect(fake.requests()).toMatchObject({ "create job": 1, "create secret": 1, "patch job": 1 });
    fake.dispose();
  });
});
