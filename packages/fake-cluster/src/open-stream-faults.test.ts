import { describe, expect, it } from "vitest";
import type { LogLine } from "@clipjob/core";
import { FakeCluster } from "./fake-cluster.js";
import { baseSpec } from "./testing/base-spec.js";
import { isDone, until } from "./testing/run-helpers.js";

describe("one-shot faults on the log streams open now", () => {
  async function openFollow(fake: FakeCluster, name: string) {
    const job = await fake.cluster.submit(baseSpec(name, "silent-then-success"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    const got: LogLine[] = [];
    const outcome = (async () => {
      for await (const l of fake.logs.follow(pod.ref, "claude", null, new AbortController().signal)) got.push(l);
      return "eof" as const;
    })().catch((e: unknown) => e);
    return { job, pod, got, outcome };
  }

  it("cutOpenLogStreams ends each stream open now (eof), and a stream opened afterwards is not cut", async () => {
    const fake = new FakeCluster();
    const first = await openFollow(fake, "cut-now");
    await fake.clock.sleep(10);
    expect(fake.faults.cutOpenLogStreams("eof")).toBe(1);
    expect(await first.outcome).toBe("eof");
    const job = await fake.cluster.getJob(first.job.ref);
    expect(isDone(job)).toBe(false);
    // The resumed stream runs to the container's exit: the one-shot cut left no rule behind.
    const rest: LogLine[] = [];
    for await (const l of fake.logs.follow(first.pod.ref, "claude", first.got.at(-1)?.cursor ?? null, new AbortController().signal)) rest.push(l);
    expect([...first.got, ...rest].map((l) => l.text)).toEqual(fake.podLog(first.pod.ref.name).map((e) => e.text));
    expect(fake.faults.cutOpenLogStreams("eof")).toBe(0);
    fake.dispose();
  });

  it("cutOpenLogStreams('error') fails the stream with a connection reset", async () => {
    const fake = new FakeCluster();
    const { outcome } = await openFollow(fake, "cut-now-err");
    await fake.clock.sleep(10);
    fake.faults.cutOpenLogStreams("error");
    expect(await outcome).toMatchObject({ code: "unavailable", operation: "follow log" });
    fake.dispose();
  });

  it("stallOpenLogStreams leaves each stream open now half-open until its reader aborts it", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("stall-now", "silent-then-success"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    const reader = new AbortController();
    let ended = false;
    const done = (async () => {
      for await (const _ of fake.logs.follow(pod.ref, "claude", null, reader.signal)) void _;
      ended = true;
    })();
    await fake.clock.sleep(10);
    expect(fake.faults.stallOpenLogStreams()).toBe(1);
    await until(fake, async () => isDone(await fake.cluster.getJob(job.ref)));
    await fake.clock.sleep(60_000);
    expect(ended).toBe(false);
    reader.abort();
    await done;
    expect(ended).toBe(true);
    fake.dispose();
  });
});
