import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { payloadSecretName, type JobWatchEvent, type PodSnapshot, type PodWatchEvent } from "@clipjob/core";
import type { ContractCapabilities, ContractHarness, HarnessFactory } from "./contract-harness.js";
import { collectUntil, conditionTrue, eventually, expectClusterError, isFinished, jobWhere, onlyPod, podWhere, uniqueName } from "./contract-helpers.js";
import { describeSharedWatchCases } from "./shared-watch-cases.js";
import { describeStartFailureAndAccessCases } from "./start-failure-and-access-cases.js";

const agentState = (p: PodSnapshot) => p.containers.find((c) => c.name === "claude")?.state;

/**
 * ClusterPort and AccessPort behaviour every cluster must show: the fake on every `pnpm test`, a real control
 * plane whenever one is configured. Cases use only the ports and the driver.
 */
export function describeClusterContract(name: string, factory: HarnessFactory, capabilities: ContractCapabilities): void {
  describe(`ClusterPort contract: ${name}`, () => {
    let h: ContractHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    const submit = async (prefix: string, behaviour = {}, overrides = {}) => {
      const spec = await h.driver.specFor(uniqueName(prefix), behaviour, overrides);
      return h.cluster.submit(spec);
    };

    describe("create, get, list", () => {
      it("submit creates a running Job with the spec's name, labels, annotations, uid and resourceVersion", async () => {
        const spec = await h.driver.specFor(uniqueName("create"), {}, { annotations: { "clipjob.dev/run": "r1" } });
        const job = await h.cluster.submit(spec);
        expect(job.ref).toMatchObject({ namespace: h.namespace, name: spec.ref.name });
        expect(job.ref.uid).not.toBe("");
        expect(job.resourceVersion).not.toBe("");
        expect(job.suspended).toBe(false);
        expect(job.labels).toMatchObject(spec.labels);
        expect(job.annotations["clipjob.dev/run"]).toBe("r1");
      });

      it("submit creates the payload Secret next to the Job", async () => {
        const job = await submit("payload");
        expect(await h.access.secretExists(h.namespace, payloadSecretName(job.ref.name))).toBe(true);
      });

      it("submit of a name that exists fails with already_exists and leaves the existing Job untouched", async () => {
        const spec = await h.driver.specFor(uniqueName("dup"), { runMs: 30_000 });
        const first = await h.cluster.submit(spec);
        await expectClusterError(h.cluster.submit(spec), "already_exists");
        const again = await h.cluster.getJob(spec.ref);
        expect(again?.ref.uid).toBe(first.ref.uid);
        expect(await h.access.secretExists(h.namespace, payloadSecretName(spec.ref.name))).toBe(true);
      });

      it("getJob returns null for a Job that does not exist", async () => {
        expect(await h.cluster.getJob({ namespace: h.namespace, name: uniqueName("missing") })).toBeNull();
      });

      it("getJob returns the submitted Job by uid, and its resourceVersion changes when it changes", async () => {
        const job = await submit("get");
        const read = await h.cluster.getJob(job.ref);
        expect(read?.ref.uid).toBe(job.ref.uid);
        const relabelled = await h.cluster.relabel(job.ref, { "clipjob.dev/mark": "x" });
        expect(relabelled.resourceVersion).not.toBe(read?.resourceVersion);
      });

      it("listJobs selects by every label of the selector", async () => {
        const tag = uniqueName("t");
        const a = await submit("list-a", {}, { labels: { "clipjob.dev/test": tag, "clipjob.dev/agent": "a" } });
        const b = await submit("list-b", {}, { labels: { "clipjob.dev/test": tag, "clipjob.dev/agent": "b" } });
        const both = await h.cluster.listJobs(h.namespace, { "clipjob.dev/test": tag });
        expect(both.map((j) => j.ref.name).sort()).toEqual([a.ref.name, b.ref.name].sort());
        const onlyB = await h.cluster.listJobs(h.namespace, { "clipjob.dev/test": tag, "clipjob.dev/agent": "b" });
        expect(onlyB.map((j) => j.ref.name)).toEqual([b.ref.name]);
      });

      it("listJobs with a selector nothing matches returns an empty list", async () => {
        await submit("list-none");
        expect(await h.cluster.listJobs(h.namespace, { "clipjob.dev/test": uniqueName("nothing") })).toEqual([]);
      });
    });

    describe("relabel", () => {
      it("adds and removes labels; removing a label that is not there is fine", async () => {
        const job = await submit("relabel", {}, { labels: { "clipjob.dev/agent": "a", "clipjob.dev/run": "r1" } });
        const after = await h.cluster.relabel(job.ref, { "clipjob.dev/run": "r2", "clipjob.dev/agent": null, "clipjob.dev/absent": null });
        expect(after.labels["clipjob.dev/run"]).toBe("r2");
        expect(after.labels["clipjob.dev/agent"]).toBeUndefined();
        expect(after.labels["clipjob.dev/absent"]).toBeUndefined();
      });

      it("moves the Job between label selections", async () => {
        const tag = uniqueName("t");
        const job = await submit("move", {}, { labels: { "clipjob.dev/test": tag, "clipjob.dev/run": "old" } });
        await h.cluster.relabel(job.ref, { "clipjob.dev/run": "new" });
        expect(await h.cluster.listJobs(h.namespace, { "clipjob.dev/test": tag, "clipjob.dev/run": "old" })).toEqual([]);
        expect((await h.cluster.listJobs(h.namespace, { "clipjob.dev/test": tag, "clipjob.dev/run": "new" })).map((j) => j.ref.uid)).toEqual([job.ref.uid]);
      });

      it("fails with not_found for a Job that does not exist", async () => {
        await expectClusterError(h.cluster.relabel({ namespace: h.namespace, name: uniqueName("gone"), uid: "00000000-0000-4000-8000-000000000000" }, { a: "b" }), "not_found");
      });

      it("fails with conflict when the uid names an older incarnation", async () => {
        const job = await submit("stale-uid");
        await expectClusterError(h.cluster.relabel({ ...job.ref, uid: "00000000-0000-4000-8000-000000000000" }, { a: "b" }), "conflict");
      });
    });

    describe("delete and garbage collection", () => {
      it("deleteJob resolves false for a Job that does not exist", async () => {
        expect(await h.cluster.deleteJob({ namespace: h.namespace, name: uniqueName("nope") }, "Background")).toBe(false);
      });

      it("Background: the Job is gone at once, then its pods and payload Secret are collected", async () => {
        const job = await submit("bg", { runMs: 60_000 });
        await podWhere(h, job.ref, "a running pod", (p) => p.phase === "Running");
        expect(await h.cluster.deleteJob(job.ref, "Background")).toBe(true);
        expect(await h.cluster.getJob(job.ref)).toBeNull();
        await eventually(h, "pods collected", async () => (await h.cluster.listPods(job.ref)).length === 0);
        await eventually(h, "payload collected", async () => (await h.access.secretExists(h.namespace, payloadSecretName(job.ref.name))) === false);
      });

      it("Foreground: the Job stays with a deletionTimestamp until its pods are gone, then disappears", async () => {
        const job = await submit("fg", { runMs: 60_000 });
        await podWhere(h, job.ref, "a running pod", (p) => p.phase === "Running");
        await h.cluster.deleteJob(job.ref, "Foreground");
        const deleting = await h.cluster.getJob(job.ref);
        expect(deleting?.deletionTimestamp).toBeDefined();
        await eventually(h, "Job gone", async () => (await h.cluster.getJob(job.ref)) === null);
        expect(await h.cluster.listPods(job.ref)).toEqual([]);
        await eventually(h, "payload collected", async () => (await h.access.secretExists(h.namespace, payloadSecretName(job.ref.name))) === false);
      });

      it("deleteJob with the uid of another incarnation fails with conflict and deletes nothing", async () => {
        const job = await submit("del-uid");
        await expectClusterError(h.cluster.deleteJob({ ...job.ref, uid: "00000000-0000-4000-8000-000000000000" } as typeof job.ref, "Background"), "conflict");
        expect((await h.cluster.getJob(job.ref))?.ref.uid).toBe(job.ref.uid);
      });

      it("a name can be submitted again once the old Job is gone, with a new uid", async () => {
        const spec = await h.driver.specFor(uniqueName("reuse"), {});
        const first = await h.cluster.submit(spec);
        await h.cluster.deleteJob(first.ref, "Foreground");
        await eventually(h, "old Job gone", async () => (await h.cluster.getJob(spec.ref)) === null);
        await eventually(h, "old payload gone", async () => (await h.access.secretExists(h.namespace, payloadSecretName(spec.ref.name))) === false);
        const second = await h.cluster.submit(spec);
        expect(second.ref.uid).not.toBe(first.ref.uid);
      });
    });

    describe("Job controller", () => {
      it("runs exactly one pod, labelled with the Job name, from Pending to Succeeded with exit 0 (Completed)", async () => {
        const job = await submit("ok", { lines: ["hello"] });
        const pod = await podWhere(h, job.ref, "a succeeded pod", (p) => p.phase === "Succeeded");
        expect(pod.jobName).toBe(job.ref.name);
        expect(agentState(pod)).toMatchObject({ kind: "terminated", exitCode: 0, reason: "Completed" });
        expect(await h.cluster.listPods(job.ref)).toHaveLength(1);
      });

      it("success: SuccessCriteriaMet then Complete, both CompletionsReached; succeeded 1 and a completionTime", async () => {
        const job = await submit("complete");
        const done = await jobWhere(h, job.ref, "Complete", (j) => conditionTrue(j, "Complete"));
        const types = done.conditions.map((c) => c.type);
        expect(types.indexOf("SuccessCriteriaMet")).toBeGreaterThanOrEqual(0);
        expect(types.indexOf("SuccessCriteriaMet")).toBeLessThan(types.indexOf("Complete"));
        expect(done.conditions.find((c) => c.type === "Complete")?.reason).toBe("CompletionsReached");
        expect(done.conditions.find((c) => c.type === "SuccessCriteriaMet")?.reason).toBe("CompletionsReached");
        expect(done).toMatchObject({ succeeded: 1, failed: 0, active: 0 });
        expect(done.startTime).toBeDefined();
        expect(done.completionTime).toBeDefined();
      });

      it("failure with backoffLimit 0: one pod, FailureTarget then Failed, both BackoffLimitExceeded", async () => {
        const job = await submit("fail", { exitCode: 3 });
        const done = await jobWhere(h, job.ref, "Failed", (j) => conditionTrue(j, "Failed"));
        const types = done.conditions.map((c) => c.type);
        expect(types.indexOf("FailureTarget")).toBeGreaterThanOrEqual(0);
        expect(types.indexOf("FailureTarget")).toBeLessThan(types.indexOf("Failed"));
        expect(done.conditions.find((c) => c.type === "Failed")?.reason).toBe("BackoffLimitExceeded");
        expect(done.failed).toBe(1);
        expect(done.completionTime).toBeUndefined();
        const pods = await h.cluster.listPods(job.ref);
        expect(pods).toHaveLength(1);
        expect(agentState(pods[0]!)).toMatchObject({ kind: "terminated", exitCode: 3, reason: "Error" });
        expect(pods[0]!.phase).toBe("Failed");
      });

      it("activeDeadlineSeconds: the running pod is stopped and the Job fails with DeadlineExceeded", async () => {
        const job = await submit("deadline", { runMs: 600_000 }, { activeDeadlineSeconds: 3 });
        const done = await jobWhere(h, job.ref, "Failed", (j) => conditionTrue(j, "Failed"), 120_000);
        expect(done.conditions.find((c) => c.type === "Failed")?.reason).toBe("DeadlineExceeded");
        expect(done.conditions.find((c) => c.type === "FailureTarget")?.reason).toBe("DeadlineExceeded");
        await eventually(h, "no running pod", async () => (await h.cluster.listPods(job.ref)).every((p) => p.phase !== "Running"));
      });

      it("ttlSecondsAfterFinished: the finished Job is deleted with its pods and payload", async () => {
        const job = await submit("ttl", {}, { ttlSecondsAfterFinished: 2 });
        await jobWhere(h, job.ref, "Complete", (j) => conditionTrue(j, "Complete"));
        await eventually(h, "Job deleted by TTL", async () => (await h.cluster.getJob(job.ref)) === null, 120_000);
        await eventually(h, "pods collected", async () => (await h.cluster.listPods(job.ref)).length === 0);
        await eventually(h, "payload collected", async () => (await h.access.secretExists(h.namespace, payloadSecretName(job.ref.name))) === false);
      });

      it("an evicted pod fails the Job (backoffLimit 0: no replacement pod)", async () => {
        const job = await submit("evict", { runMs: 600_000 });
        const pod = await podWhere(h, job.ref, "a running pod", (p) => p.phase === "Running");
        await h.driver.deletePodLikeEviction(pod.ref);
        const done = await jobWhere(h, job.ref, "Failed", (j) => conditionTrue(j, "Failed"), 120_000);
        expect(done.failed).toBe(1);
        expect((await h.cluster.listPods(job.ref)).filter((p) => p.ref.uid !== pod.ref.uid)).toEqual([]);
      });
    });

    describe("watch", () => {
      it("watchJob starts with the current Job", async () => {
        const job = await submit("w-first");
        const ac = new AbortController();
        const [first] = await collectUntil(h.cluster.watchJob(job.ref, ac.signal), () => true);
        ac.abort();
        expect(first).toMatchObject({ type: "added", job: { ref: { uid: job.ref.uid } } });
      });

      it("watchJob reports a relabel as modified with a new resourceVersion", async () => {
        const job = await submit("w-mod", { runMs: 30_000 });
        const ac = new AbortController();
        const seen: JobWatchEvent[] = [];
        const done = collectUntil(h.cluster.watchJob(job.ref, ac.signal), (e) => {
          seen.push(e);
          return e.type === "modified" && e.job?.labels["clipjob.dev/seen"] === "yes";
        });
        await eventually(h, "watch started", async () => seen.length > 0);
        await h.cluster.relabel(job.ref, { "clipjob.dev/seen": "yes" });
        const events = await done;
        ac.abort();
        const last = events.at(-1)!;
        expect(last.job?.resourceVersion).not.toBe(events[0]!.job?.resourceVersion);
      });

      it("watchJob follows the conditions to Complete", async () => {
        const job = await submit("w-complete");
        const ac = new AbortController();
        const events = await collectUntil(h.cluster.watchJob(job.ref, ac.signal), (e) => e.job !== null && isFinished(e.job));
        ac.abort();
        expect(conditionTrue(events.at(-1)!.job!, "Complete")).toBe(true);
      });

      it("watchJob reports the Job's deletion as an event and ends", async () => {
        const job = await submit("w-del", { runMs: 30_000 });
        const ac = new AbortController();
        const seen: JobWatchEvent[] = [];
        const done = collectUntil(h.cluster.watchJob(job.ref, ac.signal), (e) => {
          seen.push(e);
          return false;
        });
        await eventually(h, "watch started", async () => seen.length > 0);
        await h.cluster.deleteJob(job.ref, "Background");
        const events = await done;
        ac.abort();
        expect(events.at(-1)?.type).toBe("deleted");
      });

      it("watchJob of a Job that does not exist yields one deleted event with no Job", async () => {
        const ac = new AbortController();
        const events = await collectUntil(h.cluster.watchJob({ namespace: h.namespace, name: uniqueName("w-none") }, ac.signal), () => false);
        expect(events).toEqual([{ type: "deleted", job: null }]);
      });

      it("watchJob ends when its signal aborts", async () => {
        const job = await submit("w-abort", { runMs: 60_000 });
        const ac = new AbortController();
        const seen: JobWatchEvent[] = [];
        const done = collectUntil(h.cluster.watchJob(job.ref, ac.signal), (e) => {
          seen.push(e);
          return false;
        });
        await eventually(h, "watch started", async () => seen.length > 0);
        ac.abort();
        await done;
        expect(seen[0]?.type).toBe("added");
      });

      it("watchPods sees the pod added and its phases in order up to Succeeded", async () => {
        const job = await submit("w-pods", { runMs: 2_000 });
        const ac = new AbortController();
        const events = await collectUntil(h.cluster.watchPods(job.ref, ac.signal), (e) => e.pod.phase === "Succeeded");
        ac.abort();
        const order = ["Pending", "Running", "Succeeded"];
        const phases = events.map((e) => e.pod.phase).filter((p, i, all) => i === 0 || all[i - 1] !== p);
        expect(phases.every((p, i) => i === 0 || order.indexOf(p) > order.indexOf(phases[i - 1]!))).toBe(true);
        expect(phases.at(-1)).toBe("Succeeded");
      });

      it("watchPods reports the pod deleted after a Background delete of the Job", async () => {
        const job = await submit("w-pod-del", { runMs: 60_000 });
        await podWhere(h, job.ref, "a running pod", (p) => p.phase === "Running");
        const ac = new AbortController();
        const seen: PodWatchEvent[] = [];
        const done = collectUntil(h.cluster.watchPods(job.ref, ac.signal), (e) => {
          seen.push(e);
          return e.type === "deleted";
        });
        await eventually(h, "watch started", async () => seen.length > 0);
        await h.cluster.deleteJob(job.ref, "Background");
        const events = await done;
        ac.abort();
        expect(events.at(-1)?.type).toBe("deleted");
      });

      it("two watches of one Job see the same changes", async () => {
        const job = await submit("w-two");
        const a = new AbortController();
        const b = new AbortController();
        const [x, y] = await Promise.all([
          collectUntil(h.cluster.watchJob(job.ref, a.signal), (e) => e.job !== null && isFinished(e.job)),
          collectUntil(h.cluster.watchJob(job.ref, b.signal), (e) => e.job !== null && isFinished(e.job)),
        ]);
        a.abort();
        b.abort();
        expect(x.at(-1)!.job!.resourceVersion).toBe(y.at(-1)!.job!.resourceVersion);
      });

      it.runIf(capabilities.expireWatches)("a watch resumes after expiry by relisting, and misses no change [needs driver.expireWatches: a real API server cannot be made to expire watches on demand]", async () => {
        const job = await submit("w-expire", { runMs: 60_000 });
        const ac = new AbortController();
        const seen: JobWatchEvent[] = [];
        const done = collectUntil(h.cluster.watchJob(job.ref, ac.signal), (e) => {
          seen.push(e);
          return e.job?.labels["clipjob.dev/after"] === "expiry";
        });
        await eventually(h, "watch started", async () => seen.length > 0);
        await h.driver.expireWatches!();
        await h.cluster.relabel(job.ref, { "clipjob.dev/after": "expiry" });
        const events = await done;
        ac.abort();
        expect(events.at(-1)?.type).toBe("modified");
      });
    });

    describeSharedWatchCases(() => h, submit);
    describeStartFailureAndAccessCases(() => h, submit, capabilities);
  });
}
