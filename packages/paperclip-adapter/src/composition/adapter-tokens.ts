// Tokens of the adapter's own bindings, in the shape of core's typed tokens (a symbol key plus a phantom type).
import type { AgentLocks, RunDependencies, Token } from "@clipjob/core";
import type { SimulatedCluster } from "../simulation/simulated-cluster.js";

function adapterToken<T>(description: string): Token<T> {
  return { key: Symbol(`clipjob.paperclip.${description}`) };
}

/** One per process: serialises guard + submit per agent across every execute. */
export const AGENT_LOCKS: Token<AgentLocks> = adapterToken<AgentLocks>("AgentLocks");
/** One per process, created on first use: the evaluation-mode cluster. */
export const SIMULATED_CLUSTER: Token<SimulatedCluster> = adapterToken<SimulatedCluster>("SimulatedCluster");
/** The namespace used when neither the config nor the host pod names one. */
export const DEFAULT_NAMESPACE: Token<string> = adapterToken<string>("DefaultNamespace");
export const RUN_DEPENDENCIES: Token<RunDependencies> = adapterToken<RunDependencies>("RunDependencies");
