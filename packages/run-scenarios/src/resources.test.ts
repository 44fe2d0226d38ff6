import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PROCESS_LEASE_TIMING } from "@clipjob/core";
import type { Program } from "@clipjob/fake-cluster";
import { describe, expect, it } from "vitest";
import { request, scenario, scripted, transcriptLines } from "./harness.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** A transcript of `totalBytes`, dominated by tool results as real runs are. */
function bigTranscript(totalBytes: number, emitted: { lines: number }): Program {
  return async (ctx) => {
    const session = "9e2f3c4d-aaaa-4bbb-8ccc-123456789abc";
    ctx.stdout(JSON.stringify({ type: "system", subtype: "init", session_id: session, model: "claude-sonnet-4-6" }));
    const chunk = "x".repeat(256 * 1024);
    const toolResult = JSON.stringify({ type: "user", session_id: session, message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: chunk }] } });
    const assistant = JSON.stringify({ type: "assistant", session_id: session, message: { id: "msg_1", role: "assistant", stop_reason: "tool_use", content: [{ type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "cat big.log" } }], usage: { input_tokens: 5, output_tokens: 7 } } });
    let written = 0;
    let i = 0;
    while (written < totalBytes) {
      ctx.stdout(i % 8 === 0 ? assistant.replace("msg_1", `msg_${i}`) : toolResult);
      emitted.lines += 1;
      written += toolResult.length;
      i += 1;
      // 10 MiB per virtual second: a fast writer that a healthy reader keeps up with. (Faster than the kubelet's
      // 50 MiB log retention allows before the first read, lines would be rotated away on a real node too.)
      if (i % 40 === 0) await ctx.sleep(1_000);
    }
    emitted.lines += 2;
    ctx.stdout(JSON.stringify({ type: "result", subtype: "success", is_error: false, result: "read it all", session_id: session, total_cost_usd: 1.5, usage: { input_tokens: 1, output_tokens: 2 } }));
    return 0;
  };
}

describe("resources a run uses", () => {
  it("a 1 GB transcript settles with heap growth under 64 MB (the predecessor kept all stdout in memory)", async () => {
    const s = scenario();
    const emitted = { lines: 0 };
    s.fake.registerProgram("gigabyte", bigTranscript(1024 * 1024 * 1024, emitted));
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    const { done, seen } = s.start(request({ program: "gigabyte" }));
    // Sample retained heap (after a full GC) every 2 s of virtual time while the run streams.
    const sampler = (async () => {
      for (;;) {
        await s.fake.clock.sleep(2_000);
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
        if (s.fake.jobs("clipjob").length === 0) return;
      }
    })();
    const outcome = await done;
    await sampler;
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    console.log(`1 GB transcript: peak retained heap growth ${(peak / 1024 / 1024).toFixed(1)} MB`);
    expect(outcome.status).toBe("succeeded");
    expect(outcome.summary).toBe("read it all");
    // Every line arrived (the recorder holds references to the program's few distinct strings, not copies).
    expect(seen.stdout.length).toBe(emitted.lines);
    expect(peak).toBeLessThan(64 * 1024 * 1024);
    s.dispose();
    // 1 GB through the reader plus a full GC every 2 virtual s: 22–78 s measured on 2 cores with every core busy.
  }, 300_000);

  it("API requests per run do not grow with run length: 30 and 60 minutes cost what 30 seconds costs, apart from the process Lease's renewals (the process's, not the run's)", async () => {
    const count = async (runMs: number) => {
      const s = scenario();
      const { outcome } = await s.run(scripted({ lines: transcriptLines(20), runMs }));
      expect(outcome.status).toBe("succeeded");
      const { "update lease": renewals = 0, ...rest } = s.fake.requests();
      s.dispose();
      return { requests: Object.values(rest).reduce((a, b) => a + b, 0), renewals, durationMs: outcome.durationMs };
    };
    const short = await count(30_000);
    const long = await count(30 * 60_000);
    const hour = await count(60 * 60_000);
    console.log(`requests per run besides Lease renewals: 30 s → ${short.requests}, 30 min → ${long.requests}, 60 min → ${hour.requests}; renewals ${short.renewals}, ${long.renewals}, ${hour.renewals}`);
    expect(short.requests).toBeLessThanOrEqual(17);
    // Watches are renewed when the server closes them (every 30–60 min on the fake); with bookmarks a renewal
    // resumes without a relist, so it costs one request.
    expect(long.requests).toBeLessThanOrEqual(short.requests + 2);
    expect(hour.requests).toBeLessThanOrEqual(17);
    // The one cost that grows, by design, and it is the process's (shared by all its runs): a crashed holder must
    // be told from a live one (docs/architecture.md, "Across processes"): one process Lease update per renewal
    // interval, nothing more.
    for (const run of [short, long, hour]) expect(run.renewals).toBe(Math.floor(run.durationMs / PROCESS_LEASE_TIMING.renewMs));
  });
});
