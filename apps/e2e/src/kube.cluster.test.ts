// The cluster contract and the log contract, run by the Kube adapters as the adapter ServiceAccount against
// a real control plane (apps/e2e/control-plane). The truth the fake cluster is measured against.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeClaimContract, describeClusterContract, describeLeaseContract, describeLogContract, type ContractCapabilities } from "@clipjob/cluster-contract";
import { afterAll, beforeAll } from "vitest";
import { startE2eControlPlane, type ControlPlane } from "./e2e-control-plane.js";
import { createKubeHarness } from "./kube-contract-harness.js";
import { createKwokDriver } from "./kwok-driver.js";

/** A real API server cannot expire watches on demand, and AgentJobSpec has no init containers. */
const CAPABILITIES: ContractCapabilities = { expireWatches: false, initContainers: false };

let cp: ControlPlane | undefined;

beforeAll(async () => {
  cp = await startE2eControlPlane(mkdtempSync(join(tmpdir(), "clipjob-cluster-")));
});
afterAll(async () => {
  await cp?.stop();
});

const harness = async () => {
  if (!cp) throw new Error("control plane not started");
  const driver = createKwokDriver({ namespace: cp.namespace, logsDir: cp.logsDir, admin: cp.admin });
  return createKubeHarness({ kubeconfigPath: cp.kubeconfigAdapter, namespace: cp.namespace, driver, capabilities: CAPABILITIES });
};

describeClusterContract("kube adapters on a real control plane", harness, CAPABILITIES);
describeLogContract("kube adapters on a real control plane", harness);
describeLeaseContract("kube adapters on a real control plane", harness);
describeClaimContract("kube adapters on a real control plane", harness);
