// One test per remaining predecessor bug or latent defect that applies to a run and is not
// already named elsewhere in this package. Port decorators below change what a port does the way a
// misbehaving server or host would; they wrap the fake's real ports, they do not mock them.
import type { ClusterPort, HostPort, LogPort } from "@clipjob/core";
import { INIT_CONTAINERS_ANNOTATION, type Program } from "@clipjob/fake-cluster";
import { describe, expect, it } from "vitest";
import { liveJobs, request, scenario, scripted, transcriptLines } from "./harness.js";

describe("predecessor bugs, each as a scenario", () => {
  it("init container failure ends the run at once with its own code and the container's words", async () => {
    const s = scenario();
    const withInit: ClusterPort = Object.create(s.fake.cluster) as ClusterPort;
    withInit.submit = (spec, signal) =>
      s.fake.cluster.submit({ ...spec, annotations: { ...spec.annotations, [INIT_CONTAINERS_ANNOTATION]: JSON.stringify([{ name: "setup", exitCode: 3 }]) } }, signal);
    const t0 = s.fake.clock.now();
    const { runAgentJob } = await import("@clipjob/core");
    const outcome = await runAgentJob({ ...s.deps(), cluster: withInit }, request());
    expect(outcome.errorCode).toBe("k8s_init_container_failed");
    expect(outcome.errorMessage).toContain("setup");
    expect(outcome.errorMessage).toContain("exit code 3");
    expect(s.fake.clock.now() - t0).toBeLessThan(5_000);
    expect(liveJobs(s.fake)).toEqual([]);
    s.dispose();
  });

  it("FAR-10: a log follow that never ends after the container exits does not hang the run", async () => {
    const s = scenario();
    // A server that keeps follow streams open forever once the container is done (kwok does this).
    const hanging: LogPort = {
      follow: (pod, container, from, signal) =>
        (async function* () {
          yield* s.fake.logs.follow(pod, container, from, signal);
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        })(),
    };
    const { runAgentJob } = await import("@clipjob/core");
    const lines = transcriptLines(5);
    const seen: string[] = [];
    const outcome = await runAgentJob({ ...s.deps(), logs: hanging }, scripted({ lines }, { configOverrides: { graceSec: 20 } }), {
      observer: { onLine: (_stream, line) => void seen.push(line) },
    });
    expect(outcome.status).toBe("succeeded");
    expect(seen).toEqual(lines);
    s.dispose();
  });

  it("predecessor defect 13: host introspection that throws does not escape; the run proceeds without inheriting", async () => {
    const s = scenario();
    const broken: HostPort = { describeHost: () => Promise.reject(new Error("pods \"paperclip-0\" is forbidden")) };
    const { runAgentJob } = await import("@clipjob/core");
    const notices: string[] = [];
    const outcome = await runAgentJob({ ...s.deps(), host: broken }, request(), {
      observer: { onProgress: (p) => void (p.type === "notice" && notices.push(p.message)) },
    });
    expect(outcome.status).toBe("succeeded");
    expect(notices.some((n) => n.includes("forbidden"))).toBe(true);
    s.dispose();
  });

  it("predecessor defect 17 / 5f5ae92: keepalives are progress events, never transcript lines, and stop when the run ends", async () => {
    const s = scenario();
    const { outcome, seen } = await s.run(request({ program: "silent-then-success" }));
    expect(outcome.status).toBe("succeeded");
    expect([...seen.stdout, ...seen.stderr].some((l) => /keepalive/i.test(l))).toBe(false);
    const settling = seen.progress.find((p) => p.type === "phase" && p.phase === "settling")!;
    expect(seen.progress.filter((p) => p.type === "keepalive" && p.atMs > settling.atMs)).toEqual([]);
    s.dispose();
  });

  it("predecessor defect 12: a run id that is not a valid label still finds its own Job after a restart (sanitised both sides)", async () => {
    const s = scenario();
    const shutdown = new AbortController();
    const req = scripted({ lines: transcriptLines(10), runMs: 120_000 }, { runId: "run:2026/11#α" });
    const first = s.start(req, { shutdownSignal: shutdown.signal });
    await s.until(() => first.seen.stdout.length >= 2);
    shutdown.abort();
    await first.done;
    s.restartHost();
    const { outcome } = await s.run(req);
    expect(outcome.job).toMatchObject({ reattached: true, name: first.seen.jobs[0] });
    expect(outcome.status).toBe("succeeded");
    s.dispose();
  });

  it("5c28e6c / FAR-19: the prompt reaches Claude byte for byte (backslash-c, quotes, UTF-8, 200 KiB)", async () => {
    const s = scenario();
    let received = "";
    const echo: Program = async (ctx) => {
      received = ctx.prompt;
      ctx.stdout(JSON.stringify({ type: "result", subtype: "success", is_error: false, result: "ok", session_id: "s-1" }));
      return 0;
    };
    s.fake.registerProgram("echo-prompt", echo);
    const tricky = `printf \\c 'quoted' "double" $(whoami) ‰ 日本語 🚀\n${"ä".repeat(100 * 1024)}`;
    const { outcome } = await s.run(request({ program: "echo-prompt", taskMarkdown: tricky }));
    expect(outcome.status).toBe("succeeded");
    expect(received).toContain(tricky);
    s.dispose();
  });

  it("FAR-29: the per-agent lock is released on every path, including a blocked guard", async () => {
    const s = scenario();
    await s.run(request({ configOverrides: { timeoutSec: "bad" } }));
    const fault = s.fake.faults.failRequests({ operation: "list jobs", error: "503", count: 10 });
    const blocked = await s.run(request());
    expect(blocked.outcome.errorCode).toBe("k8s_concurrency_guard_unreachable");
    fault.remove();
    expect(s.locks.size).toBe(0);
    const { outcome } = await s.run(request());
    expect(outcome.status).toBe("succeeded");
    s.dispose();
  });

  it("FAR-116 / FAR-24: the Job is reported to the host once, as soon as it exists (no fake pid)", async () => {
    const s = scenario();
    const { seen } = await s.run(request());
    expect(seen.jobs).toHaveLength(1);
    s.dispose();
  });

  it("a pod watch that silently stops delivering (half-open connection) does not leave the run waiting for its timeout", async () => {
    const s = scenario();
    // The pod watch delivers its first events, then goes quiet forever without closing.
    const deaf: ClusterPort = Object.create(s.fake.cluster) as ClusterPort;
    deaf.watchPods = (job, signal) =>
      (async function* () {
        let n = 0;
        for await (const event of s.fake.cluster.watchPods(job, signal)) {
          yield event;
          n += 1;
          if (n >= 3) break;
        }
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      })();
    const { runAgentJob } = await import("@clipjob/core");
    const lines = transcriptLines(5);
    const seen: string[] = [];
    const t0 = s.fake.clock.now();
    const outcome = await runAgentJob({ ...s.deps(), cluster: deaf }, scripted({ lines, runMs: 60_000 }), {
      observer: { onLine: (_stream, line) => void seen.push(line) },
    });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.exitCode).toBe(0);
    expect(seen).toEqual(lines);
    expect(s.fake.clock.now() - t0).toBeLessThan(5 * 60_000);
    s.dispose();
  });
});
