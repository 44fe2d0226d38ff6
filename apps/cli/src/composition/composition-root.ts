// The CLI's composition root: the only module that knows the container. The root container owns what every
// command of the process shares (the agent locks); each command opens a child container for the cluster it
// targets, which owns that scope's simulation (started on first resolve, one per scope) or real-cluster
// adapters. Commands receive the resolved ClusterScope — typed ports, never the container.
// Factories and class tokens, never decorator metadata (vitest's transpilers do not emit it reliably).
import "reflect-metadata";
import { container as globalContainer, instancePerContainerCachingFactory, type DependencyContainer } from "tsyringe";
import { AgentLocks, ok, runDependencies, type BoundCluster, type ClusterPorts, type Result, type RunDependencies } from "@clipjob/core";
import type { KubeConfigError } from "@clipjob/k8s-infra";
import { EmbeddedSimulation, SIMULATION_NAMESPACE } from "../simulation/embedded-simulation.js";
import type { ClusterTarget } from "./cluster-target.js";
import { processIdentity } from "./process-identity.js";

export type KubernetesTargetError = KubeConfigError;

export class CompositionRoot {
  private readonly container: DependencyContainer;

  constructor() {
    this.container = globalContainer.createChildContainer();
    this.container.registerInstance(AgentLocks, new AgentLocks({ identity: processIdentity() }));
  }

  /**
   * The scope of `target`. Opening never connects to anything: a kubeconfig is read and adapters are built,
   * the simulation is created (its clock runs once a run uses it). The Kubernetes client is loaded only for a
   * real cluster: a simulated run does not pay its start-up time.
   */
  async openScope(target: ClusterTarget, env: NodeJS.ProcessEnv = process.env): Promise<Result<ClusterScope, KubernetesTargetError>> {
    const child = this.container.createChildContainer();
    if (target.kind === "simulated") {
      const options = { speed: target.speed, ...(target.seed !== undefined ? { seed: target.seed } : {}) };
      child.register(EmbeddedSimulation, { useFactory: instancePerContainerCachingFactory(() => new EmbeddedSimulation(options)) });
      child.register(ClusterScope, {
        useFactory: instancePerContainerCachingFactory((c) => {
          const simulation = c.resolve(EmbeddedSimulation);
          return new ClusterScope({ ports: simulation.fake, defaultNamespace: SIMULATION_NAMESPACE }, c.resolve(AgentLocks), simulation);
        }),
      });
    } else {
      const { openKubeCluster } = await import("@clipjob/k8s-infra");
      const opened = openKubeCluster({ ...(target.kubeconfigPath !== undefined ? { kubeconfigPath: target.kubeconfigPath } : {}), ...(target.context !== undefined ? { context: target.context } : {}) }, env);
      if (!opened.ok) return opened;
      const bound: BoundCluster = { ...opened.value, defaultNamespace: target.namespace ?? opened.value.defaultNamespace };
      child.register(ClusterScope, { useFactory: instancePerContainerCachingFactory((c) => new ClusterScope(bound, c.resolve(AgentLocks), null)) });
    }
    return ok(child.resolve(ClusterScope));
  }
}

/** One command's cluster: its ports, default namespace and run dependencies, resolved at the root. */
export class ClusterScope {
  readonly ports: ClusterPorts;
  /** The namespace used when neither flags nor config name one. */
  readonly defaultNamespace: string;
  /** What `runAgentJob` needs: these ports and the root's agent locks. */
  readonly runDependencies: RunDependencies;

  constructor(
    bound: BoundCluster,
    locks: AgentLocks,
    /** The embedded cluster of a simulated scope, or null for a real cluster. */
    readonly simulation: EmbeddedSimulation | null,
  ) {
    this.ports = bound.ports;
    this.defaultNamespace = bound.defaultNamespace;
    this.runDependencies = runDependencies(bound, locks);
  }

  /** Stops the simulation of a simulated scope; real-cluster adapters hold nothing that needs closing. */
  async dispose(): Promise<void> {
    await this.simulation?.dispose();
  }
}
