import { REQUIRED_PERMISSIONS } from "@clipjob/core";
import { afterAll, describe, expect, it } from "vitest";
import { AdapterRoot } from "../composition/adapter-root.js";
import { createServerAdapter } from "../server-adapter.js";
import { HostSignalLatch } from "../execute/host-signals.js";
import { ownershipCheck, rbacCode } from "./test-environment.js";
// Loaded while the file is collected, not by the first test that opens a Kubernetes scope (the adapter imports it
// lazily): @kubernetes/client-node takes ~0.5 s of CPU to load, 10-20 s with every core of a 2-core machine
// busy, which is load, not the behaviour a test timeout is there to bound.
import "@clipjob/k8s-infra";

const root = new AdapterRoot({ env: {} });
afterAll(() => root.dispose());
const adapter = createServerAdapter({ root, signals: new HostSignalLatch(), env: {} });
const test = (config: Record<string, unknown>) => adapter.testEnvironment({ companyId: "co", adapterType: "claude_k8s", config });

async function fake() {
  const scope = await root.openScope({ cluster: "simulated", kubeconfig: null, kubeContext: null });
  if (!scope.ok) throw new Error(scope.error.message);
  return scope.value.simulation!.fake;
}

describe("testEnvironment", () => {
  it("passes every check on the simulated cluster and says it is the simulated cluster", async () => {
    const result = await test({ cluster: "simulated", simulatedScenario: "success" });
    expect(result.status).toBe("pass");
    const codes = result.checks.map((c) => c.code);
    expect(codes).toEqual(
      expect.arrayContaining(["clipjob_simulated_cluster", "k8s_api_reachable", "k8s_namespace_exists", "k8s_secret_exists", "k8s_pvc_rwx", ...REQUIRED_PERMISSIONS.map(rbacCode)]),
    );
    expect(result.checks.every((c) => c.level === "info")).toBe(true);
  });

  it("a /paperclip the agent uid cannot write (root 0755: hostPath or NFS without fsGroup) is an error naming the fix", () => {
    const base = { imagePullSecrets: [], secretVolumes: [], env: {}, envFrom: [], paperclipClaimName: "paperclip-data" };
    expect(ownershipCheck({ ...base, paperclipOwnership: { uid: 0, gid: 0, mode: 0o755 } })).toMatchObject({
      code: "k8s_pvc_not_writable",
      level: "error",
      message: expect.stringContaining("not writable by the agent uid 1000 (uid 0, gid 0, mode 0755)"),
      hint: expect.stringContaining("chown 1000:1000"),
    });
    expect(ownershipCheck({ ...base, paperclipOwnership: { uid: 1000, gid: 1000, mode: 0o755 } })).toMatchObject({ code: "k8s_pvc_writable", level: "info" });
    expect(ownershipCheck(base)).toBeNull();
  });

  it("checks every permission a run needs, including the ones the predecessor missed", () => {
    const codes = REQUIRED_PERMISSIONS.map(rbacCode);
    expect(codes).toEqual(expect.arrayContaining(["k8s_rbac_job_patch", "k8s_rbac_job_watch", "k8s_rbac_pod_watch", "k8s_rbac_pod_log", "k8s_rbac_pvc_get"]));
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("fails a denied permission with a hint, and warns about a missing Secret", async () => {
    const cluster = await fake();
    const denied = { verb: "patch", group: "batch", resource: "jobs" };
    cluster.denyPermission(denied);
    try {
      const result = await test({ cluster: "simulated", secretRef: "no-such-secret" });
      expect(result.status).toBe("fail");
      expect(result.checks.find((c) => c.code === "k8s_rbac_job_patch")).toMatchObject({ level: "error", hint: expect.stringContaining("patch jobs.batch") });
      expect(result.checks.find((c) => c.code === "k8s_secret_missing")).toMatchObject({ level: "warn" });
    } finally {
      cluster.allowPermission(denied);
    }
  });

  it("warns, rather than fails, outside a cluster with no kubeconfig, and names the simulated mode (issue #15: the wizard could not finish)", async () => {
    const outside = new AdapterRoot({ env: {} });
    try {
      const result = await createServerAdapter({ root: outside, signals: new HostSignalLatch(), env: {} }).testEnvironment({ companyId: "co", adapterType: "claude_k8s", config: {} });
      expect(result.status).toBe("warn");
      expect(result.checks).toEqual([expect.objectContaining({ code: "k8s_not_in_cluster", level: "warn", hint: expect.stringContaining('cluster: "simulated"') })]);
    } finally {
      await outside.dispose();
    }
  });

  it.each([
    { name: "an invalid config", config: { cluster: "simulated", timeoutSec: "soon" }, code: "config_invalid" },
    { name: "an unknown scenario (config_invalid naming the valid ones)", config: { cluster: "simulated", simulatedScenario: "rate_limited" }, code: "config_invalid" },
    { name: "an unreadable kubeconfig", config: { kubeconfig: "/nonexistent/kubeconfig" }, code: "k8s_api_unreachable" },
  ])("fails $name", async ({ config, code }) => {
    const result = await test(config);
    expect(result.status).toBe("fail");
    expect(result.checks.find((c) => c.level === "error")?.code).toBe(code);
  });
});
