// The real-cluster test bed, for suites outside this app (apps/cli's cluster and node suites): start the control
// plane, drive kwok's pods, the contract harness on k8s-infra's adapters, and the real-node world's helpers.
export { startE2eControlPlane, type AdminClient, type ControlPlane } from "./e2e-control-plane.js";
export { createKwokDriver, jobLogFile } from "./kwok-driver.js";
export { createKubeHarness, type KubeHarness } from "./kube-contract-harness.js";
export { realNode, type RealNode, type RealNodeWorld } from "./e2e-real-node.js";
export { bashTurn, errorTurn, events, QUIET_CLAUDE_ENV, ScriptedApi, sharedWorkspace, startRun, textTurn, type SharedWorkspace } from "./real-claude.js";
export { eventually } from "@clipjob/kube-test-kit/eventually";
