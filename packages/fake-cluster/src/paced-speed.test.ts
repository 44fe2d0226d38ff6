import { describe, expect, it } from "vitest";
import { setTimeout as realDelay } from "node:timers/promises";
import { FakeCluster } from "./fake-cluster.js";
import { VirtualClock } from "./virtual-clock.js";
import { baseSpec } from "./testing/base-spec.js";
import { runToEnd } from "./testing/run-helpers.js";

// These run on real timers. Bounds are loose on purpose (a loaded CI machine stalls the event loop); wall time
// is only checked against a generous floor or ceiling.

describe("FakeCluster speed", () => {
  it("paces virtual time at about speed × real time", async () => {
    const fake = new FakeCluster({ speed: 1000 });
    const virtualStart = fake.clock.now();
    const wallStart = performance.now();
    await realDelay(300);
    const wall = performance.now() - wallStart;
    const virtual = fake.clock.now() - virtualStart;
    fake.dispose();
    // Never ahead of real time × speed, and not far behind it.
    expect(virtual).toBeLessThanOrEqual(wall * 1000 + 100);
    expect(virtual).toBeGreaterThanOrEqual(wall * 1000 * 0.3);
  });

  it("keeps virtual time with real time over many steps at speed 1 (no per-step rounding loss)", async () => {
    const fake = new FakeCluster({ speed: 1 });
    const virtualStart = fake.clock.now();
    const wallStart = performance.now();
    await realDelay(1_000);
    await fake.clock.sleep(40);
    const drift = performance.now() - wallStart - (fake.clock.now() - virtualStart);
    fake.dispose();
    // ~50 steps: a dropped fraction per step would put virtual time ~25 ms behind; allowed: about two steps.
    expect(drift).toBeLessThan(45);
  });

  it("fires a virtual sleep only once paced time reaches it", async () => {
    const fake = new FakeCluster({ speed: 100 });
    const wallStart = performance.now();
    await fake.clock.sleep(3_000);
    const wall = performance.now() - wallStart;
    fake.dispose();
    // 3 virtual seconds at 100× are 30 real ms; auto-advance would take well under 1 ms.
    expect(wall).toBeGreaterThanOrEqual(20);
    expect(wall).toBeLessThan(5_000);
  });

  it("runs a whole agent Job to completion at a paced speed", async () => {
    const fake = new FakeCluster({ speed: 200 });
    const { job, lines } = await runToEnd(fake, baseSpec("paced-run"));
    fake.dispose();
    expect(job.conditions.some((c) => c.type === "Complete" && c.status === "True")).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
  });

  it("stops advancing once disposed", async () => {
    const fake = new FakeCluster({ speed: 1000 });
    await realDelay(50);
    fake.dispose();
    const stopped = fake.clock.now();
    await realDelay(60);
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
    await realDelay(100);
    expect(fake.clock.now()).toBeGreaterThan(before);
    fake.dispose();
  });

  it("defaults to max: auto-advance, no pacing", async () => {
    const fake = new FakeCluster();
    expect(fake.speed).toBe("max");
    const wallStart = performance.now();
    await fake.clock.sleep(3_600_000);
    expect(performance.now() - wallStart).toBeLessThan(1_000);
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
