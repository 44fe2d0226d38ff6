// The port's watches are views of one shared informer per resource and namespace (core's SharedInformer),
// served here by the fake API server: how many watches the server holds, what a silent (half-open) watch
// costs, and what a 410 Gone or the guard's list costs, all on the virtual clock.
import { INFORMER_LINGER_MS, type JobWatchEvent, type PodWatchEvent } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { FakeCluster } from "./fake-cluster.js";
import { baseSpec } from "./testing/base-spec.js";

const ns = "clipjob";
const SILENCE_MS = 180_000;

/** Lets every pending promise chain run (no time passes: the clock is frozen). */
async function settle(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Reads a watch in the background, keeping every event; `first` resolves with the first one. */
function follow<E>(stream: AsyncIterable<E>): { events: E[]; first: Promise<E>; done: Promise<void> } {
  const events: E[] = [];
  let gotFirst!: (e: E) => void;
  const first = new Promise<E>((resolve) => (gotFirst = resolve));
  const done = (async () => {
    for await (const e of stream) {
      events.push(e);
      if (events.length === 1) gotFirst(e);
    }
  })();
  return { events, first, done };
}

describe("shared watches (one informer per resource and namespace)", () => {
  it("100 concurrent Job and pod watches hold one Job watch and one pod watch on the server, listed once each", async () => {
    const fake = new FakeCluster({ freeze: true });
    const jobs = [];
    for (let i = 0; i < 100; i++) jobs.push(await fake.cluster.submit(baseSpec(`run-${i}`)));
    fake.resetRequests();
    const ac = new AbortController();
    const views = jobs.flatMap((job) => [follow<JobWatchEvent>(fake.cluster.watchJob(job.ref, ac.signal)), follow<PodWatchEvent>(fake.cluster.watchPods(job.ref, ac.signal))]);
    const firstJobEvents = await Promise.all(views.filter((_, i) => i % 2 === 0).map((v) => v.first));
    await settle();
    expect(firstJobEvents.every((e) => e.type === "added")).toBe(true);
    expect(fake.store.openWatchesOf("Job", ns)).toBe(1);
    expect(fake.store.openWatchesOf("Pod", ns)).toBe(1);
    expect(fake.requests()).toEqual({ "list jobs": 1, "watch jobs": 1, "list pods": 1, "watch pods": 1 });
    ac.abort();
    await Promise.all(views.map((v) => v.done));
    await settle();
    // The informers linger a minute for runs that follow, then stop: nothing stays open on the server.
    expect(fake.store.openWatches()).toBe(2);
    await fake.clock.advance(INFORMER_LINGER_MS);
    await settle();
    expect(fake.store.openWatches()).toBe(0);
    fake.dispose();
  });

  it("each run sees only its own Job's and pods' changes", async () => {
    const fake = new FakeCluster({ freeze: true });
    const a = await fake.cluster.submit(baseSpec("a"));
    const b = await fake.cluster.submit(baseSpec("b"));
    const ac = new AbortController();
    const va = follow(fake.cluster.watchJob(a.ref, ac.signal));
    const vb = follow(fake.cluster.watchJob(b.ref, ac.signal));
    await Promise.all([va.first, vb.first]);
    await settle();
    await fake.cluster.relabel(a.ref, { "clipjob.dev/run": "changed" });
    await settle();
    expect(va.events.map((e) => [e.type, e.job?.labels["clipjob.dev/run"]])).toEqual([
      ["added", undefined],
      ["modified", "changed"],
    ]);
    expect(vb.events.map((e) => e.type)).toEqual(["added"]);
    ac.abort();
    await Promise.all([va.done, vb.done]);
    fake.dispose();
  });

  it("a watch silent for 3 minutes (half-open: no event, no bookmark) is reopened from its last resourceVersion, not relisted", async () => {
    const fake = new FakeCluster({ freeze: true });
    const job = await fake.cluster.submit(baseSpec("quiet"));
    fake.resetRequests();
    const ac = new AbortController();
    const view = follow(fake.cluster.watchJob(job.ref, ac.signal));
    await view.first;
    await settle();
    fake.faults.silenceWatches();
    await fake.cluster.relabel(job.ref, { "clipjob.dev/run": "while-silent" });
    await fake.clock.advance(SILENCE_MS - 1);
    await settle();
    const relabelled = (): boolean => view.events.some((e) => e.job?.labels["clipjob.dev/run"] === "while-silent");
    // Just short of the bound: the change (and the Job controller's, as the pod runs) is stuck behind the dead connection.
    expect(view.events.map((e) => e.type)).toEqual(["added"]);
    await fake.clock.advance(1);
    await settle();
    expect(relabelled()).toBe(true);
    expect(view.events.slice(1).every((e) => e.type === "modified")).toBe(true);
    // One list in all; the reopen resumed from the list's resourceVersion (history still held it).
    expect(fake.requests()["list jobs"]).toBe(1);
    expect(fake.requests()["watch jobs"]).toBe(2);
    ac.abort();
    await view.done;
    fake.dispose();
  });

  it("a live watch gets a bookmark a minute, so it is never taken for silent", async () => {
    const fake = new FakeCluster({ freeze: true });
    const job = await fake.cluster.submit(baseSpec("idle"));
    fake.resetRequests();
    const ac = new AbortController();
    const view = follow(fake.cluster.watchJob(job.ref, ac.signal));
    await view.first;
    await settle();
    for (let minute = 0; minute < 10; minute++) {
      await fake.clock.advance(60_000);
      await settle();
    }
    expect(fake.requests()).toEqual({ "list jobs": 1, "watch jobs": 1 });
    ac.abort();
    await view.done;
    fake.dispose();
  });

  it("410 Gone relists once for every run of the namespace; a Job deleted while blind is deleted for its run", async () => {
    const fake = new FakeCluster({ freeze: true });
    const jobs = [];
    for (let i = 0; i < 10; i++) jobs.push(await fake.cluster.submit(baseSpec(`g-${i}`)));
    fake.resetRequests();
    const ac = new AbortController();
    const views = jobs.map((job) => follow(fake.cluster.watchJob(job.ref, ac.signal)));
    await Promise.all(views.map((v) => v.first));
    await settle();
    // The watch has been healthy for a while, so its end is a server-side close, not a failure.
    await fake.clock.advance(5_000);
    fake.faults.expireWatches();
    await fake.store.delete("Job", ns, "g-3", { propagation: "Background" });
    fake.faults.expireWatches();
    await settle();
    expect(fake.requests()["list jobs"]).toBe(2);
    // Deleted while the watch was blind: its final state is unknown, so the event carries none.
    expect(views[3]!.events.at(-1)).toEqual({ type: "deleted", job: null });
    expect(views.filter((_, i) => i !== 3).every((v) => v.events.every((e) => e.type !== "deleted"))).toBe(true);
    ac.abort();
    await Promise.all(views.map((v) => v.done));
    fake.dispose();
  });

  it("listJobs answers from the synced cache while any run watches the namespace, with this process's own creates and deletes applied at once", async () => {
    const fake = new FakeCluster({ freeze: true });
    const first = await fake.cluster.submit(baseSpec("held"));
    const ac = new AbortController();
    const view = follow(fake.cluster.watchJob(first.ref, ac.signal));
    await view.first;
    await settle();
    fake.resetRequests();
    const created = await fake.cluster.submit(baseSpec("fresh"));
    // Read right after the write, before any watch event could arrive: the create is already there.
    const [label, value] = Object.entries(first.labels)[0]!;
    const names = (await fake.cluster.listJobs(ns, { [label]: value })).map((j) => j.ref.name).sort();
    expect(names).toEqual(["fresh", "held"]);
    await fake.cluster.deleteJob(created.ref, "Background");
    expect((await fake.cluster.listJobs(ns, {})).map((j) => j.ref.name)).toEqual(["held"]);
    expect((await fake.cluster.listJobs(ns, { [label]: "nobody" })).length).toBe(0);
    expect(fake.requests()["list jobs"]).toBeUndefined();
    ac.abort();
    await view.done;
    await settle();
    // The informer lingers INFORMER_LINGER_MS after its last holder, for the run that follows: still no request.
    await fake.cluster.listJobs(ns, {});
    expect(fake.requests()["list jobs"]).toBeUndefined();
    // Past the hold nobody needs the namespace any more: the informer stopped, the next read lists again.
    await fake.clock.advance(INFORMER_LINGER_MS);
    await settle();
    expect(fake.store.openWatches()).toBe(0);
    await fake.cluster.listJobs(ns, {});
    expect(fake.requests()["list jobs"]).toBe(1);
    fake.dispose();
  });

  it("a Foreground delete keeps the Job in the cache, marked as being deleted, until the server removes it", async () => {
    const fake = new FakeCluster({ freeze: true });
    const job = await fake.cluster.submit(baseSpec("fg"));
    const ac = new AbortController();
    const view = follow(fake.cluster.watchJob(job.ref, ac.signal));
    await view.first;
    await settle();
    await fake.cluster.deleteJob(job.ref, "Foreground");
    const [cached] = await fake.cluster.listJobs(ns, {});
    expect(cached?.ref.name).toBe("fg");
    expect(cached?.deletionTimestamp).toBeDefined();
    ac.abort();
    await view.done;
    fake.dispose();
  });

  it("after an outage the views wait for the relist that ends it: a run resubscribing never takes the stale cache for news", async () => {
    const fake = new FakeCluster({ freeze: true });
    const job = await fake.cluster.submit(baseSpec("outage"));
    const ac = new AbortController();
    const before = follow(fake.cluster.watchJob(job.ref, ac.signal));
    const beforeEnded = before.done.then(() => null, (e: unknown) => e);
    await before.first;
    await settle();
    await fake.clock.advance(5_000);
    const start = fake.clock.now();
    fake.faults.failRequests({ operation: /^(list|watch) jobs$/, error: "reset", from: start, until: start + 120_000 });
    fake.faults.expireWatches();
    // Four failed watch attempts (back-off 1 + 2 + 4 + 8 s) and the views hear of the outage.
    for (let i = 0; i < 20; i++) {
      await fake.clock.advance(1_000);
      await settle(5);
    }
    expect(await beforeEnded).toMatchObject({ code: "unavailable" });
    // The run's watcher resubscribes after each error (as run-watchers does): its first event must be news.
    const got: { type: string; at: number }[] = [];
    const resubscribing = (async () => {
      while (!ac.signal.aborted) {
        try {
          for await (const e of fake.cluster.watchJob(job.ref, ac.signal)) {
            got.push({ type: e.type, at: fake.clock.now() });
            return;
          }
          return;
        } catch {
          await fake.clock.sleep(1_000, ac.signal);
        }
      }
    })();
    for (let i = 0; i < 400 && got.length === 0; i++) {
      await fake.clock.advance(1_000);
      await settle(5);
    }
    expect(got[0]?.type).toBe("added");
    expect(got[0]!.at).toBeGreaterThanOrEqual(start + 120_000);
    ac.abort();
    await resubscribing;
    fake.dispose();
  });
});
