import { describe, expect, it } from "vitest";
import { DEFAULT_READ_RETRY, isClusterError, type JobWatchEvent, type LogLine, type PodWatchEvent } from "@clipjob/core";
import { FakeCluster } from "./fake-cluster.js";
import { baseSpec } from "./testing/base-spec.js";
import { isDone, runToEnd, until } from "./testing/run-helpers.js";

const ns = "clipjob";
const missing = { namespace: ns, name: "nothing" };

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** The fault mechanics seen without the ports' read retries: every injected read fault reaches the caller. */
const NO_RETRY = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

describe("request faults surface as ClusterError through the ports", () => {
  const table = [
    { error: "429", code: "rate_limited", httpStatus: 429 },
    { error: "500", code: "server_error", httpStatus: 500 },
    { error: "503", code: "unavailable", httpStatus: 503 },
    { error: "504", code: "timeout", httpStatus: 504 },
    { error: "reset", code: "unavailable", httpStatus: undefined },
    { error: "403", code: "forbidden", httpStatus: 403 },
  ] as const;
  for (const row of table) {
    it(`${row.error} → ${row.code}`, async () => {
      const fake = new FakeCluster({ readRetry: NO_RETRY });
      fake.faults.failRequests({ operation: "get job", error: row.error, count: 1, retryAfterMs: 7_000 });
      const err = await errorOf(fake.cluster.getJob(missing));
      expect(isClusterError(err)).toBe(true);
      expect(err).toMatchObject({ code: row.code, operation: "get job" });
      expect((err as { httpStatus?: number }).httpStatus).toBe(row.httpStatus);
      if (row.error === "429") expect(err).toMatchObject({ retryAfterMs: 7_000 });
      expect(await fake.cluster.getJob(missing)).toBeNull();
      fake.dispose();
    });
  }

  it("count fails exactly the next N matching requests, and a pattern matches several kinds", async () => {
    const fake = new FakeCluster({ readRetry: NO_RETRY });
    const h = fake.faults.failRequests({ operation: /^(get|list) /, error: "503", count: 2 });
    await expect(fake.cluster.getJob(missing)).rejects.toMatchObject({ code: "unavailable" });
    await expect(fake.cluster.listJobs(ns, {})).rejects.toMatchObject({ code: "unavailable" });
    await expect(fake.cluster.listJobs(ns, {})).resolves.toEqual([]);
    expect(h.hits).toBe(2);
    fake.dispose();
  });

  it("probability faults are seeded: the same seed fails the same requests", async () => {
    const pattern = async (seed: number) => {
      const fake = new FakeCluster({ seed, readRetry: NO_RETRY });
      fake.faults.failRequests({ operation: "get job", error: "500", probability: 0.5 });
      const out: boolean[] = [];
      for (let i = 0; i < 20; i++) out.push((await errorOf(fake.cluster.getJob(missing))) !== undefined);
      fake.dispose();
      return out;
    };
    const a = await pattern(42);
    expect(await pattern(42)).toEqual(a);
    expect(a.some(Boolean) && !a.every(Boolean)).toBe(true);
  });

  it("a time window fails requests only inside it", async () => {
    const fake = new FakeCluster({ readRetry: NO_RETRY });
    const t0 = fake.clock.now();
    fake.faults.failRequests({ operation: "get job", error: "503", from: t0 + 1_000, until: t0 + 2_000 });
    await expect(fake.cluster.getJob(missing)).resolves.toBeNull();
    await fake.clock.sleep(1_500);
    await expect(fake.cluster.getJob(missing)).rejects.toMatchObject({ code: "unavailable" });
    await fake.clock.sleep(1_000);
    await expect(fake.cluster.getJob(missing)).resolves.toBeNull();
    fake.dispose();
  });

  it("a denied permission gives forbidden with the missing permission, and the access review agrees", async () => {
    const fake = new FakeCluster();
    fake.denyPermission({ verb: "patch", group: "batch", resource: "jobs" });
    const job = await errorOf(fake.cluster.submit(baseSpec("rbac")));
    expect(job).toMatchObject({ code: "forbidden", permission: { verb: "patch", resource: "jobs", namespace: ns } });
    expect(fake.jobs()).toEqual([]);
    const [v] = await fake.access.review([{ verb: "patch", group: "batch", resource: "jobs", namespace: ns }]);
    expect(v?.allowed).toBe(false);
    fake.denyPermission({ verb: "get", group: "", resource: "namespaces" });
    expect(await fake.access.namespaceExists(ns)).toBe("unknown");
    fake.dispose();
  });
});

