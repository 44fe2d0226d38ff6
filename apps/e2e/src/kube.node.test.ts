// The cluster contract and the log contract on a real node: the Kube adapters, as the adapter
// ServiceAccount, against a real API server whose pods run on a real kubelet + containerd + runc. Every
// container is a real process (testing/real-node-driver.ts), so these cases are the truth the fake cluster
// and the kubelet simulator are measured against.
import type { LogCursor, ObjectRef } from "@clipjob/core";
import { collectAll, collectUntil, describeClaimContract, describeClusterContract, describeLeaseContract, describeLogContract, eventually, uniqueName, type ContractCapabilities } from "@clipjob/cluster-contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realNode, type RealNode } from "./e2e-real-node.js";
import { createKubeHarness } from "./kube-contract-harness.js";
import { createRealNodeDriver } from "./real-node-driver.js";

/** A real API server cannot expire watches on demand, and AgentJobSpec has no init containers. */
const CAPABILITIES: ContractCapabilities = { expireWatches: false, initContainers: false };

let world: RealNode | undefined;

beforeAll(async () => {
  world = await realNode();
});

const harness = async () => {
  if (!world) throw new Error("real node not started");
  const driver = createRealNodeDriver({ namespace: world.namespace, image: world.agentImage, admin: world.admin });
  return createKubeHarness({ kubeconfigPath: world.kubeconfigAdapter, namespace: world.namespace, driver, capabilities: CAPABILITIES });
};

describeClusterContract("kube adapters on a real node", harness, CAPABILITIES);
describeLogContract("kube adapters on a real node", harness);
describeLeaseContract("kube adapters on a real node", harness);
describeClaimContract("kube adapters on a real node", harness);

/** What only a real kubelet does to logs: CRI partial records, per-record sinceTime, rotation. */
describe("LogPort on a real node: partial records and per-record sinceTime (beyond the log contract)", () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  /** Submits a pod running `script` (bash) and returns its pod once the container started. */
  async function runScript(prefix: string, script: string) {
    const spec = await h.driver.specFor(uniqueName(prefix), {}, { payload: { prompt: script } });
    const job = await h.cluster.submit(spec);
    const pod = await eventually(h, "the container started", async () => (await h.cluster.listPods(job.ref)).find((p) => p.containers.some((c) => c.state.kind === "running" || c.state.kind === "terminated")));
    return { job, pod };
  }
  const follow = (pod: ObjectRef, from: LogCursor | null, signal = new AbortController().signal) => h.logs.follow(pod, "claude", from, signal);

  it("a resume from the long line's own cursor yields only the lines after it", async () => {
    const long = "L".repeat(40_000);
    const { pod } = await runScript("own", `printf 'a\\n'\nprintf '%s\\n' '${long}'\nsleep 1.2\nprintf 'b\\nc\\n'`);
    const ac = new AbortController();
    const first = await collectUntil(follow(pod.ref, null, ac.signal), (l) => l.text === long);
    ac.abort();
    expect(first.map((l) => l.text.length)).toEqual([1, 40_000]);
    expect((await collectAll(follow(pod.ref, first.at(-1)!.cursor))).map((l) => l.text)).toEqual(["b", "c"]);
  });
});
