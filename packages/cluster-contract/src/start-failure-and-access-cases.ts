// Contract cases for what ends a run before Claude starts (scheduling, image pull, missing Secret, init
// container, OOM) and for the access review, as part of describeClusterContract.
import { describe, expect, it } from "vitest";
import { REQUIRED_PERMISSIONS, type JobSnapshot, type PodSnapshot } from "@clipjob/core";
import type { ContractCapabilities, ContractHarness } from "./contract-harness.js";
import { conditionTrue, eventually, jobWhere, onlyPod, podWhere, uniqueName } from "./contract-helpers.js";

const agentState = (p: PodSnapshot) => p.containers.find((c) => c.name === "claude")?.state;
const waitingReason = (p: PodSnapshot) => {
  const s = agentState(p);
  return s?.kind === "waiting" ? s.reason : undefined;
};

export function describeStartFailureAndAccessCases(
  harness: () => ContractHarness,
  submit: (prefix: string, behaviour?: object, overrides?: object) => Promise<JobSnapshot>,
  capabilities: ContractCapabilities,
): void {
  describe("scheduling and kubelet failures", () => {
    it("unschedulable: the pod stays Pending with PodScheduled False, reason Unschedulable and a message", async () => {
      const h = harness();
      const job = await submit("unsched", { unschedulable: true });
      const pod = await podWhere(h, job.ref, "Unschedulable", (p) => p.conditions.some((c) => c.type === "PodScheduled" && c.reason === "Unschedulable"));
      const c = pod.conditions.find((x) => x.type === "PodScheduled")!;
      expect(c.status).toBe("False");
      expect(c.message).toMatch(/nodes are available/);
      expect(pod.phase).toBe("Pending");
    });

    it("image pull failure: ErrImagePull, then ImagePullBackOff", async () => {
      const h = harness();
      const job = await submit("pull", { imagePullFails: true });
      const seen = new Set<string>();
      await eventually(h, "ErrImagePull then ImagePullBackOff", async () => {
        for (const p of await h.cluster.listPods(job.ref)) {
          const r = waitingReason(p);
          if (r) seen.add(r);
        }
        return seen.has("ErrImagePull") && seen.has("ImagePullBackOff");
      }, 120_000);
      const pod = await onlyPod(h, job.ref);
      expect(pod.phase).toBe("Pending");
    });

    it("a missing Secret referenced by env: CreateContainerConfigError naming the Secret", async () => {
      const h = harness();
      const job = await submit("nosecret", { missingSecret: true });
      const pod = await podWhere(h, job.ref, "CreateContainerConfigError", (p) => waitingReason(p) === "CreateContainerConfigError");
      const s = agentState(pod);
      expect(s?.kind === "waiting" ? s.message : "").toMatch(/secret ".+" not found/);
    });

    it.runIf(capabilities.initContainers)("a failing init container fails the pod with its exit code [needs initContainers: AgentJobSpec has no init containers, so only a driver that adds one can run it]", async () => {
      const h = harness();
      const job = await submit("init", { initFails: { exitCode: 2 } });
      const pod = await podWhere(h, job.ref, "pod Failed", (p) => p.phase === "Failed");
      expect(pod.initContainers[0]?.state).toMatchObject({ kind: "terminated", exitCode: 2 });
      expect(agentState(pod)?.kind).not.toBe("running");
    });

    it("exceeding the memory limit: terminated 137 OOMKilled, Job Failed", async () => {
      const h = harness();
      const job = await submit("oom", { oom: true, runMs: 3_000 });
      const pod = await podWhere(h, job.ref, "OOMKilled", (p) => agentState(p)?.kind === "terminated");
      expect(agentState(pod)).toMatchObject({ kind: "terminated", exitCode: 137, reason: "OOMKilled" });
      await jobWhere(h, job.ref, "Failed", (j) => conditionTrue(j, "Failed"));
    });
  });

  describe("access review", () => {
    it("the harness identity holds every permission a run needs", async () => {
      const h = harness();
      const verdicts = await h.access.review(REQUIRED_PERMISSIONS.map((p) => ({ ...p, namespace: h.namespace })));
      expect(verdicts.filter((v) => v.allowed !== true)).toEqual([]);
    });

    it("namespaceExists is true (or unknown) for the harness namespace and not true for a missing one", async () => {
      const h = harness();
      expect([true, "unknown"]).toContain(await h.access.namespaceExists(h.namespace));
      expect(await h.access.namespaceExists(uniqueName("no-such-ns"))).not.toBe(true);
    });

    it("secretExists tells an existing Secret from a missing one", async () => {
      const h = harness();
      const name = uniqueName("sec");
      await h.driver.createSecret(name, { token: "t" });
      expect(await h.access.secretExists(h.namespace, name)).toBe(true);
      expect(await h.access.secretExists(h.namespace, uniqueName("nosec"))).toBe(false);
    });

    it("claimAccessModes returns the claim's modes, or null when it does not exist", async () => {
      const h = harness();
      const name = uniqueName("pvc");
      await h.driver.createClaim(name, ["ReadWriteMany"]);
      expect(await h.access.claimAccessModes(h.namespace, name)).toEqual(["ReadWriteMany"]);
      expect(await h.access.claimAccessModes(h.namespace, uniqueName("nopvc"))).toBeNull();
    });
  });
}
