// What the real kubelet's log reader does to a run's transcript (issue 14, items 1–3), through runAgentJob
// with the Kube adapters as the adapter ServiceAccount. The container runs a stand-in for claude
// (stand-in-claude.ts): the behaviour under test is the kubelet's and containerd's. The stand-in waits for
// gates the test opens only once the test has seen, in the container's CRI log file on the node, the records
// the previous step made: the record order is proven, never left to a sleep.
import type { LogCursor, LogLine, LogPort, ObjectRef } from "@clipjob/core";
import { collectAll } from "@clipjob/cluster-contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RealNode } from "./e2e-real-node.js";
import type { KubeHarness } from "./kube-contract-harness.js";
import { startRun, type ScriptedApi } from "./real-claude.js";
import { standInKit, streamJson, waitFor, type StandInKit, type StandInStep } from "./stand-in-claude.js";

let kit: StandInKit;
let world: RealNode;
let h: KubeHarness;
let api: ScriptedApi;
beforeAll(async () => {
  kit = await standInKit();
  ({ world, h, api } = kit);
});
afterAll(async () => {
  await kit?.cleanup();
});

const { init, step, result } = streamJson;
const unique = (prefix: string) => kit.unique(prefix);
const standIn = (name: string, steps: readonly StandInStep[]) => kit.standIn(name, steps);
const standInRequest = (command: string) => kit.request(command);
const criRecords = (jobName: string) => kit.criRecords(jobName);
const logFiles = (jobName: string) => kit.logFiles(jobName);

