import { describe, expect, it } from "vitest";
import type { JobWatchEvent } from "@clipjob/core";
import { FakeCluster } from "./fake-cluster.js";
import { BOOKMARK_BEFORE_CLOSE_MS, BOOKMARK_INTERVAL_MS, type WatchEvent } from "./store/object-store.js";
import { baseSpec } from "./testing/base-spec.js";
import { isDone } from "./testing/run-helpers.js";

const ns = "clipjob";

/** Drains a watch in the background; `ended` is the virtual time the server closed it. */
function drain(fake: FakeCluster, stream: AsyncIterable<WatchEvent>): { events: WatchEvent[]; done: Promise<{ ended: number }> } {
  const events: WatchEvent[] = [];
  const done = (async () => {
    for await (const e of stream) events.push(e);
    return { ended: fake.clock.now() };
  })();
  return { events, done };
}

const bookmarks = (events: readonly WatchEvent[]): WatchEvent[] => events.filter((e) => e.type === "BOOKMARK");

describe("watch bookmarks (allowWatchBookmarks)", () => {
  it("a watch that asks for bookmarks gets one a minute with the current resourceVersion; one that does not gets none", async () => {
    const fake = new FakeCluster({ freeze: true });
    const ac = new AbortController();
    const opened = fake.clock.now();
    const asked = drain(fake, fake.store.watch("Job", { namespace: ns, name: "quiet", allowBookmarks: true, signal: ac.signal }));
    const plain = drain(fake, fake.store.watch("Job", { namespace: ns, name: "quiet", signal: ac.signal }));
    await fake.cluster.submit(baseSpec("busy"));
    await fake.clock.advance(BOOKMARK_INTERVAL_MS);
    const first = fake.store.resourceVersion;
    await fake.clock.advance(BOOKMARK_INTERVAL_MS);
    const second = fake.store.resourceVersion;
    ac.abort();
    await Promise.all([asked.done, plain.done]);
    expect(bookmarks(asked.events)).toEqual([
      { type: "BOOKMARK", resourceVersion: Number(first), at: opened + BOOKMARK_INTERVAL_MS },
      { type: "BOOKMARK", resourceVersion: Number(second), at: opened + 2 * BOOKMARK_INTERVAL_MS },
    ]);
    expect(Number(first)).toBeGreaterThan(0);
    expect(plain.events).toEqual([]);
    fake.dispose();
  });

  it("the last bookmark comes just before the server closes the watch on timeout", async () => {
    const fake = new FakeCluster({ freeze: true, watchTimeoutMs: 150_000 });
    await fake.cluster.submit(baseSpec("busy"));
    const watch = drain(fake, fake.store.watch("Job", { namespace: ns, name: "quiet", allowBookmarks: true }));
    // The server closes it after 150–300 s; step in small increments so `ended` is the close time.
    for (let i = 0; i < 400 && fake.store.openWatches() > 0; i++) await fake.clock.advance(1_000);
    const { ended } = await watch.done;
    const last = bookmarks(watch.events).at(-1);
    expect(last).toMatchObject({ type: "BOOKMARK", at: ended - BOOKMARK_BEFORE_CLOSE_MS });
    expect(watch.events.at(-1)).toBe(last);
    fake.dispose();
  });

  it("resuming from a recent bookmark's resourceVersion works where the watch's last event is compacted away (410 Gone)", async () => {
    const fake = new FakeCluster({ freeze: true, eventHistoryMs: 60_000 });
    const listed = fake.store.list("Job", ns, {}, "quiet").resourceVersion;
    const ac = new AbortController();
    const watch = drain(fake, fake.store.watch("Job", { namespace: ns, name: "quiet", allowBookmarks: true, signal: ac.signal }));
    await fake.cluster.submit(baseSpec("busy"));
    await fake.clock.advance(3 * BOOKMARK_INTERVAL_MS);
    const job = (await fake.cluster.getJob({ namespace: ns, name: "busy" }))!;
    await fake.cluster.relabel(job.ref, { touched: "yes" });
    ac.abort();
    await watch.done;
    const recent = bookmarks(watch.events).at(-1)!;
    expect(() => fake.store.watch("Job", { namespace: ns, name: "quiet", resourceVersion: listed })).toThrow(expect.objectContaining({ code: "gone", httpStatus: 410 }));
    const resumed = new AbortController();
    expect(() => fake.store.watch("Job", { namespace: ns, name: "quiet", resourceVersion: String(recent.resourceVersion), signal: resumed.signal })).not.toThrow();
    resumed.abort();
    fake.dispose();
  });

  it("the port's Job watch outlives several server timeouts on a quiet Job without relisting", async () => {
    const fake = new FakeCluster({ watchTimeoutMs: 4 * 60_000 });
    const job = await fake.cluster.submit(baseSpec("long", "silent-then-success"));
    const ac = new AbortController();
    const events: JobWatchEvent[] = [];
    for await (const e of fake.cluster.watchJob(job.ref, ac.signal)) {
      events.push(e);
      if (isDone(e.job)) break;
    }
    ac.abort();
    expect(isDone(events.at(-1)?.job)).toBe(true);
    expect(fake.requests()["watch jobs"]).toBeGreaterThan(1);
    expect(fake.requests()["list jobs"]).toBe(1);
    fake.dispose();
  });
});
