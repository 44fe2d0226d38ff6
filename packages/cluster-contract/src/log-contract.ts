import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compareLogTimestamps, type JobSnapshot, type LogCursor, type LogLine } from "@clipjob/core";
import type { ContainerBehaviour, ContractHarness, HarnessFactory } from "./contract-harness.js";
import { collectAll, collectUntil, eventually, expectClusterError, podWhere, uniqueName } from "./contract-helpers.js";

const RFC3339_NANO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** LogPort behaviour every cluster must show: kubelet timestamps, follow to the end, exact resumption, stderr. */
export function describeLogContract(name: string, factory: HarnessFactory): void {
  describe(`LogPort contract: ${name}`, () => {
    let h: ContractHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    const run = async (behaviour: ContainerBehaviour): Promise<JobSnapshot> => h.cluster.submit(await h.driver.specFor(uniqueName("log"), behaviour));
    const started = async (job: JobSnapshot) =>
      podWhere(h, job.ref, "the container started", (p) => p.containers.some((c) => c.state.kind === "running" || c.state.kind === "terminated"));
    const finished = async (job: JobSnapshot) => podWhere(h, job.ref, "the pod finished", (p) => p.phase === "Succeeded" || p.phase === "Failed");
    const follow = (pod: { namespace: string; name: string }, from: LogCursor | null, signal = new AbortController().signal) => h.logs.follow(pod, "claude", from, signal);
    const lines = (n: number, prefix = "line") => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);

    it("follow yields stdout lines in order, without newlines, with RFC 3339 nanosecond timestamps that never go back", async () => {
      const job = await run({ lines: lines(5), runMs: 2_000 });
      const pod = await started(job);
      const got = await collectAll(follow(pod.ref, null));
      expect(got.map((l) => l.text)).toEqual(lines(5));
      for (const l of got) expect(l.timestamp).toMatch(RFC3339_NANO);
      for (let i = 1; i < got.length; i++) expect(compareLogTimestamps(got[i - 1]!.timestamp, got[i]!.timestamp)).toBeLessThanOrEqual(0);
    });

    it("follow ends by itself when the container ends", async () => {
      const job = await run({ lines: lines(3), runMs: 3_000 });
      const pod = await started(job);
      const got = await collectAll(follow(pod.ref, null));
      expect(got).toHaveLength(3);
      await finished(job);
    });

    it("follow of a finished container returns the whole log and ends", async () => {
      const job = await run({ lines: lines(4), runMs: 500 });
      const pod = await finished(job);
      expect((await collectAll(follow(pod.ref, null))).map((l) => l.text)).toEqual(lines(4));
    });

    it("stderr arrives interleaved with stdout, indistinguishable from it", async () => {
      const job = await run({ lines: ["out 1", "out 2"], stderrLines: ["err 1"], runMs: 2_000 });
      const pod = await finished(job);
      const got = (await collectAll(follow(pod.ref, null))).map((l) => l.text);
      expect([...got].sort()).toEqual(["err 1", "out 1", "out 2"]);
      expect(got.indexOf("out 1")).toBeLessThan(got.indexOf("out 2"));
    });

    it("each line's cursor resumes right after it: nothing lost, nothing repeated", async () => {
      const all = lines(12);
      const job = await run({ lines: all, runMs: 3_000 });
      const pod = await finished(job);
      const full = await collectAll(follow(pod.ref, null));
      for (const k of [0, 1, 5, 11]) {
        const rest = await collectAll(follow(pod.ref, full[k]!.cursor));
        expect(rest.map((l) => l.text)).toEqual(all.slice(k + 1));
      }
    });

    it("a follow dropped every few lines and resumed from its cursor reassembles the exact log", async () => {
      const all = lines(30);
      const job = await run({ lines: all, runMs: 6_000 });
      const pod = await started(job);
      const got: LogLine[] = [];
      let cursor: LogCursor | null = null;
      for (let attempt = 0; attempt < 100; attempt++) {
        const ac = new AbortController();
        const part: LogLine[] = await collectUntil(follow(pod.ref, cursor, ac.signal), (_l, seen) => seen.length >= 4);
        ac.abort();
        got.push(...part);
        if (part.length > 0) cursor = part.at(-1)!.cursor;
        if (part.length < 4) break;
      }
      expect(got.map((l) => l.text)).toEqual(all);
    });

    it("lines written in one burst (sharing a timestamp) resume exactly", async () => {
      const all = lines(50, "burst");
      const job = await run({ lines: all, runMs: 20 });
      const pod = await finished(job);
      const full = await collectAll(follow(pod.ref, null));
      expect(full.map((l) => l.text)).toEqual(all);
      const rest = await collectAll(follow(pod.ref, full[24]!.cursor));
      expect(rest.map((l) => l.text)).toEqual(all.slice(25));
    });

    it("resuming from the last cursor of a finished container yields nothing", async () => {
      const job = await run({ lines: lines(3), runMs: 500 });
      const pod = await finished(job);
      const full = await collectAll(follow(pod.ref, null));
      expect(await collectAll(follow(pod.ref, full.at(-1)!.cursor))).toEqual([]);
    });

    it("a follow opened mid-run gets the earlier lines and then the later ones", async () => {
      const all = lines(10);
      const job = await run({ lines: all, runMs: 10_000 });
      const pod = await started(job);
      await h.clock.sleep(4_000);
      expect((await collectAll(follow(pod.ref, null))).map((l) => l.text)).toEqual(all);
    });

    it("aborting the signal ends a follow of a running container", async () => {
      const job = await run({ lines: lines(2), runMs: 600_000 });
      const pod = await started(job);
      const ac = new AbortController();
      const got = await collectUntil(follow(pod.ref, null, ac.signal), (_l, seen) => {
        if (seen.length === 1) ac.abort();
        return false;
      });
      expect(got.length).toBeGreaterThanOrEqual(1);
    });

    it("long and non-ASCII lines arrive intact", async () => {
      // Long enough for several 16 KiB CRI records, short enough that the whole log stays in one file on a
      // node with containerLogMaxSize 64Ki (the real node's): a read after the container finished serves only
      // the current file, so a 100 KB line was rotated away whenever the kubelet's rotation check ran between
      // the write and the read (seen once on the real node: only the last line came back).
      const long = `{"type":"assistant","text":"${"x".repeat(50_000)}"}`;
      const unicode = "héllo — 日本語 — 🚀";
      const job = await run({ lines: [long, unicode, ""], runMs: 1_000 });
      const pod = await finished(job);
      expect((await collectAll(follow(pod.ref, null))).map((l) => l.text)).toEqual([long, unicode, ""]);
    });

    // A line over 16 KiB written in two pieces 1.1 s apart is stored as a `P` record, then (with the next
    // line, in one write) an `F` record; the pieces straddle a second boundary whatever the start time.
    const BIG = `{"type":"assistant","text":"${"b".repeat(20 * 1024)}"}`;
    const longLineWrites = [
      // 20 KiB: the runtime (reading 4 KiB at a time) has seen more than 16 KiB, so it writes a P record at once.
      { atMs: 0, data: BIG.slice(0, 20_480) },
      { atMs: 1_100, data: `${BIG.slice(20_480)}\nM\n` },
      { atMs: 1_400, data: "N\n" },
    ];

    it("a long line written in pieces arrives whole, once, stamped with its first piece's time", async () => {
      const job = await run({ writes: longLineWrites, runMs: 2_000 });
      const pod = await finished(job);
      const got = await collectAll(follow(pod.ref, null));
      expect(got.map((l) => l.text)).toEqual([BIG, "M", "N"]);
      expect(Date.parse(got[1]!.timestamp) - Date.parse(got[0]!.timestamp)).toBeGreaterThanOrEqual(1_000);
      expect(got.every((l) => l.gap === undefined)).toBe(true);
    });

    it("a follow cut after the line that ends a long one resumes inside the long line: [big, M, N], nothing twice (issue 14, fault 1)", async () => {
      const job = await run({ writes: longLineWrites, runMs: 2_000 });
      const pod = await finished(job);
      const ac = new AbortController();
      const first = await collectUntil(follow(pod.ref, null, ac.signal), (_l, seen) => seen.length >= 2);
      ac.abort();
      expect(first.map((l) => l.text)).toEqual([BIG, "M"]);
      // sinceTime is M's whole second: after the long line's P record, at or before its F record.
      const rest = await collectAll(follow(pod.ref, first[1]!.cursor));
      expect([...first, ...rest].map((l) => l.text)).toEqual([BIG, "M", "N"]);
      expect(rest.every((l) => l.gap === undefined)).toBe(true);
    });

    it("a stderr line written inside a long stdout line garbles both, as the kubelet's one prefix flag for both streams does", async () => {
      const head = "o".repeat(20_480);
      const job = await run({
        writes: [
          { atMs: 0, data: head },
          { atMs: 300, stream: "stderr", data: "oops\n" },
          { atMs: 600, data: "tail\n" },
        ],
        runMs: 1_000,
      });
      const pod = await finished(job);
      const got = (await collectAll(follow(pod.ref, null))).map((l) => l.text);
      expect(got).toEqual([`${head.slice(0, 16 * 1024)}oops`, `${head.slice(16 * 1024)}tail`]);
    });

    it("a piece of a line between 16 and 20 KiB makes no record until the line goes on: a stderr line written meanwhile comes first, whole (the runtime reads 4 KiB at a time)", async () => {
      const head = "o".repeat(17_000);
      const job = await run({
        writes: [
          { atMs: 0, data: head },
          { atMs: 300, stream: "stderr", data: "oops\n" },
          { atMs: 600, data: "tail\n" },
        ],
        runMs: 1_000,
      });
      const pod = await finished(job);
      const got = await collectAll(follow(pod.ref, null));
      expect(got.map((l) => l.text)).toEqual(["oops", `${head}tail`]);
      // The long line is stamped when its records were written, with its end, not with its first piece.
      expect(Date.parse(got[1]!.timestamp) - Date.parse(got[0]!.timestamp)).toBeGreaterThanOrEqual(200);
    });

    it("follow of a pod that does not exist fails with not_found", async () => {
      await expectClusterError(collectAll(follow({ namespace: h.namespace, name: uniqueName("nopod") }, null)), "not_found");
    });

    it("a deleted pod's logs are gone", async () => {
      const job = await run({ lines: lines(2), runMs: 500 });
      const pod = await finished(job);
      await h.cluster.deleteJob(job.ref, "Foreground");
      await eventually(h, "pod gone", async () => (await h.cluster.listPods(job.ref)).length === 0);
      await expectClusterError(collectAll(follow(pod.ref, null)), "not_found");
    });
  });
}
