// The ports of one cluster, as one value. Adapters provide them together — k8s-infra for a kubeconfig (or the
// in-cluster account), a FakeCluster for itself — so the composition roots bind a cluster in one step and
// hand commands and runs typed objects, never a container to look things up in.
import type { AccessPort } from "./access-port.js";
import type { Clock } from "./clock.js";
import type { ClusterPort } from "./cluster-port.js";
import type { HostPort } from "./host-port.js";
import type { LeasePort } from "./lease-port.js";
import type { LogPort } from "./log-port.js";

export interface ClusterPorts {
  readonly cluster: ClusterPort;
  readonly logs: LogPort;
  readonly host: HostPort;
  readonly access: AccessPort;
  /** The process Lease the agent claims name (one agent, one Job across processes). */
  readonly leases: LeasePort;
  readonly clock: Clock;
}

/** A cluster as a composition root binds it: its ports and the namespace Jobs go to when nothing names one. */
export interface BoundCluster {
  readonly ports: ClusterPorts;
  /** From the kubeconfig context (kubectl's `default` without one), or the simulation's own namespace. */
  readonly defaultNamespace: string;
}
