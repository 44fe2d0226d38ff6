import { describe, expect, it } from "vitest";
import { liveJobs, payloads, request, scenario } from "./harness.js";

async function failsFast(req: Parameters<ReturnType<typeof scenario>["run"]>[0], code: string, setup?: (s: ReturnType<typeof scenario>) => void) {
  const s = scenario();
  setup?.(s);
  const t0 = s.fake.clock.now();
  const { outcome } = await s.run(req);
  const elapsed = s.fake.clock.now() - t0;
  expect(outcome.errorCode).toBe(code);
  expect(outcome.status).toBe("failed");
  expect(elapsed).toBeLessThan(5_000);
  expect(liveJobs(s.fake)).toEqual([]);
  await s.fake.clock.sleep(30_000);
  expect(payloads(s.fake)).toEqual([]);
  s.dispose();
  return outcome;
}

describe("fatal pod states end the run at once with their own code (not a 120 s wait)", () => {
  it("image pull failure: an image that does not exist is definite, ended at once and said so (issue 14, fault 7)", async () => {
    const outcome = await failsFast(request({ program: "no-such-image" }), "k8s_image_pull_failed");
    expect(outcome.errorMessage).toMatch(/\(image not found; not retried\): ErrImagePull/);
  });

  it("unschedulable (nodeSelector matches no node)", async () => {
    const outcome = await failsFast(request({ configOverrides: { nodeSelector: "pool=gpu" } }), "k8s_pod_unschedulable");
    expect(outcome.errorMessage).toMatch(/unschedulable/i);
  });

  it("a missing secret referenced by env is a container config error (predecessor defect 10: hung 120 s)", async () => {
    const outcome = await failsFast(
      request({ configOverrides: { env: { ANTHROPIC_API_KEY: { secretKeyRef: { name: "does-not-exist", key: "key" } } } } }),
      "k8s_container_config_error",
    );
    expect(outcome.errorMessage).toContain("does-not-exist");
  });
});

describe("transient image pull errors are waited out for a bounded time (issue 14, fault 7)", () => {
  it("a registry that times out for 40 s: the pull succeeds on a later try and the run succeeds", async () => {
    const s = scenario();
    s.fake.faults.flakyRegistry({ untilMs: s.fake.clock.now() + 40_000 });
    const { outcome } = await s.run(request());
    expect(outcome.status).toBe("succeeded");
    s.dispose();
  });

  it("a registry that keeps timing out: k8s_image_pull_failed after the bound, saying the errors were transient", async () => {
    const s = scenario();
    s.fake.faults.flakyRegistry({ untilMs: s.fake.clock.now() + 3_600_000 });
    const t0 = s.fake.clock.now();
    const { outcome } = await s.run(request());
    expect(outcome.errorCode).toBe("k8s_image_pull_failed");
    expect(outcome.errorMessage).toMatch(/^Image pull failed: transient registry errors for 90s, still failing \(container "claude": ErrImagePull: .*i\/o timeout\)/);
    expect(s.fake.clock.now() - t0).toBeGreaterThanOrEqual(90_000);
    expect(s.fake.clock.now() - t0).toBeLessThan(120_000);
    s.dispose();
  });

  it("a start timeout shorter than the pull bound still says the pull failed transiently (k8s_image_pull_failed), not that scheduling timed out", async () => {
    const s = scenario();
    s.fake.faults.flakyRegistry({ untilMs: s.fake.clock.now() + 3_600_000 });
    const t0 = s.fake.clock.now();
    const { outcome } = await s.run(request({ configOverrides: { startTimeoutSec: 30 } }));
    expect(outcome.errorCode).toBe("k8s_image_pull_failed");
    expect(outcome.errorMessage).toMatch(/^Image pull failed: transient registry errors for \d+s \(until the 30s start timeout\), still failing \(container "claude": ErrImagePull: .*i\/o timeout\)/);
    expect(s.fake.clock.now() - t0).toBeGreaterThanOrEqual(30_000);
    expect(s.fake.clock.now() - t0).toBeLessThan(40_000);
    s.dispose();
  });
});