describe("the ports retry reads as the Kubernetes adapters do (core's retryTransientRead, DEFAULT_READ_RETRY)", () => {
  const attempts = DEFAULT_READ_RETRY.attempts;

  it(`a read failing transiently ${attempts - 1} times succeeds on attempt ${attempts}, after core's waits (Retry-After capped at ${DEFAULT_READ_RETRY.maxDelayMs} ms)`, async () => {
    const fake = new FakeCluster();
    const t0 = fake.clock.now();
    fake.faults.failRequests({ operation: "get job", error: "429", count: attempts - 1, retryAfterMs: 7_000 });
    await expect(fake.cluster.getJob(missing)).resolves.toBeNull();
    expect(fake.requests()["get job"]).toBe(attempts);
    expect(fake.clock.now() - t0).toBe((attempts - 1) * DEFAULT_READ_RETRY.maxDelayMs);
    fake.dispose();
  });

  it(`a fault that outlasts ${attempts} attempts reaches the caller with the last error`, async () => {
    const fake = new FakeCluster();
    fake.faults.failRequests({ operation: "list pods", error: "reset", count: attempts });
    await expect(fake.cluster.listPods(missing)).rejects.toMatchObject({ code: "unavailable", operation: "list pods" });
    expect(fake.requests()["list pods"]).toBe(attempts);
    await expect(fake.cluster.listPods(missing)).resolves.toEqual([]);
    fake.dispose();
  });

  it("every read of every port is retried: the informer's list, get lease, the host pod, the access checks, opening a log follow", async () => {
    const fake = new FakeCluster();
    fake.faults.failRequests({ operation: /^(list jobs|get lease|get pod|get namespace|get secret|get pvc|create selfsubjectaccessreview)$/, error: "500", count: attempts - 1 });
    await expect(fake.cluster.listJobs(ns, {})).resolves.toEqual([]);
    await expect(fake.leases.getLease({ namespace: ns, name: "absent" })).resolves.toBeNull();
    await expect(fake.host.describeHost()).resolves.toMatchObject({ namespace: ns });
    await expect(fake.access.namespaceExists(ns)).resolves.toBe(true);
    await expect(fake.access.secretExists(ns, "absent")).resolves.toBe(false);
    await expect(fake.access.claimAccessModes(ns, "absent")).resolves.toBeNull();
    const [verdict] = await fake.access.review([{ verb: "get", group: "batch", resource: "jobs", namespace: ns }]);
    expect(verdict?.allowed).toBe(true);
    const { pod, lines: written } = await runToEnd(fake, baseSpec("follow-retried"));
    fake.faults.failRequests({ operation: "follow log", error: "503", count: attempts - 1 });
    const lines: LogLine[] = [];
    for await (const l of fake.logs.follow(pod.ref, "claude", null, new AbortController().signal)) lines.push(l);
    expect(lines.map((l) => l.text)).toEqual(written);
    fake.dispose();
  });

  it("writes and permanent errors are never retried", async () => {
    const fake = new FakeCluster();
    fake.faults.failRequests({ operation: "create job", error: "503", count: 1 });
    await expect(fake.cluster.submit(baseSpec("write-once"))).rejects.toMatchObject({ code: "unavailable" });
    expect(fake.requests()["create job"]).toBe(1);
    fake.faults.failRequests({ operation: "get job", error: "403", count: 1 });
    await expect(fake.cluster.getJob(missing)).rejects.toMatchObject({ code: "forbidden" });
    expect(fake.requests()["get job"]).toBe(1);
    fake.dispose();
  });
});

