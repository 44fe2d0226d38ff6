import type { DependencyContainer } from "tsyringe";
import { ACCESS_PORT, CLOCK, CLUSTER_PORT, HOST_PORT, LOG_PORT } from "@clipjob/core";
import { EmbeddedSimulation, SIMULATION_NAMESPACE } from "../simulation/embedded-simulation.js";
import { DEFAULT_NAMESPACE, SIMULATION } from "./cli-tokens.js";
import type { ClusterTarget } from "./cluster-target.js";

export interface LazySimulation {
  /** The simulation if it was started. */
  current(): EmbeddedSimulation | null;
  /** The simulation, started on first call. */
  get(): EmbeddedSimulation;
}

/** Binds the ports to one embedded FakeCluster per scope, started on first resolve. */
export function bindSimulation(container: DependencyContainer, target: Extract<ClusterTarget, { kind: "simulated" }>): LazySimulation {
  let simulation: EmbeddedSimulation | null = null;
  const lazy: LazySimulation = {
    current: () => simulation,
    get: () => (simulation ??= new EmbeddedSimulation({ speed: target.speed, ...(target.seed !== undefined ? { seed: target.seed } : {}) })),
  };
  container.register(SIMULATION.key, { useFactory: () => lazy.get() });
  container.register(CLUSTER_PORT.key, { useFactory: () => lazy.get().fake.cluster });
  container.register(LOG_PORT.key, { useFactory: () => lazy.get().fake.logs });
  container.register(HOST_PORT.key, { useFactory: () => lazy.get().fake.host });
  container.register(ACCESS_PORT.key, { useFactory: () => lazy.get().fake.access });
  container.register(CLOCK.key, { useFactory: () => lazy.get().fake.clock });
  container.register(DEFAULT_NAMESPACE.key, { useValue: SIMULATION_NAMESPACE });
  return lazy;
}
