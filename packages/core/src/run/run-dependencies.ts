import type { BoundCluster } from "../ports/cluster-ports.js";
import type { AgentLocks } from "./agent-locks.js";
import type { RunDependencies } from "./run-agent-job.js";

/** What `runAgentJob` needs from a bound cluster and the process's agent locks (one instance per composition root). */
export function runDependencies(bound: BoundCluster, locks: AgentLocks): RunDependencies {
  const { cluster, logs, host, leases, clock } = bound.ports;
  return { cluster, logs, host, leases, clock, defaultNamespace: bound.defaultNamespace, locks };
}
