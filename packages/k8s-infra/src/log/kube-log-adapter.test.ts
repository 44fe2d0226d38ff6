import type { LogCursor, LogLine } from "@clipjob/core";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeKubeApiForFile, type LogEntry } from "@clipjob/kube-test-kit";
import { KubeLogAdapter } from "./kube-log-adapter.js";

const NS = "agents";
const POD = { namespace: NS, name: "run-pod" };

const api = await fakeKubeApiForFile();
let logs: KubeLogAdapter;

beforeEach(() => {
  api.putPod({ apiVersion: "v1", kind: "Pod", metadata: { name: POD.name, namespace: NS }, spec: { containers: [{ name: "claude" }] } });
  logs = new KubeLogAdapter(api.kubeConfig(), { readRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
});

async function drain(from: LogCursor | null, signal = new AbortController().signal): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const line of logs.follow(POD, "claude", from, signal)) out.push(line);
  return out;
}

/** Lines with shared timestamps, multi-byte text, and second boundaries: the awkward cases for resume. */
function transcript(): LogEntry[] {
  const entries: LogEntry[] = [];
  const texts = ['{"type":"system","subtype":"init"}', "héllo wörld", "日本語のテキスト", "emoji 🎉🎉", "", '{"type":"result","result":"ok"}'];
  for (let i = 0; i < 30; i++) {
    const second = Math.floor(i / 7);
    const fraction = Math.floor((i % 7) / 3); // three lines share each timestamp
    entries.push({ ts: `2026-01-01T00:00:0${second}.${fraction}5Z`, text: `${i} ${texts[i % texts.length]}` });
  }
  return entries;
}

