import { ApiException } from "@kubernetes/client-node";
import type { Clock } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { kubeOperation } from "../errors/kube-operation.js";
import { retryRead } from "./read-retry.js";

const op = kubeOperation("get job", "get", "jobs", "ns", { group: "batch" });
const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

function recordingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, sleep: async (ms) => void slept.push(ms) };
}

function failing(errors: unknown[], value = "ok"): () => Promise<string> {
  return async () => {
    const e = errors.shift();
    if (e !== undefined) throw e;
    return value;
  };
}

describe("retryRead", () => {
  it("retries transient failures with exponential full-jitter backoff", async () => {
    const clock = recordingClock();
    const result = await retryRead(op, { policy, clock, random: () => 0.5 }, failing([new ApiException(500, "x", "", {}), Object.assign(new Error("x"), { code: "ECONNRESET" })]));
    expect(result).toBe("ok");
    expect(clock.slept).toEqual([50, 100]);
  });

  it("honours Retry-After over the computed delay, capped by the policy", async () => {
    const clock = recordingClock();
    await retryRead(op, { policy, clock, random: () => 0 }, failing([new ApiException(429, "x", "", { "retry-after": "0.3" }), new ApiException(503, "x", "", { "retry-after": "60" })]));
    expect(clock.slept).toEqual([300, 1_000]);
  });

  it("gives up after the last attempt with the classified error", async () => {
    const clock = recordingClock();
    const errors = Array.from({ length: 5 }, () => new ApiException(503, "x", "", {}));
    await expect(retryRead(op, { policy, clock }, failing(errors))).rejects.toMatchObject({ code: "unavailable", operation: "get job" });
    expect(clock.slept).toHaveLength(3);
  });

  it("does not retry what will not change (404, 403, 422)", async () => {
    for (const status of [404, 403, 422]) {
      const clock = recordingClock();
      await expect(retryRead(op, { policy, clock }, failing([new ApiException(status, "x", "", {})]))).rejects.toMatchObject({ httpStatus: status });
      expect(clock.slept).toEqual([]);
    }
  });

  it("does not retry rejected credentials (401) or an untrusted server certificate (issue 14, fault 5)", async () => {
    const tls = Object.assign(new Error("self-signed certificate in certificate chain"), { code: "SELF_SIGNED_CERT_IN_CHAIN" });
    for (const [error, code] of [[new ApiException(401, "Unauthorized", "", {}), "unauthorized"], [tls, "certificate_untrusted"]] as const) {
      const clock = recordingClock();
      await expect(retryRead(op, { policy, clock }, failing([error]))).rejects.toMatchObject({ code });
      expect(clock.slept).toEqual([]);
    }
  });

  it("stops retrying once the signal aborts", async () => {
    const controller = new AbortController();
    const clock: Clock = { now: () => 0, sleep: async () => controller.abort() };
    let calls = 0;
    const read = async () => {
      calls++;
      throw new ApiException(503, "x", "", {});
    };
    await expect(retryRead(op, { policy, clock, signal: controller.signal }, read)).rejects.toMatchObject({ code: "unavailable" });
    expect(calls).toBe(1);
  });
});