describe("runAgentJob on a real node: what the kubelet's log reader does to a transcript (issue 14)", () => {
  it("item 2: a stderr line written inside a 20 KiB stdout line: the kubelet serves them garbled, the run reports both pieces (line, byte offset, reason) and a notice, every other line once", async () => {
    const gates = { pRecord: unique("p"), stderrRecord: unique("e") };
    const lines = [init, step(0), step(1), step(2)];
    const long = step(3, `step 3 done ${"z".repeat(20 * 1024)}`);
    const after = [step(4), result("finished 5 steps")];
    const warning = "(node:7) Warning: a stderr line written while the stdout line was open";
    const command = standIn(unique("garble"), [
      { stdout: lines.map((l) => `${l}\n`).join("") },
      // 20 480 bytes: containerd (reading 4 KiB at a time) has read more than 16 KiB, so it stores a P record.
      { stdout: long.slice(0, 20_480) },
      { gate: gates.pRecord },
      { stderr: `${warning}\n` },
      { gate: gates.stderrRecord },
      { stdout: `${long.slice(20_480)}\n${after.map((l) => `${l}\n`).join("")}` },
    ]);
    const r = startRun(h, world, standInRequest(command), {}, kit.ws.host);
    const job = await r.job;
    // The records on the node, in the order containerd stored them: P (16 KiB of stdout), F (stderr), then F.
    await waitFor("the long line's P record", () => criRecords(job).some((x) => x.tag === "P"));
    await api.openGate(gates.pRecord);
    await waitFor("the stderr record", () => criRecords(job).some((x) => x.stream === "stderr"));
    await api.openGate(gates.stderrRecord);
    const outcome = await r.done;

    const records = criRecords(job);
    const at = records.findIndex((x) => x.tag === "P");
    expect(records.slice(at, at + 3).map((x) => [x.stream, x.tag, x.content.length])).toEqual([
      ["stdout", "P", 16 * 1024],
      ["stderr", "F", warning.length],
      ["stdout", "F", long.length - 16 * 1024],
    ]);
    expect(outcome).toMatchObject({ status: "succeeded", errorCode: null, summary: "finished 5 steps" });
    // The kubelet joined the stderr record to the open stdout line and served the line's rest as a line of
    // its own: neither is an event; every other line arrived once.
    expect(r.seen.stdout).toEqual([...lines, ...after]);
    const head = long.slice(0, 16 * 1024);
    expect(r.seen.stderr).toEqual([`${head}${warning}`, long.slice(16 * 1024)]);
    const offset = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(outcome.garbledLines).toEqual([
      { reason: "broken_event", line: lines.length + 1, offset },
      { reason: "event_tail", line: lines.length + 2, offset: offset + Buffer.byteLength(head + warning) + 1 },
    ]);
    expect(r.seen.notices.filter((n) => n.startsWith("transcript_garbled:"))).toEqual([
      expect.stringContaining(`line ${lines.length + 1} (byte ${offset})`),
      expect.stringContaining(`line ${lines.length + 2} (byte ${offset + Buffer.byteLength(head + warning) + 1})`),
    ]);
    expect(outcome.transcriptGaps).toBeUndefined();
  });

  it("item 2, why garbling is detected rather than avoided: v1.36 refuses the pods/log `stream` option (one stream per request; its feature gate is off), so stdout cannot be read apart from stderr", async () => {
    const job = await h.cluster.submit(await h.driver.specFor(unique("split"), { lines: ["out"], stderrLines: ["err"], runMs: 200 }));
    const pod = await waitFor("the pod finished", async () => (await h.cluster.listPods(job.ref)).find((p) => p.phase === "Succeeded" || p.phase === "Failed"));
    const path = `/api/v1/namespaces/${world.namespace}/pods/${pod.ref.name}/log`;
    // Both streams, one body: what the run has to read.
    expect((await collectAll(h.logs.follow(pod.ref, "claude", null, new AbortController().signal))).map((l) => l.text).sort()).toEqual(["err", "out"]);
    for (const stream of ["Stdout", "Stderr"]) {
      const refused = await world.admin.get(path, { container: "claude", stream }).then(
        () => null,
        (e: { status?: number; message?: string }) => e,
      );
      expect(refused).toMatchObject({ status: 422, message: expect.stringMatching(/stream/i) });
    }
  });

  it("item 2, a tool result: a stderr JSON line inside a 20 KiB user event (counted unparsed) is reported, head and tail, once the tail arrives", async () => {
    const gates = { pRecord: unique("p"), stderrRecord: unique("e") };
    const lines = [init, step(0)];
    const user = streamJson.toolResult("x".repeat(20 * 1024));
    const after = [step(1), result("finished 2 steps")];
    const warning = '{"level":"warn","msg":"a JSON log line on stderr"}';
    const command = standIn(unique("tool"), [
      { stdout: lines.map((l) => `${l}\n`).join("") },
      { stdout: user.slice(0, 20_480) },
      { gate: gates.pRecord },
      { stderr: `${warning}\n` },
      { gate: gates.stderrRecord },
      { stdout: `${user.slice(20_480)}\n${after.map((l) => `${l}\n`).join("")}` },
    ]);
    const r = startRun(h, world, standInRequest(command), {}, kit.ws.host);
    const job = await r.job;
    await waitFor("the user line's P record", () => criRecords(job).some((x) => x.tag === "P"));
    await api.openGate(gates.pRecord);
    await waitFor("the stderr record", () => criRecords(job).some((x) => x.stream === "stderr"));
    await api.openGate(gates.stderrRecord);
    const outcome = await r.done;

    expect(outcome).toMatchObject({ status: "succeeded", errorCode: null, summary: "finished 2 steps" });
    const head = user.slice(0, 16 * 1024);
    // The head starts like a user event and ends in a brace: delivered live as one; its tail gives it away.
    expect(r.seen.stdout).toEqual([...lines, `${head}${warning}`, ...after]);
    expect(r.seen.stderr).toEqual([user.slice(16 * 1024)]);
    const offset = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(outcome.garbledLines).toEqual([
      { reason: "broken_event", line: lines.length + 1, offset },
      { reason: "event_tail", line: lines.length + 2, offset: offset + Buffer.byteLength(head + warning) + 1 },
    ]);
    expect(r.seen.notices.filter((n) => n.startsWith("transcript_garbled:"))).toHaveLength(2);
  });

  it("item 2, the other way: an event written while a 20 KiB stderr line is open is served inside it; the run reports that line buried_event, every other line once", async () => {
    const gates = { linesRecords: unique("l"), pRecord: unique("p"), eventRecord: unique("e"), stderrEnd: unique("s") };
    const lines = [init, step(0)];
    const buried = step(1);
    const after = [step(2), result("finished 3 steps")];
    const trace = "e".repeat(20 * 1024);
    // stdout and stderr are two pipes containerd reads apart: a write to one is ordered after a write to the
    // other only by a gate opened once the first one's record is in the file.
    const command = standIn(unique("bury"), [
      { stdout: lines.map((l) => `${l}\n`).join("") },
      { gate: gates.linesRecords },
      { stderr: trace.slice(0, 20_480) },
      { gate: gates.pRecord },
      { stdout: `${buried}\n` },
      { gate: gates.eventRecord },
      { stderr: `${trace.slice(20_480)}\n` },
      { gate: gates.stderrEnd },
      { stdout: after.map((l) => `${l}\n`).join("") },
    ]);
    const r = startRun(h, world, standInRequest(command), {}, kit.ws.host);
    const job = await r.job;
    await waitFor("the first lines' records", () => criRecords(job).length >= lines.length);
    await api.openGate(gates.linesRecords);
    await waitFor("the stderr line's P record", () => criRecords(job).some((x) => x.tag === "P" && x.stream === "stderr"));
    await api.openGate(gates.pRecord);
    await waitFor("the event's record", () => criRecords(job).some((x) => x.content === buried));
    await api.openGate(gates.eventRecord);
    await waitFor("the stderr line's last record", () => criRecords(job).some((x) => x.stream === "stderr" && x.tag === "F"));
    await api.openGate(gates.stderrEnd);
    const outcome = await r.done;

    const records = criRecords(job);
    const at = records.findIndex((x) => x.tag === "P");
    expect(records.slice(at, at + 3).map((x) => [x.stream, x.tag, x.content.length])).toEqual([
      ["stderr", "P", 16 * 1024],
      ["stdout", "F", buried.length],
      ["stderr", "F", trace.length - 16 * 1024],
    ]);
    expect(outcome).toMatchObject({ status: "succeeded", errorCode: null, summary: "finished 3 steps" });
    expect(r.seen.stdout).toEqual([...lines, ...after]);
    expect(r.seen.stderr).toEqual([`${trace.slice(0, 16 * 1024)}${buried}`, trace.slice(16 * 1024)]);
    const offset = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(outcome.garbledLines).toEqual([{ reason: "buried_event", line: lines.length + 1, offset }]);
    expect(r.seen.notices.filter((n) => n.startsWith("transcript_garbled:"))).toEqual([expect.stringContaining(`line ${lines.length + 1} (byte ${offset})`)]);
  });

  it("item 1: the follow cut right after the line that ends a 20 KiB line resumes inside the long line: each line once, no gap, nothing garbled", async () => {
    const gates = { nextSecond: unique("s") };
    const lines = [init, step(0)];
    const big = step(1, `step 1 done ${"b".repeat(20 * 1024)}`);
    const m = step(2);
    const n = step(3);
    const tail = [result("finished 4 steps")];
    const command = standIn(unique("resume"), [
      { stdout: lines.map((l) => `${l}\n`).join("") },
      { stdout: big.slice(0, 20_480) },
      { gate: gates.nextSecond },
      // The long line's F record and M in one write; N and the result after them.
      { stdout: `${big.slice(20_480)}\n${m}\n` },
      { stdout: `${n}\n${tail.map((l) => `${l}\n`).join("")}` },
    ]);
    // A network cut: the run's first follow ends (clean EOF) right after it delivered M.
    const cuts = cutFollowAfter(h.logs, (l) => l.text === m);
    const r = startRun({ ...h, logs: cuts.port }, world, standInRequest(command), {}, kit.ws.host);
    const job = await r.job;
    const p = await waitFor("the long line's P record", () => criRecords(job).find((x) => x.tag === "P"));
    // M's whole second (the resume's sinceTime) must fall after the P record and at or before the F record.
    await waitFor("the second after the P record's", () => Math.floor(Date.now() / 1000) > Math.floor(Date.parse(p.timestamp) / 1000));
    await api.openGate(gates.nextSecond);
    const outcome = await r.done;

    const records = criRecords(job);
    const f = records.find((x) => x.tag === "F" && x.content === big.slice(16 * 1024))!;
    expect(Math.floor(Date.parse(f.timestamp) / 1000)).toBeGreaterThan(Math.floor(Date.parse(p.timestamp) / 1000));
    expect(cuts.follows).toBeGreaterThanOrEqual(2);
    expect(outcome).toMatchObject({ status: "succeeded", errorCode: null, summary: "finished 4 steps" });
    expect(r.seen.stdout).toEqual([...lines, big, m, n, ...tail]);
    expect(r.seen.stderr).toEqual([]);
    expect(outcome.transcriptGaps).toBeUndefined();
    expect(outcome.garbledLines).toBeUndefined();
  });

  it("item 3: lines the kubelet rotated away while the follow was being reopened are a gap in the outcome and a notice, never an exact transcript", async () => {
    const gates = { burst: unique("b"), end: unique("e") };
    const lines = [init, step(0)];
    // ~1 KiB events, 256 of them: four times containerLogMaxSize (64 KiB), so the kubelet's next log check
    // rotates the file and the current one no longer holds them.
    const burst = Array.from({ length: 256 }, (_, i) => step(i + 1, `burst ${i} ${"r".repeat(1000)}`));
    const end = [step(300), result("finished the burst")];
    const command = standIn(unique("rotate"), [
      { stdout: lines.map((l) => `${l}\n`).join("") },
      { gate: gates.burst },
      { stdout: burst.map((l) => `${l}\n`).join("") },
      { gate: gates.end },
      { stdout: end.map((l) => `${l}\n`).join("") },
    ]);
    // The first follow ends after step 0; the next one opens only when the test lets it.
    const cuts = cutFollowAfter(h.logs, (l) => l.text === lines[1], { holdNext: true });
    const r = startRun({ ...h, logs: cuts.port }, world, standInRequest(command), {}, kit.ws.host);
    const job = await r.job;
    await cuts.reopening;
    await api.openGate(gates.burst);
    // The kubelet (it checks every 10 s) rotated the file after the burst: the current file lacks the burst.
    await waitFor("the burst written", () => logFiles(job).length > 1 || criRecords(job).some((x) => x.content === burst.at(-1)));
    await waitFor("the burst rotated out of the current file", () => logFiles(job).length > 1 && !criRecords(job).some((x) => burst.includes(x.content)));
    cuts.release();
    await api.openGate(gates.end);
    const outcome = await r.done;

    expect(outcome).toMatchObject({ status: "succeeded", errorCode: null, summary: "finished the burst" });
    // What arrived is in order and once; the rotated lines are missing, and the run says where.
    expect(r.seen.stdout).toEqual([...lines, ...end]);
    expect(outcome.transcriptGaps).toEqual([{ reason: "rotated", after: expect.any(String), before: expect.any(String) }]);
    expect(r.seen.notices.filter((n) => n.startsWith("Transcript gap"))).toHaveLength(1);
  });
});