describe("watch expiry", () => {
  it("the raw store watch answers 410 Gone for a compacted resourceVersion", async () => {
    const fake = new FakeCluster();
    const rv = fake.store.resourceVersion;
    await fake.cluster.submit(baseSpec("w"));
    fake.faults.expireWatches();
    expect(() => fake.store.watch("Job", { namespace: ns, resourceVersion: rv })).toThrow(expect.objectContaining({ code: "gone", httpStatus: 410 }));
    fake.dispose();
  });

  it("history older than eventHistoryMs is compacted by itself", async () => {
    const fake = new FakeCluster({ eventHistoryMs: 60_000 });
    const rv = fake.store.resourceVersion;
    await fake.cluster.submit(baseSpec("old"));
    await fake.clock.sleep(120_000);
    await fake.cluster.relabel((await fake.cluster.getJob({ namespace: ns, name: "old" }))!.ref, { x: "y" });
    expect(() => fake.store.watch("Job", { namespace: ns, resourceVersion: rv })).toThrow(expect.objectContaining({ code: "gone" }));
    fake.dispose();
  });

  it("the port's watches relist transparently after expiry and report what changed meanwhile", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("relist", "silent-then-success"));
    const ac = new AbortController();
    const seen: JobWatchEvent[] = [];
    const done = (async () => {
      for await (const e of fake.cluster.watchJob(job.ref, ac.signal)) {
        seen.push(e);
        if (e.job?.labels["after"] === "expiry") return;
      }
    })();
    await until(fake, () => seen.length > 0);
    fake.faults.expireWatches();
    await fake.cluster.relabel(job.ref, { after: "expiry" });
    await done;
    ac.abort();
    expect(seen.at(-1)).toMatchObject({ type: "modified", job: { labels: { after: "expiry" } } });
    expect(fake.requests()["list jobs"]).toBeGreaterThanOrEqual(2);
    fake.dispose();
  });

  it("a server-side watch timeout is resumed from the last resourceVersion without a relist", async () => {
    const fake = new FakeCluster({ watchTimeoutMs: 60_000, eventHistoryMs: 3_600_000 });
    const job = await fake.cluster.submit(baseSpec("timeout", "silent-then-success"));
    const ac = new AbortController();
    const events: JobWatchEvent[] = [];
    for await (const e of fake.cluster.watchJob(job.ref, ac.signal)) {
      events.push(e);
      if (isDone(e.job)) break;
    }
    ac.abort();
    expect(fake.requests()["watch jobs"]).toBeGreaterThan(2);
    expect(fake.requests()["list jobs"]).toBe(1);
    fake.dispose();
  });
});

