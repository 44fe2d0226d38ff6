// The cluster contract and the log contract on a real node: the Kube adapters, as the adapter
// ServiceAccount, against a real API server whose pods run on a real kubelet + containerd + runc. Every
// container is a real process (testing/real-node-driver.ts), so these cases are the truth the fake cluster
// and the kubelet simulator are measured against.
import { describeClusterContract, describeLogContract, type ContractCapabilities } from "@clipjob/cluster-contract";
import { beforeAll } from "vitest";
import { realNode, type RealNode } from "./testing/e2e-real-node.js";
import { createKubeHarness } from "./testing/kube-contract-harness.js";
import { createRealNodeDriver } from "./testing/real-node-driver.js";

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
