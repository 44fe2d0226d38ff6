import { describe, expect, it } from "vitest";
import type { PodSnapshot } from "@clipjob/core";
import { FakeCluster } from "./fake-cluster.js";
import { fixedNano, pieceText, type LogPiece } from "./kubelet/container-log.js";
import { INIT_CONTAINERS_ANNOTATION, JOB_TRACKING_FINALIZER } from "./store/objects.js";
import { baseSpec } from "./testing/base-spec.js";
import { runToEnd, until } from "./testing/run-helpers.js";

const agent = (p: PodSnapshot | undefined) => p?.containers[0]?.state;

/** Every state the agent container passes through, seen by a pod watch (polling can miss a pod's last moment). */
function recordStates(fake: FakeCluster, job: { namespace: string; name: string }, ac: AbortController): PodSnapshot[] {
  const seen: PodSnapshot[] = [];
  void (async () => {
    for await (const e of fake.cluster.watchPods(job, ac.signal)) seen.push(e.pod);
  })();
  return seen;
}

/** A pods/log response body, whole. */
async function body(it: AsyncIterable<LogPiece>): Promise<string> {
  let out = "";
  for await (const piece of it) out += pieceText(piece);
  return out;
}

describe("kubelet", () => {
  it("deleting a running pod's Job sends SIGTERM: exit 143", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("term", "silent-then-success"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    const ac = new AbortController();
    const seen = recordStates(fake, job.ref, ac);
    await fake.cluster.deleteJob(job.ref, "Background");
    await until(fake, () => fake.pods().length === 0);
    ac.abort();
    const dying = seen.find((p) => p.ref.uid === pod.ref.uid && agent(p)?.kind === "terminated");
    expect(agent(dying)).toMatchObject({ exitCode: 143, signal: 15 });
    fake.dispose();
  });

  it("a process that traps SIGTERM gets terminationGracePeriodSeconds, then SIGKILL: exit 137", async () => {
    const fake = new FakeCluster();
    fake.registerProgram("stubborn", async (ctx) => {
      ctx.onSigterm(() => ctx.stderr("ignoring SIGTERM"));
      await ctx.sleep(Number.POSITIVE_INFINITY);
      return 0;
    });
    const job = await fake.cluster.submit(baseSpec("stubborn", "stubborn", { terminationGracePeriodSeconds: 20 }));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.phase === "Running"));
    const t = fake.clock.now();
    const ac = new AbortController();
    const seen = recordStates(fake, job.ref, ac);
    await fake.cluster.deleteJob(job.ref, "Foreground");
    await until(fake, () => fake.podLog(pod.ref.name).some((e) => e.text === "ignoring SIGTERM"));
    await until(fake, async () => (await fake.cluster.getJob(job.ref)) === null);
    ac.abort();
    const dead = seen.find((p) => agent(p)?.kind === "terminated");
    expect(agent(dead)).toMatchObject({ exitCode: 137 });
    expect(fake.clock.now() - t).toBeGreaterThanOrEqual(20_000);
    fake.dispose();
  });

  it("the job-tracking finalizer holds a pod until the Job controller has counted it", async () => {
    const fake = new FakeCluster({ freeze: true });
    await fake.cluster.submit(baseSpec("fin"));
    await fake.clock.advance(100);
    expect(fake.pods()[0]?.finalizers).toEqual([JOB_TRACKING_FINALIZER]);
    await fake.clock.advance(60_000);
    expect(fake.pods()[0]?.finalizers).toEqual([]);
    expect(fake.jobs()[0]?.succeeded).toBe(1);
    fake.dispose();
  });

  it("the payload Secret counts: an env reference to a key it lacks is CreateContainerConfigError", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("token", "success", { env: [{ name: "PAPERCLIP_API_KEY", source: { kind: "payload", key: "run-token" } }] }));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => agent(p)?.kind === "waiting" && (agent(p) as { reason?: string }).reason === "CreateContainerConfigError"));
    expect(agent(pod)).toMatchObject({ message: "couldn't find key run-token in Secret clipjob/token-payload" });
    fake.dispose();
  });

  it("a missing env Secret that appears later lets the container start", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("late", "success", { env: [{ name: "K", source: { kind: "secretKey", secretName: "late-secret", key: "k" } }] }));
    await until(fake, async () => (agent((await fake.cluster.listPods(job.ref))[0]) as { reason?: string } | undefined)?.reason === "CreateContainerConfigError");
    fake.addSecret("late-secret", { k: "v" });
    await until(fake, async () => (await fake.cluster.getJob(job.ref))?.conditions.some((c) => c.type === "Complete"));
    fake.dispose();
  });

  it("a failed init container fails the pod (restartPolicy Never: no CrashLoopBackOff); the agent never starts", async () => {
    const fake = new FakeCluster();
    const spec = baseSpec("init", "success", { annotations: { [INIT_CONTAINERS_ANNOTATION]: JSON.stringify([{ name: "setup", exitCode: 3 }]) } });
    const { job, pod } = await runToEnd(fake, spec);
    expect(pod.phase).toBe("Failed");
    expect(pod.initContainers[0]).toMatchObject({ name: "setup", state: { kind: "terminated", exitCode: 3, reason: "Error" } });
    expect(agent(pod)).toMatchObject({ kind: "waiting", reason: "PodInitializing" });
    expect(job.conditions.find((c) => c.type === "Failed")?.reason).toBe("BackoffLimitExceeded");
    await expect(fake.logs.follow(pod.ref, "claude", null, new AbortController().signal)[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining("is waiting to start: PodInitializing"),
    });
    fake.dispose();
  });

  it("until the kubelet reports, a container's state is unknown", async () => {
    const fake = new FakeCluster({ freeze: true, statusLagMs: 5_000 });
    const job = await fake.cluster.submit(baseSpec("unknown"));
    await fake.clock.advance(100);
    expect(agent((await fake.cluster.listPods(job.ref))[0])).toEqual({ kind: "unknown" });
    fake.dispose();
  });

  it("sinceTime reaches the kubelet at whole seconds and keeps records stamped at or after that second", async () => {
    const fake = new FakeCluster();
    fake.registerProgram("ticks", async (ctx) => {
      for (let i = 0; i < 6; i++) {
        ctx.stdout(`t${i}`);
        await ctx.sleep(500);
      }
      return 0;
    });
    const { pod } = await runToEnd(fake, baseSpec("ticks", "ticks"));
    const all = fake.podLog(pod.ref.name);
    const third = all[2]!.timestamp;
    const second = `${third.slice(0, 19)}Z`;
    const texts = async (sinceTime: string) => (await body(fake.readPodLog(pod.ref.name, { sinceTime }))).split("\n").filter((l) => l !== "");
    const fromSecond = all.filter((e) => Date.parse(e.timestamp) >= Date.parse(second)).map((e) => e.text);
    // The API server formats sinceTime RFC 3339 without a fraction: a fractional value means its whole second.
    expect(await texts(third)).toEqual(fromSecond);
    expect(await texts(second)).toEqual(fromSecond);
    expect(fromSecond.length).toBeGreaterThan(all.length - 3);
    fake.dispose();
  });

  describe("log records (containerd's CRI format, the kubelet's reader)", () => {
    const BIG = "x".repeat(20 * 1024);
    const T0 = "2026-03-01T10:00:00.000Z";
    /** A program that writes `steps` at their offsets (ms after start) then exits. */
    const writer = (fake: FakeCluster, steps: readonly [number, "stdout" | "stderr", string][]) => {
      fake.registerProgram("writer", async (ctx) => {
        const start = ctx.now();
        for (const [at, stream, data] of steps) {
          if (start + at > ctx.now()) await ctx.sleep(start + at - ctx.now());
          ctx.write(stream, data);
        }
        return 0;
      });
      return runToEnd(fake, baseSpec("writer", "writer"));
    };

    it("a line over 16 KiB is stored as P records of 16 KiB then F, and served whole with its first record's timestamp", async () => {
      const fake = new FakeCluster({ startTime: T0 });
      const { pod } = await writer(fake, [[0, "stdout", BIG.slice(0, 20_480)], [1_100, "stdout", `${BIG.slice(20_480)}\n`]]);
      const records = fake.podLogRecords(pod.ref.name);
      expect(records.map((r) => [r.partial, r.content.length])).toEqual([[true, 16_384], [false, BIG.length - 16_384]]);
      expect(records[1]!.ms - records[0]!.ms).toBe(1_100);
      const served = await body(fake.readPodLog(pod.ref.name, { timestamps: true }));
      expect(served).toBe(`${fixedNano(records[0]!.ms)} ${BIG}\n`);
      fake.dispose();
    });

    it("a piece between 16 and 20 KiB makes no record until the line goes on (containerd reads 4 KiB at a time; measured on a real node)", async () => {
      const fake = new FakeCluster({ startTime: T0 });
      const piece = "y".repeat(17_000);
      const { pod } = await writer(fake, [[0, "stdout", piece], [300, "stderr", "oops\n"], [600, "stdout", "tail\n"]]);
      const records = fake.podLogRecords(pod.ref.name);
      expect(records.map((r) => [r.stream, r.partial, r.content.length, r.ms - records[0]!.ms])).toEqual([
        ["stderr", false, 4, 0],
        ["stdout", true, 16_384, 300],
        ["stdout", false, 17_004 - 16_384, 300],
      ]);
      expect(await body(fake.readPodLog(pod.ref.name))).toBe(`oops\n${piece}tail\n`);
      fake.dispose();
    });

    it("a split inside a multi-byte character keeps the joined line intact", async () => {
      const fake = new FakeCluster({ startTime: T0 });
      const line = `${"a".repeat(16_383)}é${"日".repeat(6_000)}`;
      const { pod } = await writer(fake, [[0, "stdout", `${line}\n`]]);
      expect(fake.podLogRecords(pod.ref.name).length).toBeGreaterThan(1);
      expect(await body(fake.readPodLog(pod.ref.name))).toBe(`${line}\n`);
      fake.dispose();
    });

    it("a resume whose second falls inside a long line gets its rest without a prefix (sinceTime per record)", async () => {
      const fake = new FakeCluster({ startTime: T0 });
      // The program first waits for a second's .900: big's P then, its F with M 200 ms later (the next
      // second), N at the second after.
      fake.registerProgram("straddle", async (ctx) => {
        await ctx.sleep(1_900 - (ctx.now() % 1_000));
        ctx.write("stdout", BIG.slice(0, 20_480));
        await ctx.sleep(200);
        ctx.write("stdout", `${BIG.slice(20_480)}\nM\n`);
        await ctx.sleep(900);
        ctx.stdout("N");
        return 0;
      });
      const { pod } = await runToEnd(fake, baseSpec("straddle", "straddle"));
      const [p, f, m, n] = fake.podLogRecords(pod.ref.name);
      expect([p!.partial, f!.partial, m!.content, n!.content]).toEqual([true, false, "M", "N"]);
      const second = `${fixedNano(m!.ms).slice(0, 19)}Z`;
      expect(p!.ms).toBeLessThan(Date.parse(second));
      const served = await body(fake.readPodLog(pod.ref.name, { timestamps: true, sinceTime: second }));
      expect(served).toBe(`${BIG.slice(16_384)}\n${fixedNano(m!.ms)} M\n${fixedNano(n!.ms)} N\n`);
      fake.dispose();
    });

    it("the prefix flag is shared by stdout and stderr: a stderr record inside a long stdout line garbles both", async () => {
      const fake = new FakeCluster({ startTime: T0 });
      const { pod } = await writer(fake, [[0, "stdout", BIG.slice(0, 20_480)], [100, "stderr", "oops\n"], [200, "stdout", `${BIG.slice(20_480)}\n`]]);
      const [p, , f] = fake.podLogRecords(pod.ref.name);
      const served = await body(fake.readPodLog(pod.ref.name, { timestamps: true }));
      expect(served).toBe(`${fixedNano(p!.ms)} ${BIG.slice(0, 16_384)}oops\n${fixedNano(f!.ms)} ${BIG.slice(16_384)}\n`);
      fake.dispose();
    });

    it("a last line without a newline is stored as P and served without one", async () => {
      const fake = new FakeCluster({ startTime: T0 });
      const { pod } = await writer(fake, [[0, "stdout", "done\nunfinished"]]);
      expect(fake.podLogRecords(pod.ref.name).map((r) => [r.partial, r.content])).toEqual([[false, "done"], [true, "unfinished"]]);
      expect(await body(fake.readPodLog(pod.ref.name))).toBe("done\nunfinished");
      fake.dispose();
    });

    it("rotation happens at the kubelet's periodic check (containerLogMonitorInterval), never inside a burst: a 125 KiB line into 8 KiB files stays whole until the next check", async () => {
      const fake = new FakeCluster({ startTime: T0, containerLogRotation: { maxFileBytes: 8 * 1024, maxFiles: 5, monitorIntervalMs: 10_000 } });
      const big = "z".repeat(125_000);
      let wroteAt = 0;
      fake.registerProgram("burst", async (ctx) => {
        // Just after a check: the next one is almost a whole interval away.
        await ctx.sleep(10_001 - (ctx.now() - Date.parse(T0)) % 10_000);
        wroteAt = ctx.now();
        ctx.stdout(big);
        ctx.stdout("after");
        await ctx.sleep(15_000);
        ctx.stdout("later");
        await ctx.sleep(1_000);
        return 0;
      });
      const job = await fake.cluster.submit(baseSpec("burst", "burst"));
      const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.containers[0]?.state.kind === "running"));
      const followed = body(fake.readPodLog(pod.ref.name, { follow: true }));
      await until(fake, () => wroteAt > 0);
      // Before the next check the whole burst is in the current file: 8 records (7 P and an F) of one line.
      expect(fake.podLogRecords(pod.ref.name).filter((r) => r.content.startsWith("z")).length).toBe(8);
      expect(await body(fake.readPodLog(pod.ref.name))).toBe(`${big}\nafter\n`);
      await fake.clock.sleep(10_000);
      // The check rotated the full file: a new read serves only what came after.
      expect(await body(fake.readPodLog(pod.ref.name))).toBe("");
      expect(await followed).toBe(`${big}\nafter\nlater\n`);
      expect(await body(fake.readPodLog(pod.ref.name))).toBe("later\n");
      fake.dispose();
    });

    it("after a rotation a new read serves only the current file; a follow open across it misses nothing", async () => {
      const fake = new FakeCluster({ startTime: T0, containerLogRotation: { maxFileBytes: 4 * 1024, maxFiles: 3, monitorIntervalMs: 1_000 } });
      const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, "0")} ${"-".repeat(60)}`);
      fake.registerProgram("chatty", async (ctx) => {
        for (const l of lines) {
          ctx.stdout(l);
          await ctx.sleep(50);
        }
        return 0;
      });
      const job = await fake.cluster.submit(baseSpec("chatty", "chatty"));
      const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.containers[0]?.state.kind === "running"));
      const followed = body(fake.readPodLog(pod.ref.name, { follow: true }));
      expect((await followed).split("\n").filter((l) => l !== "")).toEqual(lines);
      const later = (await body(fake.readPodLog(pod.ref.name))).split("\n").filter((l) => l !== "");
      expect(later.length).toBeLessThan(lines.length / 3);
      expect(later).toEqual(lines.slice(-later.length));
      fake.dispose();
    });
  });

  it("log timestamps are RFC3339Nano as Go writes them (trailing zeros trimmed)", async () => {
    const fake = new FakeCluster({ startTime: "2026-03-01T10:00:00.000Z" });
    const { pod } = await runToEnd(fake, baseSpec("ts"));
    for (const e of fake.podLog(pod.ref.name)) expect(e.timestamp).toMatch(/^2026-03-01T10:00:\d\d(\.\d*[1-9])?Z$/);
    fake.dispose();
  });

  it("a pending pod's log is refused with 'waiting to start: ContainerCreating'", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("pending", "success", { nodeSelector: { gpu: "yes" } }));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref))[0]);
    await expect(fake.logs.follow(pod.ref, "claude", null, new AbortController().signal)[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: "invalid",
      httpStatus: 400,
    });
    fake.dispose();
  });
});

describe("scheduler", () => {
  const unschedulable = async (fake: FakeCluster, name: string, overrides: Parameters<typeof baseSpec>[2]) => {
    const job = await fake.cluster.submit(baseSpec(name, "success", overrides));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref)).find((p) => p.conditions.some((c) => c.reason === "Unschedulable")));
    return pod.conditions.find((c) => c.type === "PodScheduled")!.message!;
  };

  it.each([
    ["a nodeSelector no node matches", { nodeSelector: { pool: "gpu" } }, "didn't match Pod's node affinity/selector"],
    ["requests above node capacity", { resources: { requests: { memory: "64Gi" }, limits: {} } }, "Insufficient memory"],
    ["a claim that does not exist", { volumes: [{ kind: "pvc" as const, name: "data", claimName: "nope", mountPath: "/paperclip" }] }, 'persistentvolumeclaim "nope" not found'],
  ])("%s → Unschedulable", async (_what, overrides, fragment) => {
    const fake = new FakeCluster();
    expect(await unschedulable(fake, "sched", overrides)).toContain(fragment);
    fake.dispose();
  });

  it("an untolerated taint keeps the pod off the node; a toleration lets it run", async () => {
    const fake = new FakeCluster({ nodes: [{ name: "tainted", taints: [{ key: "dedicated", value: "agents", effect: "NoSchedule" }] }] });
    expect(await unschedulable(fake, "t1", {})).toContain("untolerated taint {dedicated: agents}");
    await runToEnd(fake, baseSpec("t2", "success", { tolerations: [{ key: "dedicated", operator: "Equal", value: "agents", effect: "NoSchedule" }] }));
    fake.dispose();
  });

  it("a pod waiting for a node is scheduled when a matching node joins", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("join", "success", { nodeSelector: { pool: "gpu" } }));
    await until(fake, async () => (await fake.cluster.listPods(job.ref))[0]?.conditions.some((c) => c.reason === "Unschedulable"));
    fake.addNode({ name: "gpu-1", labels: { pool: "gpu" } });
    await until(fake, async () => (await fake.cluster.getJob(job.ref))?.conditions.some((c) => c.type === "Complete"));
    expect(fake.pods()[0]?.nodeName).toBe("gpu-1");
    fake.dispose();
  });
});

describe("request accounting", () => {
  it("a watched, streamed, cleaned-up run costs a bounded number of requests", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("count"));
    const ac = new AbortController();
    const pods = fake.cluster.watchPods(job.ref, ac.signal);
    let running: PodSnapshot | undefined;
    for await (const e of pods) if (e.pod.phase === "Running") { running = e.pod; break; }
    for await (const _ of fake.logs.follow(running!.ref, "claude", null, ac.signal)) void _;
    for await (const e of fake.cluster.watchJob(job.ref, ac.signal)) if (e.job?.conditions.some((c) => c.type === "Complete")) break;
    await fake.cluster.deleteJob(job.ref, "Background");
    ac.abort();
    expect(fake.requests()).toEqual({
      "create job": 1,
      "create secret": 1,
      "patch job": 1,
      "list pods": 1,
      "watch pods": 1,
      "follow log": 1,
      "list jobs": 1,
      "watch jobs": 1,
      "delete job": 1,
    });
    fake.dispose();
  });
});
