export { describeClusterContract } from "./cluster-contract.js";
export { describeClaimContract } from "./claim-contract.js";
export { describeLeaseContract } from "./lease-contract.js";
export { describeLogContract } from "./log-contract.js";
export type { ContainerBehaviour, ContractCapabilities, ContractDriver, ContractHarness, HarnessFactory } from "./contract-harness.js";
export { collectAll, collectUntil, eventually, uniqueName } from "./contract-helpers.js";
