export { createServerAdapter, type ServerAdapterOptions } from "./server-adapter.js";
export { AdapterRoot, RunScope, type AdapterRootOptions } from "./composition/adapter-root.js";
export { HostSignalLatch, watchProcessSignals, type HostSignals } from "./execute/host-signals.js";
export { LEASE_LOST_REASON } from "./execute/stop-signals.js";
export { SIMULATION_SPEED_ENV, SIMULATED_NAMESPACE } from "./simulation/simulated-cluster.js";
export { BEDROCK_MODELS, DIRECT_MODELS } from "./catalog/models.js";
export { ADAPTER_TYPE } from "./execute/invocation-meta.js";
