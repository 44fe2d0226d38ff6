// The adapter's watches: renewal, resume from resourceVersion, relist on 410, vanished objects as events.
import { ClusterError, systemClock, type Clock, type JobWatchEvent, type PodWatchEvent } from "@clipjob/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeKubeApiForFile, status } from "@clipjob/kube-test-kit";
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

/**
 * Puts Job j1 and watches it with `adapter` until `count` events arrived; `whileWatching` runs once, after
 * the first event, when the watch is open on the server.
 */
function watchJ1(whileWatching: () => void, { count = 2, adapter = cluster }: { count?: number; adapter?: KubeClusterAdapter } = {}): Promise<JobWatchEvent[]> {
  api.putJob(job("j1"));
  return collect<JobWatchEvent>(
    (s) => adapter.watchJob({ namespace: NS, name: "j1" }, s),
    (seen) => seen.length === count,
    (seen) => {
      if (seen.length === 1) whenWatching(whileWatching);
    },
  );
}

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
      await watchJ1(() => api.updateJob(NS, "j1", (j) => (j["status"] = { active: 1 })), { adapter });
      adapter.close();
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
    // One watch of the namespace, shared by every run of the process: no per-Job selector.
    expect(watch.path).toBe(`/apis/batch/v1/namespaces/${NS}/jobs`);
    expect(watch.query.get("fieldSelector")).toBeNull();
    expect(watch.query.get("allowWatchBookmarks")).toBe("true");
    expect(watch.query.get("resourceVersion")).toMatch(/^\d+$/);
  });

  it("reopens a closed watch from the last resourceVersion without re-listing", async () => {
    const events = await watchJ1(() => {
        api.closeWatches();
        api.updateJob(NS, "j1", (j) => (j["status"] = { succeeded: 1 }));
    });
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
    const events = await watchJ1(() => {
        // Quietly (no watcher sees it): delete, forget history, drop the watch.
        expect(api.openWatches()).toBe(1);
        api.closeWatches();
        api.jobs.delete(`${NS}/j1`);
        api.compact();
    });
    expect(events).toEqual([expect.objectContaining({ type: "added" }), { type: "deleted", job: null }]);
    expect(api.requests.filter((r) => r.query.get("watch") !== "true")).toHaveLength(2);
  });

  it("resumes from the resourceVersion of the last bookmark", async () => {
    const events = await watchJ1(() => {
        api.touch();
        api.bookmark();
        // The bookmark is written before the watch ends, so the client reads it before it sees the end.
        api.closeWatches();
        api.updateJob(NS, "j1", (j) => (j["status"] = { active: 1 }));
    });
    expect(events.map((e) => e.type)).toEqual(["added", "modified"]);
    const watches = api.requests.filter((r) => r.query.get("watch") === "true");
    expect(Number(watches[1]!.query.get("resourceVersion"))).toBe(Number(watches[0]!.query.get("resourceVersion")) + 1);
  });

  it("retries a watch that answered with an ERROR event other than 410", async () => {
    const events = await watchJ1(() => {
      api.failNext("GET", /\/jobs$/, { status: 200, body: JSON.stringify({ type: "ERROR", object: status(500, "InternalError", "etcd hiccup") }) + "\n" });
      api.closeWatches();
      // The watch after the ERROR resumes from the same resourceVersion, so it replays this change.
      api.updateJob(NS, "j1", (j) => (j["status"] = { active: 1 }));
    });
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
    await expect(run).rejects.toMatchObject({ code: "unavailable", message: "watch jobs: the server closed the watch at once" });
    adapter.close();
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
    // The last view's release leaves the shared watch lingering for runs that follow; closing the adapter ends
    // it. The server notices the closed connection on its own schedule: wait for it (a leaked watch hangs here).
    cluster.close();
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
    expect(api.requests.find((r) => r.query.get("watch") === "true")!.query.get("labelSelector")).toBeNull();
  });
});

describe("silent watches", () => {
  /** A clock that moves only when told: the watch's silence bound passes without waiting for it. */
  function manualClock(): Clock & { advance(ms: number): void } {
    let now = 0;
    const timers = new Set<{ at: number; wake: () => void }>();
    return {
      now: () => now,
      sleep: (ms, signal) =>
        new Promise<void>((resolve) => {
          if (signal?.aborted) return resolve();
          const timer = { at: now + ms, wake: () => (timers.delete(timer), resolve()) };
          timers.add(timer);
          signal?.addEventListener("abort", timer.wake, { once: true });
        }),
      advance(ms) {
        now += ms;
        for (const t of [...timers]) if (t.at <= now) t.wake();
      },
    };
  }

  /** Polls a condition of the fake server's state (no time is asserted: it only orders the steps). */
  async function until(holds: () => boolean): Promise<void> {
    for (let i = 0; i < 4000 && !holds(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(holds()).toBe(true);
  }

  it("a watch that stayed silent for watchSilenceMs (no event, no bookmark) is reopened from its resourceVersion, without a relist", async () => {
    const clock = manualClock();
    const adapter = new KubeClusterAdapter(api.kubeConfig(), { readRetry: fastRetry, watchTimeoutSeconds: 30, clock, watchSilenceMs: 180_000 });
    api.putJob(job("j1"));
    const ac = new AbortController();
    const seen: JobWatchEvent[] = [];
    const done = (async () => {
      for await (const e of adapter.watchJob({ namespace: NS, name: "j1" }, ac.signal)) seen.push(e);
    })();
    await until(() => seen.length === 1 && api.openWatches() === 1);
    const watches = () => api.requests.filter((r) => r.query.get("watch") === "true");
    clock.advance(179_999);
    // A short window in which nothing may happen: a slow machine can only hide an early reopen, never fail here.
    await new Promise((r) => setTimeout(r, 20));
    expect(watches()).toHaveLength(1);
    clock.advance(1);
    await until(() => watches().length === 2);
    expect(watches()[1]!.query.get("resourceVersion")).toBe(watches()[0]!.query.get("resourceVersion"));
    expect(api.requests.filter((r) => r.query.get("watch") !== "true")).toHaveLength(1);
    // The reopened watch still delivers: a change now reaches the run.
    await until(() => api.openWatches() === 1);
    api.updateJob(NS, "j1", (j) => (j["status"] = { active: 1 }));
    await until(() => seen.length === 2);
    expect(seen[1]).toMatchObject({ type: "modified", job: { active: 1 } });
    ac.abort();
    await done;
    adapter.close();
  });
});
