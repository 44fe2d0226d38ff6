// The real-cluster test bed, for suites outside this app (apps/cli's cluster suite): start the control plane,
// drive kwok's pods, and the contract harness on k8s-infra's adapters.
export { startE2eControlPlane, type AdminClient, type ControlPlane } from "./e2e-control-plane.js";
export { createKwokDriver, jobLogFile } from "./kwok-driver.js";
export { createKubeHarness, type KubeHarness } from "./kube-contract-harness.js";