interface CuttingLogPort {
  readonly port: LogPort;
  /** Follows opened so far. */
  readonly follows: number;
  /** Resolves when the run asks for its second follow (with `holdNext`, that follow waits for `release`). */
  readonly reopening: Promise<void>;
  release(): void;
}

/**
 * The real log adapter, with the first follow ended (as a clean EOF from a dropped connection) right after it
 * yielded a line `cutAfter` accepts. With `holdNext`, the second follow opens only after `release()`, as a
 * reconnect that takes a while.
 */
function cutFollowAfter(logs: LogPort, cutAfter: (line: LogLine) => boolean, opts: { holdNext?: boolean } = {}): CuttingLogPort {
  let follows = 0;
  let reopened!: () => void;
  const reopening = new Promise<void>((resolve) => (reopened = resolve));
  let released!: () => void;
  const gate = new Promise<void>((resolve) => (released = resolve));
  const port: LogPort = {
    async *follow(pod: ObjectRef, container: string, from: LogCursor | null, signal: AbortSignal): AsyncIterable<LogLine> {
      const n = ++follows;
      if (n === 2) {
        reopened();
        if (opts.holdNext) await gate;
      }
      if (n > 1) {
        yield* logs.follow(pod, container, from, signal);
        return;
      }
      const inner = new AbortController();
      const stop = () => inner.abort();
      signal.addEventListener("abort", stop, { once: true });
      try {
        for await (const line of logs.follow(pod, container, from, inner.signal)) {
          yield line;
          if (cutAfter(line)) return;
        }
      } finally {
        signal.removeEventListener("abort", stop);
        inner.abort();
      }
    },
  };
  return {
    port,
    get follows() {
      return follows;
    },
    reopening,
    release: () => released(),
  };
}
