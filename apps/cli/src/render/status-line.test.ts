import { describe, expect, it } from "vitest";
import { statusText } from "./status-line.js";

describe("statusText", () => {
  it.each([
    {
      name: "before any output",
      status: { phase: "waiting_for_pod" as const, elapsedMs: 2_000, sinceOutputMs: null, job: "clipjob/ac-a-1", simulated: false },
      text: "⏵ waiting for the pod · 2.0s elapsed · no output yet · clipjob/ac-a-1",
    },
    {
      name: "while Claude is silent, in simulated time",
      status: { phase: "running" as const, elapsedMs: 754_000, sinceOutputMs: 42_900, job: null, simulated: true },
      text: "⏵ running · 12m34s elapsed (simulated time) · last output 42s ago",
    },
  ])("shows phase, elapsed time and silence $name", ({ status, text }) => {
    expect(statusText(status)).toBe(text);
  });

  it("fits the terminal width", () => {
    const text = statusText({ phase: "running", elapsedMs: 1, sinceOutputMs: 1, job: "x".repeat(200), simulated: false }, 60);
    expect(text).toHaveLength(60);
    expect(text.endsWith("…")).toBe(true);
  });
});
