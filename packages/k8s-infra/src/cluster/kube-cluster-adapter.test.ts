import { ClusterError, systemClock, type Clock, type JobRef, type JobWatchEvent, type PodWatchEvent } from "@clipjob/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeKubeApi, fullSpec, minimalSpec, status } from "@clipjob/kube-test-kit";
import { KubeClusterAdapter } from "./kube-cluster-adapter.js";

const NS = "agents";
const fastRetry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

let api: FakeKubeApi;
let cluster: KubeClusterAdapter;

beforeAll(async () => {
  api = await FakeKubeApi.start();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.reset();
  cluster = new KubeClusterAdapter(api.kubeConfig(), { readRetry: fastRetry, watchTimeoutSeconds: 30 });
});

const calls = () => api.requests.map((r) => `${r.method} ${r.path.replace(/^\/apis?\/(batch\/)?v1\/namespaces\/agents\//, "")}`);

function job(name: string, labels: Record<string, string> = {}) {
  return { apiVersion: "batch/v1", kind: "Job", metadata: { name, namespace: NS, labels }, spec: { suspend: false } };
}

function pod(name: string, jobName: string, phase = "Pending") {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS, labels: { "job-name": jobName, "batch.kubernetes.io/job-name": jobName } }, spec: { containers: [{ name: "claude" }] }, status: { phase } };
}

/**
 * Runs `act` once the adapter's watch is open on the server. The first event comes from the list that precedes
 * the watch, so "after the first event" alone does not mean "while the watch is open".
 */
function whenWatching(act: () => void): void {
  void api.untilWatches((open) => open > 0).then(act);
}

/**
 * Collects events until `enough` says so, then aborts the watch. A guard aborts it after 20 s, well past what a
 * loaded machine needs and below the test timeout, so a hang fails on the events seen, not on the timeout.
 */
