import { describe, expect, it } from "vitest";
import { ClusterError } from "./cluster-error.js";
import type { Clock } from "./clock.js";
import { DEFAULT_READ_RETRY, informerRetryOptions, readRetryDelay, retryTransientRead } from "./read-retry.js";

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

function recordingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, sleep: async (ms) => void slept.push(ms) };
}

const err = (code: ClusterError["code"], retryAfterMs?: number) => new ClusterError({ code, operation: "get job", message: code, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

function failing(errors: unknown[]): () => Promise<string> {
  return async () => {
    const e = errors.shift();
    if (e !== undefined) throw e;
    return "ok";
  };
}

describe("retryTransientRead", () => {
  it("retries transient ClusterErrors with full-jitter exponential backoff until the read succeeds", async () => {
    const clock = recordingClock();
    await expect(retryTransientRead({ policy, clock, random: () => 0.5 }, failing([err("server_error"), err("unavailable"), err("timeout")]))).resolves.toBe("ok");
    expect(clock.slept).toEqual([50, 100, 200]);
  });

  it("throws the last error after the last attempt", async () => {
    const clock = recordingClock();
    const errors = [err("unavailable"), err("unavailable"), err("unavailable"), err("rate_limited")];
    await expect(retryTransientRead({ policy, clock }, failing(errors))).rejects.toMatchObject({ code: "rate_limited" });
    expect(clock.slept).toHaveLength(3);
  });

  it("never retries a permanent error, nor what is not a ClusterError (unless `classify` makes it one)", async () => {
    for (const code of ["not_found", "forbidden", "unauthorized", "certificate_untrusted", "invalid", "conflict"] as const) {
      const clock = recordingClock();
      await expect(retryTransientRead({ policy, clock }, failing([err(code)]))).rejects.toMatchObject({ code });
      expect(clock.slept).toEqual([]);
    }
    const bug = new TypeError("not an API error");
    await expect(retryTransientRead({ policy, clock: recordingClock() }, failing([bug]))).rejects.toBe(bug);
    const classified = await retryTransientRead({ policy, clock: recordingClock() }, failing([bug]), () => err("unavailable"));
    expect(classified).toBe("ok");
  });

  it("stops retrying once the signal aborts", async () => {
    const ac = new AbortController();
    const clock: Clock = { now: () => 0, sleep: async () => ac.abort() };
    await expect(retryTransientRead({ policy, clock, signal: ac.signal }, failing([err("unavailable"), err("unavailable")]))).rejects.toMatchObject({ code: "unavailable" });
  });
});

describe("readRetryDelay", () => {
  it("honours Retry-After up to the policy's maximum, else full jitter under a doubling ceiling", () => {
    expect(readRetryDelay(err("rate_limited", 300), 1, policy, () => 0.9)).toBe(300);
    expect(readRetryDelay(err("rate_limited", 60_000), 1, policy, () => 0.9)).toBe(1_000);
    expect([1, 2, 3, 4, 5].map((a) => readRetryDelay(err("unavailable"), a, policy, () => 0.999))).toEqual([99, 199, 399, 799, 999]);
  });
});

describe("DEFAULT_READ_RETRY and informerRetryOptions", () => {
  it("4 attempts from 250 ms to 5 s; the informers back off and report a failing watch with the same numbers", () => {
    expect(DEFAULT_READ_RETRY).toEqual({ attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 });
    expect(informerRetryOptions(DEFAULT_READ_RETRY)).toEqual({ backoffMs: 250, backoffMaxMs: 5_000, watchFailuresReported: 4 });
  });
});
