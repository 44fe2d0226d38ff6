import { describe, expect, it } from "vitest";
import { quietFor, RunReporter } from "./run-reporter.js";

function reporter() {
  const events: { eventType: string; message: string }[] = [];
  const r = new RunReporter(
    {
      onLog: async () => undefined,
      onEvent: async (e) => {
        events.push({ eventType: e.eventType, message: e.message ?? "" });
      },
    },
    () => ({ adapterType: "claude_k8s" }) as never,
  );
  return { r, events };
}

const keepalive = (secondsSinceOutput: number) => ({ type: "keepalive" as const, job: "ac-1", secondsSinceOutput, atMs: secondsSinceOutput * 1000 });

describe("RunReporter keepalives (issue #15: a line every 15 s filled the transcript)", () => {
  it("shows a compact line at doubling silences, at most 10 minutes apart", async () => {
    const { r, events } = reporter();
    for (let s = 15; s <= 3600; s += 15) await r.onProgress(keepalive(s));
    const shown = events.filter((e) => e.eventType === "clipjob.keepalive").map((e) => e.message);
    expect(shown).toEqual([
      "still running, quiet for 15s",
      "still running, quiet for 30s",
      "still running, quiet for 1m",
      "still running, quiet for 2m",
      "still running, quiet for 4m",
      "still running, quiet for 8m",
      "still running, quiet for 16m",
      "still running, quiet for 26m",
      "still running, quiet for 36m",
      "still running, quiet for 46m",
      "still running, quiet for 56m",
    ]);
  });

  it("starts over after Claude writes again", async () => {
    const { r, events } = reporter();
    await r.onProgress(keepalive(15));
    await r.onProgress(keepalive(30));
    await r.onProgress(keepalive(45));
    await r.onLine("stdout", "{}");
    await r.onProgress(keepalive(15));
    expect(events.map((e) => e.message)).toEqual(["still running, quiet for 15s", "still running, quiet for 30s", "still running, quiet for 15s"]);
  });

  it("formats durations briefly", () => {
    expect([quietFor(5), quietFor(60), quietFor(3599), quietFor(3600), quietFor(3900)]).toEqual(["5s", "1m", "59m", "1h", "1h 5m"]);
  });
});
