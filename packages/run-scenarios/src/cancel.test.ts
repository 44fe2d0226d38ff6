import { describe, expect, it } from "vitest";
import { liveJobs, payloads, scenario, scripted, transcriptLines } from "./harness.js";

describe("cancellation", () => {
  it("cancel mid-run returns `cancelled` and deletes the Job (predecessor defect 5: surfaced as deleted externally)", async () => {
    const s = scenario();
    const cancel = new AbortController();
    const { done, seen } = s.start(scripted({ lines: transcriptLines(50), runMs: 10 * 60_000 }), { cancelSignal: cancel.signal });
    await s.until(() => seen.stdout.length >= 5);
    cancel.abort("cancelled by the board");
    const outcome = await done;
    expect(outcome.status).toBe("cancelled");
    expect(outcome.errorCode).toBe("cancelled");
    expect(outcome.job?.kept).toBe(false);
    await s.fake.clock.sleep(60_000);
    expect(liveJobs(s.fake)).toEqual([]);
    await s.fake.clock.sleep(30_000);
    expect(payloads(s.fake)).toEqual([]);
    s.dispose();
  });

  it("cancel while waiting for the pod still deletes the Job", async () => {
    const s = scenario({ controllerLatencyMs: 5_000 });
    const cancel = new AbortController();
    const { done, seen } = s.start(scripted({ lines: transcriptLines(5) }), { cancelSignal: cancel.signal });
    await s.until(() => seen.jobs.length === 1);
    cancel.abort();
    const outcome = await done;
    expect(outcome.errorCode).toBe("cancelled");
    await s.fake.clock.sleep(60_000);
    expect(liveJobs(s.fake)).toEqual([]);
    s.dispose();
  });

  it("cancel before submit creates nothing", async () => {
    const s = scenario();
    const cancel = new AbortController();
    cancel.abort();
    const { outcome } = await s.run(scripted({ lines: transcriptLines(1) }), { cancelSignal: cancel.signal });
    expect(outcome.errorCode).toBe("cancelled");
    expect(s.fake.requests()["create job"] ?? 0).toBe(0);
    s.dispose();
  });
});