describe("KubeLogAdapter.follow", () => {
  it("yields each line without the kubelet prefix, with its timestamp, its UTF-8 byte count and a cursor", async () => {
    api.setLog(NS, POD.name, "claude", [
      { ts: "2026-01-01T00:00:01.5Z", text: "a" },
      { ts: "2026-01-01T00:00:01.5Z", text: "bé" },
      { ts: "2026-01-01T00:00:02Z", text: "c 日本" },
    ], { finished: true });
    expect(await drain(null)).toEqual([
      { text: "a", bytes: 1, timestamp: "2026-01-01T00:00:01.5Z", cursor: { timestamp: "2026-01-01T00:00:01.5Z", seenAtTimestamp: 1 } },
      { text: "bé", bytes: 3, timestamp: "2026-01-01T00:00:01.5Z", cursor: { timestamp: "2026-01-01T00:00:01.5Z", seenAtTimestamp: 2 } },
      { text: "c 日本", bytes: 8, timestamp: "2026-01-01T00:00:02Z", cursor: { timestamp: "2026-01-01T00:00:02Z", seenAtTimestamp: 1 } },
    ]);
    const q = api.requests[0]!.query;
    expect([q.get("container"), q.get("follow"), q.get("timestamps"), q.get("sinceTime")]).toEqual(["claude", "true", "true", null]);
  });

  it("resumes exactly across a stream cut every few lines, mid-line, with characters split across chunks", async () => {
    const entries = transcript();
    api.setLog(NS, POD.name, "claude", entries, { finished: true });
    // Each response replays the cursor's whole second (at most 7 lines here) before new lines, so the cut
    // must come later than that for a follow to make progress, as time-based cuts in production do.
    api.logCutting = { afterLines: 10, fragmentBytes: 9, chunkBytes: 1 };
    const got: LogLine[] = [];
    let cursor: LogCursor | null = null;
    for (let follows = 0; got.length < entries.length && follows < 50; follows++) {
      const batch = await drain(cursor);
      got.push(...batch);
      cursor = batch.at(-1)?.cursor ?? cursor;
    }
    expect(got.map((l) => l.text)).toEqual(entries.map((e) => e.text));
    expect(got.map((l) => l.timestamp)).toEqual(entries.map((e) => e.ts));
    expect(api.requests.length).toBeGreaterThan(3);
    const sinceTimes = api.requests.map((r) => r.query.get("sinceTime")).filter((s) => s !== null);
    expect(sinceTimes.every((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(s!))).toBe(true);
  });

  it("a resume inside a long line drops its unprefixed rest and repeats nothing: [big, M, N] (issue 14, fault 1)", async () => {
    const big = "b".repeat(20 * 1024);
    api.setLog(NS, POD.name, "claude", [
      { ts: "2026-01-01T00:00:10.9Z", text: big.slice(0, 16 * 1024), partial: true },
      { ts: "2026-01-01T00:00:11.1Z", text: big.slice(16 * 1024) },
      { ts: "2026-01-01T00:00:11.5Z", text: "M" },
      { ts: "2026-01-01T00:00:12Z", text: "N" },
    ], { finished: true });
    const full = await drain(null);
    expect(full.map((l) => l.text)).toEqual([big, "M", "N"]);
    const rest = await drain(full[1]!.cursor);
    expect(api.requests.at(-1)!.query.get("sinceTime")).toBe("2026-01-01T00:00:11Z");
    expect([...full.slice(0, 2), ...rest].map((l) => l.text)).toEqual([big, "M", "N"]);
  });

  it("a resume that no longer finds its cursor's line (the file rotated) marks the next line with a gap", async () => {
    api.setLog(NS, POD.name, "claude", [{ ts: "2026-01-01T00:00:20Z", text: "after rotation" }], { finished: true });
    const got = await drain({ timestamp: "2026-01-01T00:00:11.5Z", seenAtTimestamp: 1 });
    expect(got.map((l) => [l.text, l.gap])).toEqual([["after rotation", { reason: "rotated", after: "2026-01-01T00:00:11.5Z" }]]);
  });

  it("a resume whose response ends before the cursor's place (the log's end rotated away) says so in its endGap", async () => {
    api.setLog(NS, POD.name, "claude", [], { finished: true });
    const from = { timestamp: "2026-01-01T00:00:11.5Z", seenAtTimestamp: 1 };
    const follow = logs.follow(POD, "claude", from, new AbortController().signal);
    const got: LogLine[] = [];
    for await (const line of follow) got.push(line);
    expect(got).toEqual([]);
    expect(follow.endGap).toEqual({ reason: "rotated", after: "2026-01-01T00:00:11.5Z" });
    // A response that still serves the cursor's line ends without one.
    api.setLog(NS, POD.name, "claude", [{ ts: "2026-01-01T00:00:11.5Z", text: "seen" }], { finished: true });
    const again = logs.follow(POD, "claude", from, new AbortController().signal);
    for await (const line of again) got.push(line);
    expect(got).toEqual([]);
    expect(again.endGap).toBeNull();
  });

  it("streams lines as the container writes them and completes when the stream ends", async () => {
    api.setLog(NS, POD.name, "claude", [{ ts: "2026-01-01T00:00:01Z", text: "first" }]);
    const seen: string[] = [];
    for await (const line of logs.follow(POD, "claude", null, new AbortController().signal)) {
      seen.push(line.text);
      // The follow request is open (its first line arrived), so the server streams what is written now.
      if (seen.length === 1) api.appendLog(NS, POD.name, "claude", { ts: "2026-01-01T00:00:02Z", text: "second" });
      if (seen.length === 2) api.finishLog(NS, POD.name, "claude");
    }
    expect(seen).toEqual(["first", "second"]);
  });

  it("ends quietly when the signal aborts a silent stream", async () => {
    api.setLog(NS, POD.name, "claude", []);
    const controller = new AbortController();
    // Abort once the server holds the follow open (it registers the follower right after onRequest returns).
    api.onRequest = (r) => {
      if (r.path.endsWith("/log")) queueMicrotask(() => controller.abort());
    };
    expect(await drain(null, controller.signal)).toEqual([]);
    expect(api.requests.filter((r) => r.path.endsWith("/log"))).toHaveLength(1);
  });

  it("a pod that is gone is not_found", async () => {
    api.remove("pods", NS, POD.name);
    await expect(drain(null)).rejects.toMatchObject({ code: "not_found", operation: "follow log", httpStatus: 404 });
  });

  it("a container still waiting to start is invalid, with the server's reason", async () => {
    api.setLog(NS, POD.name, "claude", [], { waiting: "ContainerCreating" });
    await expect(drain(null)).rejects.toMatchObject({
      code: "invalid",
      message: 'follow log: container "claude" in pod "run-pod" is waiting to start: ContainerCreating',
    });
  });

  it("a missing pods/log permission says so", async () => {
    api.setLog(NS, POD.name, "claude", [], { finished: true });
    api.allow = (a) => a.subresource !== "log";
    await expect(drain(null)).rejects.toMatchObject({ code: "forbidden", permission: { verb: "get", group: "", resource: "pods", subresource: "log", namespace: NS } });
  });

  it("retries opening the stream through transient failures", async () => {
    api.setLog(NS, POD.name, "claude", [{ ts: "2026-01-01T00:00:01Z", text: "x" }], { finished: true });
    api.failNext("GET", /\/log$/, { status: 503 });
    api.failNext("GET", /\/log$/, { reset: true });
    expect((await drain(null)).map((l) => l.text)).toEqual(["x"]);
  });
});
