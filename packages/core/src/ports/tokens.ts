// Typed DI tokens. Core defines them so every composition root binds the same names; core itself never
// resolves anything (only composition roots know the container).
import type { AccessPort } from "./access-port.js";
import type { Clock } from "./clock.js";
import type { ClusterPort } from "./cluster-port.js";
import type { HostPort } from "./host-port.js";
import type { LogPort } from "./log-port.js";

export interface Token<T> {
  readonly key: symbol;
  /** Phantom field: carries T for type inference only. */
  readonly __type?: T;
}

function token<T>(description: string): Token<T> {
  return { key: Symbol.for(`clipjob.${description}`) };
}

export const CLUSTER_PORT: Token<ClusterPort> = token<ClusterPort>("ClusterPort");
export const LOG_PORT: Token<LogPort> = token<LogPort>("LogPort");
export const HOST_PORT: Token<HostPort> = token<HostPort>("HostPort");
export const ACCESS_PORT: Token<AccessPort> = token<AccessPort>("AccessPort");
export const CLOCK: Token<Clock> = token<Clock>("Clock");
