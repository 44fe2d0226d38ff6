import { ClusterError, type JobRef } from "@clipjob/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeKubeApiForFile, fullSpec, minimalSpec, status } from "@clipjob/kube-test-kit";
import { KubeClusterAdapter } from "./kube-cluster-adapter.js";
import { job, NS, pod } from "./testing/kube-objects.js";

const fastRetry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

const api = await fakeKubeApiForFile();
let cluster: KubeClusterAdapter;

afterEach(() => {
  // The guard's read keeps the namespace's informer 30 s for the run that follows; stop it with the test.
  cluster.close();
});
beforeEach(() => {
  cluster = new KubeClusterAdapter(api.kubeConfig(), { readRetry: fastRetry, watchTimeoutSeconds: 30 });
});

const calls = () => api.requests.map((r) => `${r.method} ${r.path.replace(/^\/apis?\/(batch\/)?v1\/namespaces\/agents\//, "")}`);

describe("submit", () => {
  it("creates the Job suspended, then its owned payload Secret, then resumes it", async () => {
    const snapshot = await cluster.submit(fullSpec);
    expect(calls()).toEqual(["POST jobs", "POST secrets", "PATCH jobs/claude-run-d4e5f6"]);
    const [createJob, createSecret, resume] = api.requests;
    expect((createJob!.body as any).spec.suspend).toBe(true);
    const uid = api.jobs.get(`${NS}/claude-run-d4e5f6`)!["metadata"].uid;
    expect((createSecret!.body as any).metadata.ownerReferences).toEqual([
      { apiVersion: "batch/v1", kind: "Job", name: "claude-run-d4e5f6", uid, controller: true },
    ]);
    expect(resume!.contentType).toBe("application/merge-patch+json");
    expect(resume!.body).toEqual({ spec: { suspend: false } });
    expect(snapshot).toMatchObject({ ref: { namespace: NS, name: "claude-run-d4e5f6", uid }, suspended: false, labels: fullSpec.labels });
  });

  it("deletes the Job when the payload Secret cannot be created, naming the missing permission", async () => {
    api.allow = (a) => !(a.resource === "secrets" && a.verb === "create");
    const err = await cluster.submit(minimalSpec).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect(err).toMatchObject({ code: "forbidden", operation: "create payload secret", permission: { verb: "create", group: "", resource: "secrets", namespace: NS } });
    expect(api.jobs.size).toBe(0);
    const del = api.requests.find((r) => r.method === "DELETE" && r.path.includes("/jobs/"));
    expect(del?.query.get("propagationPolicy")).toBe("Background");
    expect((del?.body as any)?.preconditions?.uid).toMatch(/^uid-/);
    // A real API server reads only the body once one is sent: without the policy there, batch/v1 orphans the pods.
    expect((del?.body as any)?.propagationPolicy).toBe("Background");
  });

  it("deletes the Job and the Secret when the resume fails", async () => {
    api.failNext("PATCH", /\/jobs\/claude-run-a1b2c3$/, { status: 500 });
    await expect(cluster.submit(minimalSpec)).rejects.toMatchObject({ code: "server_error", operation: "resume job" });
    expect(api.jobs.size).toBe(0);
    expect(api.secrets.size).toBe(0);
    expect(calls()).toContain("DELETE secrets/claude-run-a1b2c3-payload");
  });

  it("reports a taken name as already_exists and leaves the existing Job alone", async () => {
    api.putJob(job("claude-run-a1b2c3"));
    await expect(cluster.submit(minimalSpec)).rejects.toMatchObject({ code: "already_exists", operation: "create job", httpStatus: 409 });
    expect(api.jobs.has(`${NS}/claude-run-a1b2c3`)).toBe(true);
    expect(calls()).toEqual(["POST jobs"]);
  });

  it("never retries a write, and cleans up a create whose outcome the reset hid", async () => {
    api.failNext("POST", /\/jobs$/, { reset: true });
    await expect(cluster.submit(minimalSpec)).rejects.toMatchObject({ code: "unavailable", operation: "create job" });
    expect(calls()).toEqual(["POST jobs", "DELETE jobs/claude-run-a1b2c3"]);
  });

  it("cleans up when the caller aborts mid-submit, even though its signal is aborted", async () => {
    const controller = new AbortController();
    api.onRequest = (r) => {
      if (r.method === "POST" && r.path.endsWith("/secrets")) controller.abort();
    };
    await expect(cluster.submit(minimalSpec, controller.signal)).rejects.toBeInstanceOf(ClusterError);
    // The server created the Secret before the abort (onRequest runs just before it is answered); the explicit
    // deletes were answered before submit rejected, so nothing is left to wait for.
    expect(api.jobs.size).toBe(0);
    expect(calls()).toContain("DELETE jobs/claude-run-a1b2c3");
  });

  it("refuses a payload over the Secret limit before creating anything", async () => {
    const huge = { ...minimalSpec, payload: { prompt: "x".repeat(1024 * 1024 + 1) } };
    await expect(cluster.submit(huge)).rejects.toMatchObject({ code: "too_large", operation: "create payload secret" });
    expect(api.requests).toEqual([]);
  });

  it("does nothing when the signal is already aborted", async () => {
    await expect(cluster.submit(minimalSpec, AbortSignal.abort())).rejects.toMatchObject({ operation: "create job" });
    expect(api.requests).toEqual([]);
  });
});

