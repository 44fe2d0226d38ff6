import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { setTimeout as realDelay } from "node:timers/promises";
import { ClockPacer, PaceAccount } from "./clock-pacer.js";
import { FakeCluster } from "./fake-cluster.js";
import { VirtualClock } from "./virtual-clock.js";
import { baseSpec } from "./testing/base-spec.js";
import { runToEnd } from "./testing/run-helpers.js";

// The pacer runs on a real timer, so these tests assert only what holds however loaded the machine is: virtual
// time never runs ahead of real time × speed, it only moves forward, and it stops dead when the cluster is
// disposed. How closely it keeps up with real time is a number for the benchmark (apps/bench, "Clock pacing").

describe("PaceAccount (the pacer's arithmetic, on given real times)", () => {
  it("carries the fraction: 50 ticks of 20.25 ms at speed 1 owe 1012 virtual ms, not 50 × 20 = 1000", () => {
    const account = new PaceAccount(1, 0);
    let total = 0;
    for (let i = 1; i <= 50; i++) total += account.step(i * 20.25);
    expect(total).toBe(1012);
  });

  it("a stall is caught up in one step, at the speed", () => {
    const account = new PaceAccount(1000, 100);
    expect(account.step(120)).toBe(20_000);
    expect(account.step(620)).toBe(500_000);
    expect(account.step(620)).toBe(0);
  });

  it("a real clock that goes backwards owes nothing and is not paid back twice", () => {
    const account = new PaceAccount(1, 100);
    expect(account.step(90)).toBe(0);
    expect(account.step(110)).toBe(10);
  });

  it("after any sequence of ticks, the total is never ahead of elapsed × speed and less than 1 ms behind it", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 10_000, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 5_000, noNaN: true }), { maxLength: 200 }),
        (speed, gaps) => {
          const account = new PaceAccount(speed, 0);
          let now = 0;
          let total = 0;
          for (const gap of gaps) {
            now += gap;
            const step = account.step(now);
            expect(Number.isInteger(step) && step >= 0).toBe(true);
            total += step;
            const owed = now * speed;
            // Floating-point slack only: relative 1e-9 of what is owed.
            const slack = owed * 1e-9 + 1e-9;
            expect(total).toBeLessThanOrEqual(owed + slack);
            expect(total).toBeGreaterThan(owed - 1 - slack);
          }
        },
      ),
    );
  });
});

describe("ClockPacer", () => {
  it("a step in progress when the clock is stopped moves it no further", async () => {
    const clock = new VirtualClock({ startMs: 0, autoAdvance: false });
    const pacer = new ClockPacer(clock, 1000);
    // Resolves inside a pacer step (the timer fires, the step then settles and would move on to its target).
    await clock.sleep(1);
    clock.stop();
    const stopped = clock.now();
    await pacer.stop(); // waits for that step to finish
    expect(clock.now()).toBe(stopped);
  });
});

describe("FakeCluster speed", () => {
  it("virtual time moves only forward and never ahead of real time × speed", async () => {
    // Real time is measured from before the pacer exists, so `wall` can only overstate what the pacer saw.
    const wallStart = performance.now();
    const fake = new FakeCluster({ speed: 1000 });
    const virtualStart = fake.clock.now();
    let previous = virtualStart;
    for (let i = 0; i < 5; i++) {
      // Resolves only once the pacer has moved time 50 virtual ms on: no real delay to guess.
      await fake.clock.sleep(50);
      const virtual = fake.clock.now();
      const wall = performance.now() - wallStart;
      expect(virtual).toBeGreaterThanOrEqual(previous + 50);
      expect(virtual - virtualStart).toBeLessThanOrEqual(wall * 1000 + 1);
      previous = virtual;
    }
    fake.dispose();
  });

  it("fires a virtual sleep only once paced time reaches it (3 virtual s at 100× need at least 30 real ms)", async () => {
    const wallStart = performance.now();
    const fake = new FakeCluster({ speed: 100 });
    await fake.clock.sleep(3_000);
    const wall = performance.now() - wallStart;
    fake.dispose();
    // A lower bound only: load can make the sleep later, never earlier. Auto-advance would take under 1 ms.
    expect(wall * 100).toBeGreaterThanOrEqual(3_000 - 1);
  });

  it("runs a whole agent Job to completion at a paced speed", async () => {
    const fake = new FakeCluster({ speed: 200 });
    const { job, lines } = await runToEnd(fake, baseSpec("paced-run"));
    fake.dispose();
    expect(job.conditions.some((c) => c.type === "Complete" && c.status === "True")).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
  });

  it("stops dead once disposed, also when a pacer step is under way", async () => {
    const fake = new FakeCluster({ speed: 1000 });
    // Resolves inside a pacer step: dispose() comes while that step is still settling.
    await fake.clock.sleep(1);
    fake.dispose();
    const stopped = fake.clock.now();
    // A grace window for a wrong step or tick to show itself; load can only make it miss one, never fail.
    await realDelay(100);
    expect(fake.clock.now()).toBe(stopped);
  });

  it("setSpeed(\"max\") lets a slow clock run free, and a number paces it again", async () => {
    const fake = new FakeCluster({ speed: 0.001 });
    expect(fake.speed).toBe(0.001);
    const long = fake.clock.sleep(3_600_000);
    await fake.setSpeed("max");
    await long;
    expect(fake.speed).toBe("max");
    await fake.setSpeed(1000);
    expect(fake.clock.frozen).toBe(true);
    const before = fake.clock.now();
    // Resolves only once the new pacer stepped the frozen clock.
    await fake.clock.sleep(1);
    expect(fake.clock.now()).toBeGreaterThan(before);
    fake.dispose();
  });

  it("defaults to max: auto-advance, no pacing (an hour of virtual sleep resolves without a pacer)", async () => {
    const fake = new FakeCluster();
    expect(fake.speed).toBe("max");
    expect(fake.clock.frozen).toBe(false);
    const before = fake.clock.now();
    await fake.clock.sleep(3_600_000);
    expect(fake.clock.now() - before).toBe(3_600_000);
    fake.dispose();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses speed %s", (speed) => {
    expect(() => new FakeCluster({ speed })).toThrow(RangeError);
  });

  it("refuses a numeric speed on a frozen cluster", () => {
    expect(() => new FakeCluster({ speed: 10, freeze: true })).toThrow(RangeError);
  });
});

describe("VirtualClock.onPendingWorkChange", () => {
  it("reports when work starts and stops waiting on virtual time, daemon timers aside", async () => {
    const clock = new VirtualClock({ startMs: 0, autoAdvance: false });
    const changes: boolean[] = [];
    const unsubscribe = clock.onPendingWorkChange((pending) => changes.push(pending));
    void clock.sleepDaemon(50);
    const a = clock.sleep(100);
    const b = clock.sleep(200);
    await clock.advance(150);
    await a;
    expect(changes).toEqual([true]);
    await clock.advance(100);
    await b;
    expect(changes).toEqual([true, false]);
    unsubscribe();
    void clock.sleep(10);
    expect(changes).toEqual([true, false]);
  });
});
