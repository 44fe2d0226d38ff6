import { describe, expect, it } from "vitest";
import { ClockPacer } from "./clock-pacer.js";

describe("ClockPacer", () => {
  it("advances virtual time by the real time that passed, times the speed", async () => {
    let real = 0;
    const steps: number[] = [];
    const pacer = new ClockPacer(
      {
        advance: async (ms) => {
          steps.push(ms);
        },
      },
      { speed: 20, tickMs: 1, realNow: () => (real += 10) },
    );
    while (steps.length < 5) await new Promise((r) => setTimeout(r, 2));
    await pacer.stop();
    // Each tick the fake real clock moved 10 ms: 200 ms of virtual time per step, nothing skipped or doubled.
    expect(new Set(steps)).toEqual(new Set([200]));
  });

  it("stops stepping once stopped", async () => {
    let steps = 0;
    const pacer = new ClockPacer({ advance: async () => void (steps += 1) }, { speed: 1, tickMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    await pacer.stop();
    const after = steps;
    await new Promise((r) => setTimeout(r, 20));
    expect(steps).toBe(after);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses speed %s", (speed) => {
    expect(() => new ClockPacer({ advance: async () => undefined }, { speed })).toThrow(RangeError);
  });
});
