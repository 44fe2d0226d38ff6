// The fake cluster's ports and the Kubernetes adapters retry the same reads the same number of times: a run
// on the fake meets an API fault as it would in production. The Kube side talks HTTP to a scripted API server
// (kube-test-kit's FakeKubeApi) that fails the next N matching requests; the fake side injects the same N
// failures. Both use core's retryTransientRead with DEFAULT_READ_RETRY's attempts (the Kube side with tiny
// waits: the delays come from the same function and are pinned by core's and k8s-infra's own tests).
import { DEFAULT_READ_RETRY, type ClusterPort } from "@clipjob/core";
import { FakeCluster } from "@clipjob/fake-cluster";
import { KubeClusterAdapter } from "@clipjob/k8s-infra";
import { FakeKubeApi } from "@clipjob/kube-test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const NS = "clipjob";
const attempts = DEFAULT_READ_RETRY.attempts;

let api: FakeKubeApi;
beforeAll(async () => {
  api = await FakeKubeApi.start();
});
afterAll(async () => {
  await api.close();
});

interface Read {
  readonly name: string;
  /** The fake's request kind. */
  readonly fakeOperation: string;
  /** The HTTP request it is on a real API server. */
  readonly method: string;
  readonly path: RegExp;
  readonly call: (cluster: ClusterPort) => Promise<unknown>;
}

const READS: readonly Read[] = [
  { name: "getJob", fakeOperation: "get job", method: "GET", path: /\/jobs\/absent$/, call: (c) => c.getJob({ namespace: NS, name: "absent" }) },
  { name: "listPods", fakeOperation: "list pods", method: "GET", path: new RegExp(`/namespaces/${NS}/pods$`), call: (c) => c.listPods({ namespace: NS, name: "absent" }) },
  // The guard's read: the Job informer's first list.
  { name: "listJobs", fakeOperation: "list jobs", method: "GET", path: new RegExp(`/namespaces/${NS}/jobs$`), call: (c) => c.listJobs(NS, { "paperclip.io/agent-id": "a" }) },
];

/** What one read does on each binding after `failures` transient failures (503) in a row. */
async function onBoth(read: Read, failures: number) {
  const fake = new FakeCluster({ namespace: NS });
  fake.faults.failRequests({ operation: read.fakeOperation, error: "503", count: failures });
  const onFake = await read.call(fake.cluster).then(
    () => ({ ok: true as const }),
    (e: { code?: string }) => ({ ok: false as const, code: e.code }),
  );
  const fakeRequests = fake.requests()[read.fakeOperation];
  fake.dispose();

  api.reset();
  api.namespaces.add(NS);
  api.failNext(read.method, read.path, { status: 503 }, failures);
  const kube = new KubeClusterAdapter(api.kubeConfig(), { readRetry: { ...DEFAULT_READ_RETRY, baseDelayMs: 1, maxDelayMs: 1 } });
  const onKube = await read.call(kube).then(
    () => ({ ok: true as const }),
    (e: { code?: string }) => ({ ok: false as const, code: e.code }),
  );
  // Stop the informer before counting: after a failed first list it keeps trying.
  kube.close();
  const kubeRequests = api.requests.filter((r) => r.method === read.method && read.path.test(r.path) && r.query.get("watch") !== "true").length;
  return { onFake, onKube, fakeRequests, kubeRequests };
}

describe("the fake cluster's ports retry reads as the Kubernetes adapters do", () => {
  for (const read of READS) {
    it(`${read.name}: ${attempts - 1} transient failures are absorbed on both (${attempts} requests); ${attempts} reach the caller as unavailable on both`, async () => {
      const absorbed = await onBoth(read, attempts - 1);
      expect(absorbed).toEqual({ onFake: { ok: true }, onKube: { ok: true }, fakeRequests: attempts, kubeRequests: attempts });
      const outlasting = await onBoth(read, attempts);
      expect(outlasting.onFake).toEqual({ ok: false, code: "unavailable" });
      expect(outlasting.onKube).toEqual({ ok: false, code: "unavailable" });
      expect(outlasting.fakeRequests).toBe(attempts);
      expect(outlasting.kubeRequests).toBeGreaterThanOrEqual(attempts);
    });
  }
});