describe("reads", () => {
  it("getJob returns null for a missing Job", async () => {
    expect(await cluster.getJob({ namespace: NS, name: "nope" })).toBeNull();
  });

  it("getJob retries through 503 and 429 (honouring Retry-After) and returns the Job", async () => {
    api.putJob(job("j1"));
    api.failNext("GET", /\/jobs\/j1$/, { status: 503, headers: { "retry-after": "0" } });
    api.failNext("GET", /\/jobs\/j1$/, { status: 429, body: status(429, "TooManyRequests", "slow down"), headers: { "retry-after": "0" } });
    const got = await cluster.getJob({ namespace: NS, name: "j1" });
    expect(got?.ref.name).toBe("j1");
    expect(calls()).toEqual(["GET jobs/j1", "GET jobs/j1", "GET jobs/j1"]);
  });

  it("getJob gives up after the bounded attempts with the classified error", async () => {
    api.putJob(job("j1"));
    api.failNext("GET", /\/jobs\/j1$/, { reset: true }, 4);
    await expect(cluster.getJob({ namespace: NS, name: "j1" })).rejects.toMatchObject({ code: "unavailable", operation: "get job" });
    expect(api.requests).toHaveLength(4);
  });

  it("listJobs filters by label selector", async () => {
    api.putJob(job("a", { "paperclip.io/agent-id": "x", "paperclip.io/adapter-type": "claude_k8s" }));
    api.putJob(job("b", { "paperclip.io/agent-id": "y", "paperclip.io/adapter-type": "claude_k8s" }));
    const jobs = await cluster.listJobs(NS, { "paperclip.io/agent-id": "x", "paperclip.io/adapter-type": "claude_k8s" });
    expect(jobs.map((j) => j.ref.name)).toEqual(["a"]);
    // The list is the namespace's shared Job informer's (selected here, from its cache): no selector on the wire.
    expect(api.requests[0]!.path).toBe(`/apis/batch/v1/namespaces/${NS}/jobs`);
    expect(api.requests[0]!.query.get("labelSelector")).toBeNull();
  });

  it("listPods selects the Job's pods by the job-name label", async () => {
    api.putPod(pod("p1", "j1"));
    api.putPod(pod("p2", "j2"));
    const pods = await cluster.listPods({ namespace: NS, name: "j1" });
    expect(pods.map((p) => [p.ref.name, p.jobName])).toEqual([["p1", "j1"]]);
  });

  it("a 403 on a read names the permission", async () => {
    api.allow = (a) => a.verb !== "list";
    await expect(cluster.listPods({ namespace: NS, name: "j1" })).rejects.toMatchObject({ code: "forbidden", permission: { verb: "list", resource: "pods", namespace: NS } });
  });
});

describe("relabel and delete", () => {
  it("relabel merge-patches labels: adds, replaces, and removes with null, whether or not the label exists", async () => {
    const created = api.putJob(job("j1", { keep: "1", "paperclip.io/run-id": "old", drop: "x" }));
    const ref = { namespace: NS, name: "j1", uid: created["metadata"].uid };
    const snap = await cluster.relabel(ref, { "paperclip.io/run-id": "new", drop: null, "never-there": null, added: "y" });
    expect(snap.labels).toEqual({ keep: "1", "paperclip.io/run-id": "new", added: "y" });
    const patch = api.requests.find((r) => r.method === "PATCH")!;
    expect(patch.contentType).toBe("application/merge-patch+json");
    expect((patch.body as any).metadata.resourceVersion).toBe(created["metadata"].resourceVersion);
  });

  it("relabel of another incarnation (same name, other uid) is a conflict and changes nothing", async () => {
    api.putJob(job("j1", { run: "a" }));
    await expect(cluster.relabel({ namespace: NS, name: "j1", uid: "uid-older" }, { run: "b" })).rejects.toMatchObject({ code: "conflict" });
    expect(api.jobs.get(`${NS}/j1`)!["metadata"].labels).toEqual({ run: "a" });
    expect(api.requests.some((r) => r.method === "PATCH")).toBe(false);
  });

  it("relabel re-reads and retries when the Job changed between read and patch", async () => {
    const created = api.putJob(job("j1", { run: "a" }));
    let first = true;
    api.onRequest = (r) => {
      if (r.method === "PATCH" && first) {
        first = false;
        api.updateJob(NS, "j1", (j) => (j["status"] = { active: 1 }));
      }
    };
    const snap = await cluster.relabel({ namespace: NS, name: "j1", uid: created["metadata"].uid }, { run: "b" });
    expect(snap.labels).toEqual({ run: "b" });
    expect(snap.active).toBe(1);
    expect(api.requests.map((r) => r.method)).toEqual(["GET", "PATCH", "GET", "PATCH"]);
  });

  it("relabel of a vanished Job is not_found", async () => {
    await expect(cluster.relabel({ namespace: NS, name: "gone", uid: "u" }, { a: "b" })).rejects.toMatchObject({ code: "not_found", operation: "relabel job" });
  });

  it("deleteJob is true once, false when already gone, and the payload follows by GC", async () => {
    const snap = await cluster.submit(minimalSpec);
    expect(await cluster.deleteJob(snap.ref, "Background")).toBe(true);
    expect(api.secrets.size).toBe(0);
    expect(await cluster.deleteJob(snap.ref, "Background")).toBe(false);
  });

  it("deleteJob with the uid of an older incarnation is a conflict and deletes nothing", async () => {
    api.putJob(job("j1"));
    const older: JobRef = { namespace: NS, name: "j1", uid: "uid-of-an-older-job" };
    await expect(cluster.deleteJob(older, "Foreground")).rejects.toMatchObject({ code: "conflict", operation: "delete job" });
    expect(api.jobs.has(`${NS}/j1`)).toBe(true);
    expect(api.requests[0]!.query.get("propagationPolicy")).toBe("Foreground");
  });
});
