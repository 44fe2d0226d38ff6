import { DEFAULT_READ_RETRY } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { jobsLeft, liveJobs, payloads, request, scenario } from "./harness.js";

describe("submit never leaves anything behind", () => {
  for (const [operation, count, code] of [
    ["create job", 1, "k8s_job_create_failed"],
    // The payload Secret is the agent claim, created before anything else: a refused create changed nothing and
    // is tried again a few times (a create the server did perform is found naming this process and replaced).
    ["create secret", undefined, "k8s_concurrency_guard_unreachable"],
  ] as const) {
    it(`submit failing at "${operation}" leaves no Job and no payload`, async () => {
      const s = scenario();
      s.fake.faults.failRequests({ operation, error: "500", ...(count === undefined ? {} : { count }) });
      const { outcome } = await s.run(request());
      expect(outcome.errorCode).toBe(code);
      await s.fake.clock.sleep(60_000);
      expect(liveJobs(s.fake)).toEqual([]);
      await s.fake.clock.sleep(30_000);
    expect(payloads(s.fake)).toEqual([]);
      s.dispose();
    });
  }

  it("a claim create refused once (500) is tried again: the run succeeds and leaves nothing", async () => {
    const s = scenario();
    s.fake.faults.failRequests({ operation: "create secret", error: "500", count: 1 });
    const { outcome } = await s.run(request());
    expect(outcome.status).toBe("succeeded");
    expect(s.fake.requests()["create secret"]).toBe(2);
    expect(await jobsLeft(s.fake)).toEqual([]);
    expect(payloads(s.fake)).toEqual([]);
    s.dispose();
  });

  it("a claim create the server performed but whose answer was lost is found naming this process and replaced: the run succeeds", async () => {
    const s = scenario();
    s.fake.faults.failRequests({ operation: "create secret", error: "500", count: 1, afterCommit: true });
    const { outcome } = await s.run(request());
    expect(outcome.status).toBe("succeeded");
    expect(s.fake.requests()["delete secret"]).toBe(2);
    expect(payloads(s.fake)).toEqual([]);
    s.dispose();
  });

  it("a missing RBAC permission names the permission", async () => {
    const s = scenario();
    s.fake.denyPermission({ verb: "create", group: "batch", resource: "jobs" });
    const { outcome } = await s.run(request());
    expect(outcome.errorCode).toBe("k8s_permission_denied");
    expect(outcome.errorMessage).toMatch(/create jobs/);
    s.dispose();
  });

  for (const [error, code, says] of [
    ["401", "k8s_credentials_rejected", /rejected the credentials \(HTTP 401/],
    ["certificate", "k8s_certificate_untrusted", /certificate is not trusted \(.*self-signed certificate in certificate chain\)/],
  ] as const) {
    it(`${code}: the guard's first read says so at once, never "guard unreachable", and nothing is retried (issue 14, fault 5)`, async () => {
      const s = scenario();
      const fault = s.fake.faults.failRequests({ operation: /./, error });
      const startedAt = s.fake.clock.now();
      const { outcome } = await s.run(request());
      expect(outcome.errorCode).toBe(code);
      expect(outcome.errorMessage).toMatch(says);
      // Host introspection and the guard's list each tried once; nothing after them, nothing twice.
      expect(fault.hits).toBeLessThanOrEqual(2);
      expect(Object.values(s.fake.requests()).every((n) => n === 1)).toBe(true);
      expect(s.fake.clock.now() - startedAt).toBeLessThan(1_000);
      s.dispose();
    });
  }

  it("a prompt above the payload limit is refused before anything is created", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ taskMarkdown: "x".repeat(2 * 1024 * 1024) }));
    expect(outcome.errorCode).toBe("k8s_payload_too_large");
    expect(s.fake.requests()["create job"] ?? 0).toBe(0);
    s.dispose();
  });

  it("bad config is config_invalid naming the field, and nothing is created", async () => {
    const s = scenario();
    const { outcome } = await s.run(request({ configOverrides: { timeoutSec: "soon", tolerations: "{not json" } }));
    expect(outcome.errorCode).toBe("config_invalid");
    expect(outcome.errorMessage).toContain("timeoutSec");
    expect(outcome.errorMessage).toContain("tolerations");
    expect(s.fake.requests()["create job"] ?? 0).toBe(0);
    s.dispose();
  });

  it("an agent id with no label characters is k8s_agent_id_invalid", async () => {
    const s = scenario();
    const { outcome } = await s.run({ ...request(), agent: { id: "////", companyId: "c", name: "x" } });
    expect(outcome.errorCode).toBe("k8s_agent_id_invalid");
    s.dispose();
  });

  it("the guard fails closed when the Job list is unavailable", async () => {
    const s = scenario();
    s.fake.faults.failRequests({ operation: "list jobs", error: "503", count: 10 });
    const { outcome } = await s.run(request());
    expect(outcome.errorCode).toBe("k8s_concurrency_guard_unreachable");
    expect(s.fake.requests()["create job"] ?? 0).toBe(0);
    s.dispose();
  });

  it(`a Job list failing ${DEFAULT_READ_RETRY.attempts - 1} times is retried as the Kubernetes adapters retry reads: the guard passes and the run succeeds; one more failure makes it k8s_concurrency_guard_unreachable`, async () => {
    // The fake's ports used to let every injected fault through while k8s-infra retried 4×, so a blip a
    // production run never notices ended runs on the fake (the chaos matrix's guard_unreachable runs).
    const absorbed = scenario();
    absorbed.fake.faults.failRequests({ operation: "list jobs", error: "reset", count: DEFAULT_READ_RETRY.attempts - 1 });
    const ok = await absorbed.run(request());
    expect(ok.outcome).toMatchObject({ status: "succeeded", errorCode: null });
    expect(absorbed.fake.requests()["list jobs"]).toBe(DEFAULT_READ_RETRY.attempts);
    absorbed.dispose();

    const outlasting = scenario();
    outlasting.fake.faults.failRequests({ operation: "list jobs", error: "reset", count: DEFAULT_READ_RETRY.attempts });
    const blocked = await outlasting.run(request());
    expect(blocked.outcome.errorCode).toBe("k8s_concurrency_guard_unreachable");
    expect(outlasting.fake.requests()["create job"] ?? 0).toBe(0);
    outlasting.dispose();
  });

  for (const [verb, resource, subresource] of [
    ["get", "pods", "log"],
    ["list", "pods", undefined],
    ["watch", "jobs", undefined],
  ] as const) {
    it(`a forbidden ${verb} ${resource}${subresource ? `/${subresource}` : ""} mid-run is k8s_permission_denied naming it, not "Claude said nothing"`, async () => {
      const s = scenario();
      s.fake.denyPermission({ verb, group: resource === "jobs" ? "batch" : "", resource, ...(subresource ? { subresource } : {}) });
      const { outcome } = await s.run(request());
      expect(outcome.errorCode).toBe("k8s_permission_denied");
      expect(outcome.errorMessage).toContain(`${verb} ${resource}`);
      s.dispose();
    });
  }
});
