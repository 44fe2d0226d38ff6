import { describe, expect, it } from "vitest";
import { performance } from "node:perf_hooks";
import { FakeCluster } from "./fake-cluster.js";
import { VirtualClock } from "./virtual-clock.js";
import { baseSpec } from "./testing/base-spec.js";
import { collectLog } from "./testing/collect.js";

describe("VirtualClock", () => {
  it("jumps to the next timer when everything is idle, firing timers in time order", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const order: number[] = [];
    await Promise.all([clock.sleep(300).then(() => order.push(300)), clock.sleep(100).then(() => order.push(100)), clock.sleep(200).then(() => order.push(200))]);
    expect(order).toEqual([100, 200, 300]);
    expect(clock.now()).toBe(300);
  });

  it("resolves a sleep early when its signal aborts, without moving time", async () => {
    const clock = new VirtualClock({ startMs: 0, autoAdvance: false });
    const ac = new AbortController();
    const p = clock.sleep(60_000, ac.signal);
    ac.abort();
    await p;
    expect(clock.now()).toBe(0);
  });

  it("frozen: time moves only through advance(), which fires exactly the timers due", async () => {
    const clock = new VirtualClock({ startMs: 0, autoAdvance: false });
    const fired: string[] = [];
    void clock.sleep(1_000).then(() => fired.push("1s"));
    void clock.sleep(5_000).then(() => fired.push("5s"));
    await clock.advance(2_000);
    expect(fired).toEqual(["1s"]);
    expect(clock.now()).toBe(2_000);
    await clock.advance(3_000);
    expect(fired).toEqual(["1s", "5s"]);
  });

  it("daemon timers never pull time forward on their own, but fire when time passes them", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    let daemonFired = false;
    void clock.sleepDaemon(1_000).then(() => (daemonFired = true));
    // Give the idle loop far more macrotask turns than it needs to settle and look for a timer to jump to (it
    // counts turns, not milliseconds, so load does not change what this waits for).
    for (let turn = 0; turn < 20; turn++) await new Promise<void>((r) => setImmediate(r));
    expect(clock.now()).toBe(0);
    await clock.sleep(2_000);
    expect(daemonFired).toBe(true);
  });

  it("a 30-minute simulated run completes on virtual time alone (30 virtual minutes pass, no real waiting)", async () => {
    const fake = new FakeCluster();
    fake.registerProgram("thirty-minutes", async (ctx) => {
      for (let minute = 1; minute <= 30; minute++) {
        for (let s = 0; s < 60; s++) await ctx.sleep(1_000);
        ctx.stdout(JSON.stringify({ type: "assistant", minute }));
      }
      return 0;
    });
    const started = fake.clock.now();
    const wallStart = performance.now();
    const job = await fake.cluster.submit(baseSpec("long-run", "thirty-minutes"));
    const lines = await collectLog(fake, job.ref);
    const wallMs = performance.now() - wallStart;
    console.log(`30-minute simulated run: ${wallMs.toFixed(0)} ms wall time`);
    expect(lines).toHaveLength(30);
    expect(fake.clock.now() - started).toBeGreaterThanOrEqual(30 * 60_000);
    fake.dispose();
  });
});
