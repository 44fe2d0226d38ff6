import { describe, expect, it } from "vitest";
import { request, scenario, scripted, transcriptLines } from "./harness.js";

describe("log streaming survives what production does to it", () => {
  it("log stream drops every 3 s for 30 minutes: no line lost, none duplicated (FAR-105/123, 8bd5042)", async () => {
    const s = scenario();
    s.fake.faults.cutLogStreams({ everyMs: 3_000 });
    const lines = transcriptLines(1200);
    const { outcome, seen } = await s.run(scripted({ lines, runMs: 30 * 60_000 }));
    expect(outcome.status).toBe("succeeded");
    expect(seen.stdout).toHaveLength(lines.length);
    expect(seen.stdout).toEqual(lines);
    s.dispose();
    // 600 reconnects and 1200 lines, CPU-bound: 4–11 s measured on 2 cores with every core busy.
  }, 120_000);

  it("log stream errors (not clean EOF) every 2 s: still exact", async () => {
    const s = scenario();
    s.fake.faults.cutLogStreams({ everyMs: 2_000, mode: "error" });
    const lines = transcriptLines(300);
    const { outcome, seen } = await s.run(scripted({ lines, runMs: 10 * 60_000 }));
    expect(outcome.status).toBe("succeeded");
    expect(seen.stdout).toEqual(lines);
    s.dispose();
  });

  it("many lines in the same second across cuts: the cursor's same-timestamp count prevents duplicates", async () => {
    const s = scenario();
    s.fake.faults.cutLogStreams({ everyMs: 250 });
    const lines = transcriptLines(400);
    const { seen } = await s.run(scripted({ lines, runMs: 2_000 }));
    expect(seen.stdout).toEqual(lines);
    s.dispose();
  });

  it("long lines written in pieces, cut every 300 ms: each resume inside a long line drops its rest, nothing lost or twice (issue 14, fault 1)", async () => {
    const s = scenario();
    s.fake.faults.cutLogStreams({ everyMs: 300 });
    const lines = transcriptLines(60).map((l, i) => (i % 3 === 1 ? l.replace("done", `done ${"z".repeat(40 * 1024)}`) : l));
    // Each long line is written in three pieces 400 ms apart (two P records, then F with the next line), so
    // its records straddle the cursor's second on many resumes.
    const writes: { atMs: number; data: string }[] = [];
    let at = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.length > 16 * 1024) {
        writes.push({ atMs: at, data: line.slice(0, 20_480) }, { atMs: at + 400, data: line.slice(20_480, 40_960) });
        at += 800;
        writes.push({ atMs: at, data: `${line.slice(40_960)}\n` });
      } else writes.push({ atMs: at, data: `${line}\n` });
      at += 150;
    }
    const { outcome, seen } = await s.run(scripted({ writes, runMs: at + 1_000 }));
    expect(outcome.status).toBe("succeeded");
    expect(seen.stdout).toEqual(lines);
    expect(outcome.transcriptGaps).toBeUndefined();
    s.dispose();
  });

  it("lines rotated away while the follow was reconnecting: the gap is a notice and in the outcome, never an exact transcript (issue 14, fault 3)", async () => {
    // The kubelet checks log sizes every second here: the burst's file is rotated while no follow is open.
    const s = scenario({ containerLogRotation: { maxFileBytes: 4 * 1024, maxFiles: 2, monitorIntervalMs: 1_000 } });
    const burstAt = s.fake.clock.now() + 20_000;
    const lines = transcriptLines(300);
    s.fake.registerProgram("burst", async (ctx) => {
      ctx.stdout(lines[0]!);
      await ctx.sleep(burstAt - ctx.now());
      for (const l of lines.slice(1, -1)) ctx.stdout(l);
      await ctx.sleep(10_000);
      ctx.stdout(lines.at(-1)!);
      return 0;
    });
    // Streams last at most 1 s, and none can be opened around the burst: it lands while no follow is open.
    s.fake.faults.cutLogStreams({ everyMs: 1_000 });
    s.fake.faults.failRequests({ operation: "follow log", error: "503", from: burstAt - 1_500, until: burstAt + 3_000 });
    const { outcome, seen } = await s.run(request({ program: "burst" }));
    expect(outcome.status).toBe("succeeded");
    expect(outcome.summary).toBe("finished 300 steps");
    // What arrived is in order and once; the lines rotated away are missing, and the run says so.
    expect(seen.stdout.length).toBeLessThan(lines.length);
    expect(seen.stdout).toEqual(lines.filter((l) => seen.stdout.includes(l)));
    expect(new Set(seen.stdout).size).toBe(seen.stdout.length);
    expect(outcome.transcriptGaps).toEqual([{ reason: "rotated", after: expect.any(String), before: expect.any(String) }]);
    const notices = seen.progress.filter((p) => p.type === "notice" && p.message.startsWith("Transcript gap"));
    expect(notices).toHaveLength(1);
    s.dispose();
  });

  it("a follow that fails (503) after the container exited is read again, not taken for the end of the log: every line, succeeded (found by the chaos matrix's rotation-cut)", async () => {
    const s = scenario();
    const lines = transcriptLines(20);
    const writtenAt = s.fake.clock.now() + 30_000;
    s.fake.registerProgram("late-burst", async (ctx) => {
      ctx.stdout(lines[0]!);
      await ctx.sleep(writtenAt - ctx.now());
      for (const l of lines.slice(1)) ctx.stdout(l);
      return 0;
    });
    // The open follow is cut just before the burst and every follow fails until well after the exit.
    s.fake.faults.failRequests({ operation: "follow log", error: "503", from: writtenAt - 1_000, until: writtenAt + 20_000 });
    void s.fake.clock.sleep(writtenAt - 1_000 - s.fake.clock.now()).then(() => s.fake.faults.cutOpenLogStreams("eof"));
    const { outcome, seen } = await s.run(request({ program: "late-burst" }));
    expect(seen.stdout).toEqual(lines);
    expect(outcome).toMatchObject({ status: "succeeded", summary: "finished 20 steps" });
    expect(outcome.transcriptGaps).toBeUndefined();
    s.dispose();
  });

  it("the end of the log rotated away while the follow was down: a transcript gap at the end and k8s_log_incomplete, never a verdict about Claude", async () => {
    // The kubelet checks every second; the burst fills the file, the next check rotates it, the container
    // exits without writing more: the current file is empty when the follow comes back.
    const s = scenario({ containerLogRotation: { maxFileBytes: 4 * 1024, maxFiles: 2, monitorIntervalMs: 1_000 } });
    const lines = transcriptLines(100);
    const burstAt = s.fake.clock.now() + 20_000;
    s.fake.registerProgram("burst-then-exit", async (ctx) => {
      ctx.stdout(lines[0]!);
      await ctx.sleep(burstAt - ctx.now());
      for (const l of lines.slice(1)) ctx.stdout(l);
      await ctx.sleep(3_000);
      return 0;
    });
    s.fake.faults.failRequests({ operation: "follow log", error: "503", from: burstAt - 1_000, until: burstAt + 30_000 });
    void s.fake.clock.sleep(burstAt - 1_000 - s.fake.clock.now()).then(() => s.fake.faults.cutOpenLogStreams("eof"));
    const { outcome, seen } = await s.run(request({ program: "burst-then-exit" }));
    expect(seen.stdout).toEqual([lines[0]]);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_log_incomplete", exitCode: 0 });
    expect(outcome.transcriptGaps).toEqual([{ reason: "rotated", after: expect.any(String), before: null }]);
    const notices = seen.progress.flatMap((p) => (p.type === "notice" && p.message.startsWith("Transcript gap") ? [p.message] : []));
    expect(notices).toEqual([expect.stringMatching(/^Transcript gap: lines after \S+, to the end of the log, may be missing \(the kubelet rotated/)]);
    s.dispose();
  });

  it("the log stream fails from before the result until after the run's grace: an unread gap at the end and k8s_log_incomplete, never claude_truncated (found by the chaos matrix's rotation-cut)", async () => {
    const s = scenario();
    const lines = transcriptLines(20);
    const burstAt = s.fake.clock.now() + 30_000;
    s.fake.registerProgram("late-burst", async (ctx) => {
      ctx.stdout(lines[0]!);
      await ctx.sleep(burstAt - ctx.now());
      for (const l of lines.slice(1)) ctx.stdout(l);
      return 0;
    });
    s.fake.faults.failRequests({ operation: "follow log", error: "503", from: burstAt - 1_000, until: burstAt + 600_000 });
    void s.fake.clock.sleep(burstAt - 1_000 - s.fake.clock.now()).then(() => s.fake.faults.cutOpenLogStreams("eof"));
    const { outcome, seen } = await s.run(request({ program: "late-burst" }));
    expect(seen.stdout).toEqual([lines[0]]);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_log_incomplete", exitCode: 0 });
    expect(outcome.transcriptGaps).toEqual([{ reason: "unread", after: expect.any(String), before: null }]);
    const notices = seen.progress.flatMap((p) => (p.type === "notice" && p.message.startsWith("Transcript gap") ? [p.message] : []));
    expect(notices).toEqual([expect.stringContaining("the log stream kept failing after the Job finished")]);
    s.dispose();
  });

  it("a stderr record inside a 20 KiB stdout line: the line is reported garbled, the other lines arrive once (issue 14, item 2)", async () => {
    const s = scenario();
    const lines = transcriptLines(6);
    const long = 3;
    lines[long] = lines[long]!.replace("done", `done ${"z".repeat(20 * 1024)}`);
    const warning = "(node:7) Warning: a stderr line written while the stdout line was open";
    // 20 480 bytes of the long line make a 16 KiB `P` record at once; the stderr line is stored next; the
    // line's rest comes 100 ms later. The kubelet's one line-start flag serves the stderr record inside it.
    const writes: { atMs: number; stream?: "stdout" | "stderr"; data: string }[] = [];
    let at = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (i === long) {
        writes.push({ atMs: at, data: line.slice(0, 20_480) }, { atMs: at + 50, stream: "stderr", data: `${warning}\n` });
        at += 100;
        writes.push({ atMs: at, data: `${line.slice(20_480)}\n` });
      } else writes.push({ atMs: at, data: `${line}\n` });
      at += 150;
    }
    const { outcome, seen } = await s.run(scripted({ writes, runMs: at + 1_000 }));
    expect(outcome.status).toBe("succeeded");
    expect(outcome.summary).toBe("finished 6 steps");
    // Every other line arrives once, as an event; the long one arrives as two text pieces, never as an event.
    expect(seen.stdout).toEqual(lines.filter((_, i) => i !== long));
    const head = lines[long]!.slice(0, 16 * 1024);
    expect(seen.stderr).toEqual([`${head}${warning}`, lines[long]!.slice(16 * 1024)]);
    // Lines 1–4 before it (init + 3 steps); each line's bytes plus its newline before the garbled one.
    const offset = lines.slice(0, long).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(outcome.garbledLines).toEqual([
      { reason: "broken_event", line: long + 1, offset },
      { reason: "event_tail", line: long + 2, offset: offset + Buffer.byteLength(head + warning) + 1 },
    ]);
    const notices = seen.progress.filter((p) => p.type === "notice" && p.message.startsWith("transcript_garbled:"));
    expect(notices).toHaveLength(2);
    s.dispose();
  });

  it("a stderr record ending in a brace inside a 20 KiB tool-result (user) line, which the reducer counts unparsed: both pieces are reported once the tail arrives (issue 14, item 2)", async () => {
    const s = scenario();
    const lines = transcriptLines(4);
    const at = 2;
    const user = JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "x".repeat(20 * 1024) }] } });
    const warning = '{"level":"warn","msg":"a JSON log line on stderr"}';
    lines.splice(at, 0, user);
    const writes: { atMs: number; stream?: "stdout" | "stderr"; data: string }[] = [];
    let t = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (i === at) {
        writes.push({ atMs: t, data: line.slice(0, 20_480) }, { atMs: t + 50, stream: "stderr", data: `${warning}\n` });
        t += 100;
        writes.push({ atMs: t, data: `${line.slice(20_480)}\n` });
      } else writes.push({ atMs: t, data: `${line}\n` });
      t += 150;
    }
    const { outcome, seen } = await s.run(scripted({ writes, runMs: t + 1_000 }));
    expect(outcome).toMatchObject({ status: "succeeded", summary: "finished 4 steps" });
    const head = user.slice(0, 16 * 1024);
    // The head starts and ends like a user event, so it was delivered live as one (the reducer does not parse
    // tool results); its tail, a text line ending in a brace, gives it away.
    expect(seen.stdout).toEqual([...lines.slice(0, at), `${head}${warning}`, ...lines.slice(at + 1)]);
    expect(seen.stderr).toEqual([user.slice(16 * 1024)]);
    const offset = lines.slice(0, at).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(outcome.garbledLines).toEqual([
      { reason: "broken_event", line: at + 1, offset },
      { reason: "event_tail", line: at + 2, offset: offset + Buffer.byteLength(head + warning) + 1 },
    ]);
    expect(seen.progress.filter((p) => p.type === "notice" && p.message.startsWith("transcript_garbled:"))).toHaveLength(2);
    s.dispose();
  });

  it("an event written while a 20 KiB stderr line is open: the line holding it is reported buried_event, the other lines arrive once (issue 14, item 2)", async () => {
    const s = scenario();
    const lines = transcriptLines(4);
    const buried = 2;
    const trace = "e".repeat(20 * 1024);
    // The stderr line's first 16 KiB are a `P` record at once; the event is stored next; the rest 100 ms later.
    const writes: { atMs: number; stream?: "stdout" | "stderr"; data: string }[] = [];
    let at = 0;
    for (let i = 0; i < lines.length; i++) {
      if (i === buried) {
        writes.push({ atMs: at, stream: "stderr", data: trace.slice(0, 20_480) });
        writes.push({ atMs: at + 50, data: `${lines[i]!}\n` });
        at += 100;
        writes.push({ atMs: at, stream: "stderr", data: `${trace.slice(20_480)}\n` });
      } else writes.push({ atMs: at, data: `${lines[i]!}\n` });
      at += 150;
    }
    const { outcome, seen } = await s.run(scripted({ writes, runMs: at + 1_000 }));
    expect(outcome.status).toBe("succeeded");
    expect(seen.stdout).toEqual(lines.filter((_, i) => i !== buried));
    expect(seen.stderr).toEqual([`${trace.slice(0, 16 * 1024)}${lines[buried]!}`, trace.slice(16 * 1024)]);
    const offset = lines.slice(0, buried).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(outcome.garbledLines).toEqual([{ reason: "buried_event", line: buried + 1, offset }]);
    s.dispose();
  });

  it("a stderr line between whole stdout lines garbles nothing", async () => {
    const s = scenario();
    const lines = transcriptLines(4);
    const writes = lines.flatMap((l, i) => [
      { atMs: i * 100, data: `${l}\n` },
      { atMs: i * 100 + 50, stream: "stderr" as const, data: `warning ${i} {not json}\n` },
    ]);
    const { outcome, seen } = await s.run(scripted({ writes, runMs: lines.length * 100 + 1_000 }));
    expect(seen.stdout).toEqual(lines);
    expect(seen.stderr).toHaveLength(lines.length);
    expect(outcome.garbledLines).toBeUndefined();
    s.dispose();
  });

  it("a fast-exit container still delivers its whole log (FAR-122: init-only stream)", async () => {
    const s = scenario();
    const lines = transcriptLines(5);
    const { outcome, seen } = await s.run(scripted({ lines, runMs: 5 }));
    expect(outcome.status).toBe("succeeded");
    expect(seen.stdout).toEqual(lines);
    s.dispose();
  });

  it("a last line without a trailing newline is kept (predecessor defect 6)", async () => {
    const s = scenario();
    // The script program writes lines; the final result line is the last write before exit.
    const lines = transcriptLines(1);
    const { outcome } = await s.run(scripted({ lines, runMs: 100 }));
    expect(outcome.summary).toBe("finished 1 steps");
    s.dispose();
  });

  it("silent for 10 minutes then success: keepalives report the silence, the run is not cut (FAR-107, e760bf9)", async () => {
    const s = scenario();
    const { outcome, seen } = await s.run(request({ program: "silent-then-success" }));
    expect(outcome.status).toBe("succeeded");
    const keepalives = seen.progress.filter((p) => p.type === "keepalive");
    expect(keepalives.length).toBeGreaterThanOrEqual(39);
    expect(Math.max(...keepalives.map((k) => (k as { secondsSinceOutput: number }).secondsSinceOutput))).toBeGreaterThanOrEqual(585);
    s.dispose();
  });
});
