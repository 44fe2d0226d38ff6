import { describe, expect, it } from "vitest";
import type { LogLine } from "@clipjob/core";
import { FakeCluster } from "@clipjob/fake-cluster";
import { readJobLog } from "./job-log.js";
import { submitAgentJob } from "./testing/submit-agent-job.js";

function collect(): { lines: string[]; onLine: (line: LogLine) => void } {
  const lines: string[] = [];
  return { lines, onLine: (line) => void lines.push(line.text) };
}

function deps(fake: FakeCluster) {
  return { cluster: fake.cluster, logs: fake.logs, clock: fake.clock };
}

/** What the kubelet recorded for the Job's pod: the ground truth a reader must reproduce. */
function podLog(fake: FakeCluster, jobName: string): string[] {
  const pod = fake.pods().find((p) => p.jobName === jobName);
  if (!pod) throw new Error(`no pod for ${jobName}`);
  return fake.podLog(pod.ref.name).map((e) => e.text);
}

describe("readJobLog", () => {
  it("reads the whole transcript of a finished Job", async () => {
    const fake = new FakeCluster();
    try {
      const job = await submitAgentJob(fake, { runId: "run-1", scenario: "success" });
      await fake.clock.advance(30_000);
      const out = collect();
      const result = await readJobLog(deps(fake), job.ref, { follow: false, signal: new AbortController().signal, onLine: out.onLine });
      expect(result).toMatchObject({ ok: true, value: { complete: true } });
      expect(out.lines).toEqual(podLog(fake, job.ref.name));
      expect(out.lines.some((l) => l.includes('"type":"result"'))).toBe(true);
    } finally {
      fake.dispose();
    }
  });

  it("follows a running Job to its end through log streams cut every second, without losing or repeating a line", async () => {
    const fake = new FakeCluster();
    try {
      fake.faults.cutLogStreams({ everyMs: 1_000 });
      const job = await submitAgentJob(fake, { runId: "run-2", scenario: "stderr-noise" });
      const out = collect();
      const result = await readJobLog(deps(fake), job.ref, { follow: true, signal: new AbortController().signal, onLine: out.onLine });
      expect(result).toMatchObject({ ok: true, value: { complete: true } });
      expect(out.lines).toEqual(podLog(fake, job.ref.name));
      expect(out.lines.length).toBeGreaterThan(5);
    } finally {
      fake.dispose();
    }
  });

  it("without follow, returns what a live Job wrote so far once the log goes quiet", async () => {
    const fake = new FakeCluster();
    try {
      const job = await submitAgentJob(fake, { runId: "run-3", scenario: "silent-then-success" });
      await fake.clock.advance(30_000);
      const out = collect();
      const result = await readJobLog(deps(fake), job.ref, { follow: false, signal: new AbortController().signal, onLine: out.onLine });
      expect(result).toMatchObject({ ok: true, value: { complete: false } });
      expect(out.lines).toHaveLength(1);
      expect(out.lines[0]).toContain('"subtype":"init"');
    } finally {
      fake.dispose();
    }
  });

  it("stops following when the signal aborts", async () => {
    const fake = new FakeCluster();
    try {
      const job = await submitAgentJob(fake, { runId: "run-4", scenario: "silent-then-success" });
      const stop = new AbortController();
      const result = await readJobLog(deps(fake), job.ref, {
        follow: true,
        signal: stop.signal,
        onLine: () => stop.abort(),
      });
      expect(result).toMatchObject({ ok: true, value: { lines: 1, complete: false } });
    } finally {
      fake.dispose();
    }
  });

  it.each([
    { name: "a Job that does not exist", follow: false },
    { name: "a Job that does not exist, following", follow: true },
  ])("reports job_not_found for $name", async ({ follow }) => {
    const fake = new FakeCluster();
    try {
      const result = await readJobLog(deps(fake), { namespace: fake.namespace, name: "ac-nope" }, { follow, signal: new AbortController().signal, onLine: () => undefined });
      expect(result).toMatchObject({ ok: false, error: { code: "job_not_found" } });
    } finally {
      fake.dispose();
    }
  });

  it("reports pod_not_found for a Job that has no pod yet when not following", async () => {
    const fake = new FakeCluster({ freeze: true });
    try {
      const job = await submitAgentJob(fake, { runId: "run-5", scenario: "success" });
      const result = await readJobLog(deps(fake), job.ref, { follow: false, signal: new AbortController().signal, onLine: () => undefined });
      expect(result).toMatchObject({ ok: false, error: { code: "pod_not_found" } });
    } finally {
      fake.dispose();
    }
  });
});