describe("log stream cuts", () => {
  it("eof cuts end the stream early; resuming from the cursor loses and repeats nothing", async () => {
    const fake = new FakeCluster();
    const cut = fake.faults.cutLogStreams({ everyMs: 700 });
    const job = await fake.cluster.submit(baseSpec("cut", "success"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    const got: LogLine[] = [];
    for (let i = 0; i < 100 && !isDone(await fake.cluster.getJob(job.ref)); i++) {
      for await (const l of fake.logs.follow(pod.ref, "claude", got.at(-1)?.cursor ?? null, new AbortController().signal)) got.push(l);
    }
    for await (const l of fake.logs.follow(pod.ref, "claude", got.at(-1)?.cursor ?? null, new AbortController().signal)) got.push(l);
    expect(cut.hits).toBeGreaterThan(0);
    expect(got.map((l) => l.text)).toEqual(fake.podLog(pod.ref.name).map((e) => e.text));
    fake.dispose();
  });

  it("error cuts fail the stream with a connection reset", async () => {
    const fake = new FakeCluster();
    fake.faults.cutLogStreams({ everyMs: 500, mode: "error" });
    const job = await fake.cluster.submit(baseSpec("cut-err", "silent-then-success"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    const err = await errorOf((async () => {
      for await (const _ of fake.logs.follow(pod.ref, "claude", null, new AbortController().signal)) void _;
    })());
    expect(err).toMatchObject({ code: "unavailable", operation: "follow log" });
    fake.dispose();
  });
});

describe("log stream stalls", () => {
  it("a stalled stream goes half-open: no more lines and no EOF, even after the container exits, until its reader aborts it", async () => {
    const fake = new FakeCluster();
    const stall = fake.faults.stallLogStreams({ afterMs: 0 });
    const job = await fake.cluster.submit(baseSpec("stall", "success"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    const reader = new AbortController();
    const got: LogLine[] = [];
    let ended = false;
    const done = (async () => {
      for await (const l of fake.logs.follow(pod.ref, "claude", null, reader.signal)) got.push(l);
      ended = true;
    })();
    await until(fake, async () => isDone(await fake.cluster.getJob(job.ref)));
    const full = fake.podLog(pod.ref.name).map((e) => e.text);
    await fake.clock.sleep(60_000);
    expect(stall.hits).toBe(1);
    expect(full.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(full.length);
    expect(ended).toBe(false);
    reader.abort();
    await done;
    expect(ended).toBe(true);
    fake.dispose();
  });
});

describe("external events", () => {
  it("external Job deletion arrives as a deleted event on the Job watch", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("ext", "silent-then-success"));
    const ac = new AbortController();
    const types: string[] = [];
    const done = (async () => {
      for await (const e of fake.cluster.watchJob(job.ref, ac.signal)) types.push(e.type);
    })();
    await until(fake, () => types.length > 0);
    await fake.deleteJobExternally("ext");
    await done;
    expect(types.at(-1)).toBe("deleted");
    fake.dispose();
  });

  it("Eviction API: DisruptionTarget, SIGTERM exit 143, the Job fails", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("evict", "silent-then-success"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    const ac = new AbortController();
    const seen: PodWatchEvent[] = [];
    const watching = (async () => {
      for await (const e of fake.cluster.watchPods(job.ref, ac.signal)) seen.push(e);
    })();
    await fake.evictPod(pod.ref.name);
    const failed = await until(fake, async () => {
      const j = await fake.cluster.getJob(job.ref);
      return j?.conditions.some((c) => c.type === "Failed") ? j : undefined;
    });
    ac.abort();
    await watching;
    expect(failed.failed).toBe(1);
    const terminated = seen.map((e) => e.pod).find((p) => p.containers[0]?.state.kind === "terminated");
    expect(terminated?.containers[0]?.state).toMatchObject({ exitCode: 143 });
    expect(terminated?.conditions.some((c) => c.type === "DisruptionTarget" && c.reason === "EvictionByEvictionAPI")).toBe(true);
    fake.dispose();
  });

  it("node-pressure eviction: pod Failed with reason Evicted, container 137", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("pressure", "silent-then-success"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    await fake.evictPod(pod.ref.name, "node-pressure");
    const evicted = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Failed"));
    expect(evicted.reason).toBe("Evicted");
    expect(evicted.containers[0]?.state).toMatchObject({ kind: "terminated", exitCode: 137 });
    fake.dispose();
  });

  it("node loss: the node goes Unknown, the pod Failed with NodeLost, its log unreachable, the Job Failed", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("lost", "silent-then-success"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    fake.loseNode(pod.nodeName!);
    await expect(fake.logs.follow(pod.ref, "claude", null, new AbortController().signal)[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: "server_error" });
    const lost = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Failed"));
    expect(lost).toMatchObject({ reason: "NodeLost" });
    expect(fake.nodes()[0]?.ready).toBe("Unknown");
    await until(fake, async () => (await fake.cluster.getJob(job.ref))?.conditions.some((c) => c.type === "Failed"));
    fake.dispose();
  });

  it("status lag: the log ends before the pod status says terminated", async () => {
    const fake = new FakeCluster({ statusLagMs: 0 });
    fake.faults.statusLag(5_000);
    const job = await fake.cluster.submit(baseSpec("lag", "success"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.containers[0]?.state.kind === "running"));
    for await (const _ of fake.logs.follow(pod.ref, "claude", null, new AbortController().signal)) void _;
    const right = (await fake.cluster.listPods(job.ref))[0]!;
    expect(right.containers[0]?.state.kind).toBe("running");
    await until(fake, async () => (await fake.cluster.listPods(job.ref))[0]?.containers[0]?.state.kind === "terminated");
    fake.dispose();
  });

  it("Job-condition lag: SuccessCriteriaMet shows up, Complete only after the lag", async () => {
    const fake = new FakeCluster();
    fake.faults.jobConditionLag(30_000);
    const job = await fake.cluster.submit(baseSpec("cond-lag"));
    const interim = await until(fake, async () => {
      const j = await fake.cluster.getJob(job.ref);
      return j?.conditions.some((c) => c.type === "SuccessCriteriaMet") ? j : undefined;
    });
    expect(interim.conditions.some((c) => c.type === "Complete")).toBe(false);
    const t = fake.clock.now();
    await until(fake, async () => (await fake.cluster.getJob(job.ref))?.conditions.some((c) => c.type === "Complete"));
    expect(fake.clock.now() - t).toBeGreaterThanOrEqual(29_000);
    fake.dispose();
  });

  it("host restart: old streams end, old ports are refused, new ports see the Job still running", async () => {
    const fake = new FakeCluster();
    const oldCluster = fake.cluster;
    const job = await oldCluster.submit(baseSpec("restart", "silent-then-success"));
    const pod = await until(fake, async () => (await oldCluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    const oldLog = (async () => {
      const out: string[] = [];
      for await (const l of fake.logs.follow(pod.ref, "claude", null, new AbortController().signal)) out.push(l.text);
      return out;
    })();
    const oldWatch = (async () => {
      for await (const _ of oldCluster.watchJob(job.ref, new AbortController().signal)) void _;
    })();
    await fake.clock.sleep(1_000);
    fake.hostRestart();
    await oldWatch;
    expect((await oldLog).length).toBeGreaterThan(0);
    await expect(oldCluster.deleteJob(job.ref, "Background")).rejects.toMatchObject({ code: "unavailable" });
    expect(fake.cluster).not.toBe(oldCluster);
    expect((await fake.cluster.getJob(job.ref))?.active).toBe(1);
    fake.dispose();
  });
});