async function collect<E>(events: (signal: AbortSignal) => AsyncIterable<E>, enough: (seen: E[]) => boolean, during?: (seen: E[]) => void): Promise<E[]> {
  const controller = new AbortController();
  const seen: E[] = [];
  const timer = setTimeout(() => controller.abort(), 20_000);
  try {
    for await (const e of events(controller.signal)) {
      seen.push(e);
      during?.(seen);
      if (enough(seen)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return seen;
}

describe("submit", () => {
  it("creates the Job suspended, then its owned payload Secret, then resumes it", async () => {
    const snapshot = await cluster.submit(fullSpec);
    expect(calls()).toEqual(["POST jobs", "POST secrets", "PATCH jobs/claude-run-d4e5f6"]);
    const [createJob, createSecret, resume] = api.requests;
    expect((createJob!.body as any).spec.suspend).toBe(true);
    const uid = api.jobs.get(`${NS}/claude-run-d4e5f6`)!["metadata"].uid;
    expect((createSecret!.body as any).metadata.ownerReferences).toEqual([
      { apiVersion: "batch/v1", kind: "Job", name: "claude-run-d4e5f6", uid, controller: true, blockOwnerDeletion: true },
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
    expect(api.requests[0]!.query.get("labelSelector")).toBe("paperclip.io/agent-id=x,paperclip.io/adapter-type=claude_k8s");
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

describe("watch renewal", () => {
  // Each watch asks for bookmarks and a random timeout in [min, 2×min): renewals are rare and spread out.
  const table = [
    { option: undefined, random: 0, timeoutSeconds: "1800" },
    { option: undefined, random: 0.5, timeoutSeconds: "2700" },
    { option: undefined, random: 0.9999, timeoutSeconds: "3599" },
    { option: 30, random: 0.5, timeoutSeconds: "45" },
  ];
  for (const row of table) {
    it(`watchTimeoutSeconds ${row.option ?? "default"}, random ${row.random} → timeoutSeconds ${row.timeoutSeconds}, bookmarks on`, async () => {
      const adapter = new KubeClusterAdapter(api.kubeConfig(), { readRetry: fastRetry, random: () => row.random, ...(row.option !== undefined ? { watchTimeoutSeconds: row.option } : {}) });
      api.putJob(job("j1"));
      await collect<JobWatchEvent>(
        (s) => adapter.watchJob({ namespace: NS, name: "j1" }, s),
        (seen) => seen.length === 2,
        (seen) => {
          if (seen.length === 1) whenWatching(() => api.updateJob(NS, "j1", (j) => (j["status"] = { active: 1 })));
        },
      );
      const watch = api.requests.find((r) => r.query.get("watch") === "true");
      expect(watch?.query.get("timeoutSeconds")).toBe(row.timeoutSeconds);
      expect(watch?.query.get("allowWatchBookmarks")).toBe("true");
    });
  }
});

describe("watchJob", () => {
  it("lists, then streams changes from the list's resourceVersion", async () => {
    api.putJob(job("j1"));
    const events = await collect<JobWatchEvent>(
      (s) => cluster.watchJob({ namespace: NS, name: "j1" }, s),
      (seen) => seen.length === 2,
      (seen) => {
        if (seen.length === 1) whenWatching(() => api.updateJob(NS, "j1", (j) => (j["status"] = { active: 1 })));
      },
    );
    expect(events.map((e) => [e.type, e.job?.active])).toEqual([
      ["added", 0],
      ["modified", 1],
    ]);
    const watch = api.requests.find((r) => r.query.get("watch") === "true")!;
    expect(watch.query.get("fieldSelector")).toBe("metadata.name=j1");
    expect(watch.query.get("allowWatchBookmarks")).toBe("true");
    expect(watch.query.get("resourceVersion")).toMatch(/^\d+$/);
  });

  it("reopens a closed watch from the last resourceVersion without re-listing", async () => {
    api.putJob(job("j1"));
    const events = await collect<JobWatchEvent>(
      (s) => cluster.watchJob({ namespace: NS, name: "j1" }, s),
      (seen) => seen.length === 2,
      (seen) => {
        if (seen.length === 1) {
          whenWatching(() => {
            api.closeWatches();
            api.updateJob(NS, "j1", (j) => (j["status"] = { succeeded: 1 }));
          });
        }
      },
    );
    expect(events.map((e) => [e.type, e.job?.succeeded])).toEqual([
      ["added", 0],
      ["modified", 1],
    ]);
    const lists = api.requests.filter((r) => r.query.get("watch") !== "true");
    const watches = api.requests.filter((r) => r.query.get("watch") === "true");
    expect(lists).toHaveLength(1);
    expect(watches.length).toBeGreaterThanOrEqual(2);
    // Nothing happened between the two watches, so the second resumes exactly where the first began.
    expect(watches[1]!.query.get("resourceVersion")).toBe(watches[0]!.query.get("resourceVersion"));
  });

  it("relists on 410 Gone: changes seen as modified, a Job deleted while blind as deleted with no snapshot", async () => {
    api.putJob(job("j1"));
    const events = await collect<JobWatchEvent>(
      (s) => cluster.watchJob({ namespace: NS, name: "j1" }, s),
      (seen) => seen.length === 2,
      (seen) => {
        if (seen.length === 1) {
          whenWatching(() => {
            // Quietly (no watcher sees it): delete, forget history, drop the watch.
            expect(api.openWatches()).toBe(1);
            api.closeWatches();
            api.jobs.delete(`${NS}/j1`);
            api.compact();
          });
        }
      },
    );
    expect(events).toEqual([expect.objectContaining({ type: "added" }), { type: "deleted", job: null }]);
    expect(api.requests.filter((r) => r.query.get("watch") !== "true")).toHaveLength(2);
  });

  it("resumes from the resourceVersion of the last bookmark", async () => {
    api.putJob(job("j1"));
    const events = await collect<JobWatchEvent>(
      (s) => cluster.watchJob({ namespace: NS, name: "j1" }, s),
      (seen) => seen.length === 2,
      (seen) => {
        if (seen.length === 1) {
          whenWatching(() => {
            api.touch();
            api.bookmark();
            // The bookmark is written before the watch ends, so the client reads it before it sees the end.
            api.closeWatches();
            api.updateJob(NS, "j1", (j) => (j["status"] = { active: 1 }));
          });
        }
      },
    );
    expect(events.map((e) => e.type)).toEqual(["added", "modified"]);
    const watches = api.requests.filter((r) => r.query.get("watch") === "true");
    expect(Number(watches[1]!.query.get("resourceVersion"))).toBe(Number(watches[0]!.query.get("resourceVersion")) + 1);
  });

  it("retries a watch that answered with an ERROR event other than 410", async () => {
    api.putJob(job("j1"));
    const events = await collect<JobWatchEvent>(
      (s) => cluster.watchJob({ namespace: NS, name: "j1" }, s),
      (seen) => seen.length === 2,
      (seen) => {
        if (seen.length !== 1) return;
        whenWatching(() => {
          api.failNext("GET", /\/jobs$/, { status: 200, body: JSON.stringify({ type: "ERROR", object: status(500, "InternalError", "etcd hiccup") }) + "\n" });
          api.closeWatches();
          // The watch after the ERROR resumes from the same resourceVersion, so it replays this change.
          api.updateJob(NS, "j1", (j) => (j["status"] = { active: 1 }));
        });
      },
    );
    expect(events.map((e) => e.type)).toEqual(["added", "modified"]);
    expect(api.requests.filter((r) => r.query.get("watch") !== "true")).toHaveLength(1);
  });

  it("gives up on a server that closes every watch at once", async () => {
    api.putJob(job("j1"));
    // "At once" is measured on the adapter's clock: one that stands still makes every empty watch count as
    // closed at once, however long a loaded machine takes per request (back-off sleeps stay real).
    const standingClock: Clock = { now: () => 0, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
    const adapter = new KubeClusterAdapter(api.kubeConfig(), { readRetry: fastRetry, watchTimeoutSeconds: 30, clock: standingClock });
    const run = collect<JobWatchEvent>(
      (s) => adapter.watchJob({ namespace: NS, name: "j1" }, s),
      () => false,
      () =>
        whenWatching(() => {
          api.failNext("GET", /\/jobs$/, { status: 200, body: "" }, 10);
          api.closeWatches();
        }),
    );
    await expect(run).rejects.toMatchObject({ code: "unavailable", message: "watch job: the server closed the watch at once" });
  });

  it("reports a Job that does not exist as one deleted event, then ends", async () => {
    const events = await collect<JobWatchEvent>((s) => cluster.watchJob({ namespace: NS, name: "ghost" }, s), () => false);
    expect(events).toEqual([{ type: "deleted", job: null }]);
  });

  it("carries the final state of a Job deleted while watched, then ends", async () => {
    api.putJob(job("j1"));
    const events = await collect<JobWatchEvent>(
      (s) => cluster.watchJob({ namespace: NS, name: "j1" }, s),
      () => false,
      (seen) => {
        if (seen.length === 1) whenWatching(() => api.remove("jobs", NS, "j1"));
      },
    );
    expect(events[1]).toMatchObject({ type: "deleted", job: { ref: { name: "j1" } } });
  });

  it("throws a ClusterError when the watch cannot be re-established", async () => {
    api.putJob(job("j1"));
    api.failNext("GET", /\/jobs$/, { status: 503 }, 10);
    const run = collect<JobWatchEvent>((s) => cluster.watchJob({ namespace: NS, name: "j1" }, s), () => false);
    await expect(run).rejects.toMatchObject({ code: "unavailable" });
  });

  it("ends quietly when the signal aborts", async () => {
    api.putJob(job("j1"));
    const controller = new AbortController();
    const seen: JobWatchEvent[] = [];
    for await (const e of cluster.watchJob({ namespace: NS, name: "j1" }, controller.signal)) {
      seen.push(e);
      if (seen.length === 1) whenWatching(() => controller.abort());
    }
    expect(seen).toHaveLength(1);
    // The server notices the closed connection on its own schedule: wait for it (a leaked watch hangs here).
    await api.untilWatches((open) => open === 0);
  });
});

describe("watchPods", () => {
  it("streams the Job's pods through their phases and deletion", async () => {
    api.putPod(pod("p1", "j1"));
    api.putPod(pod("other", "j2"));
    const events = await collect<PodWatchEvent>(
      (s) => cluster.watchPods({ namespace: NS, name: "j1" }, s),
      (seen) => seen.length === 3,
      (seen) => {
        if (seen.length === 1) {
          whenWatching(() => {
            api.updatePod(NS, "p1", (p) => (p["status"] = { phase: "Running" }));
            api.remove("pods", NS, "p1");
          });
        }
      },
    );
    expect(events.map((e) => [e.type, e.pod.ref.name, e.pod.phase])).toEqual([
      ["added", "p1", "Pending"],
      ["modified", "p1", "Running"],
      ["deleted", "p1", "Running"],
    ]);
    expect(api.requests.find((r) => r.query.get("watch") === "true")!.query.get("labelSelector")).toBe("job-name=j1");
  });
});
