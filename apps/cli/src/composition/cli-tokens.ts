// Tokens of the CLI's own bindings, in the shape of core's typed tokens (a symbol key plus a phantom type).
import type { AgentLocks, RunDependencies, Token } from "@clipjob/core";
import type { EmbeddedSimulation } from "../simulation/embedded-simulation.js";

function cliToken<T>(description: string): Token<T> {
  return { key: Symbol(`clipjob.cli.${description}`) };
}

/** One per process: serialises guard + submit per agent across the runs of this root. */
export const AGENT_LOCKS: Token<AgentLocks> = cliToken<AgentLocks>("AgentLocks");
/** The namespace used when neither flags nor config name one. */
export const DEFAULT_NAMESPACE: Token<string> = cliToken<string>("DefaultNamespace");
/** Bound only in a simulated scope. */
export const SIMULATION: Token<EmbeddedSimulation> = cliToken<EmbeddedSimulation>("Simulation");
export const RUN_DEPENDENCIES: Token<RunDependencies> = cliToken<RunDependencies>("RunDependencies");
