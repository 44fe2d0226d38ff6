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
  it("image pull failure", async () => {
    const outcome = await failsFast(request({ program: "no-such-image" }), "k8s_image_pull_failed");
    expect(outcome.errorMessage).toMatch(/ErrImagePull|ImagePullBackOff/);
  });

  it("unschedulable (nodeSelector matches no node)", async () => {
    const outcome = await failsFast(request({ configOverrides: { nodeSelector: "pool=gpu" } }), "k8s_pod_unschedulable");
    expect(outcome.errorMessage).toMatch(/unschedulable/i);
  });

  it("a missing secret referenced by env is a container config error (§9.2 #10: hung 120 s)", async () => {
    const outcome = await failsFast(
      request({ configOverrides: { env: { ANTHROPIC_API_KEY: { secretKeyRef: { name: "does-not-exist", key: "key" } } } } }),
      "k8s_container_config_error",
    );
    expect(outcome.errorMessage).toContain("does-not-exist");
  });
});
