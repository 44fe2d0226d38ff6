// The plugin's composition root: the only module that knows the container. The root container owns what
// every run of the process shares: the agent locks and the evaluation-mode cluster (created on first use).
// Each kubeconfig + context the configs name gets a child container that owns that cluster's adapters for
// the life of the process. `execute` and the environment test receive the resolved RunScope — typed ports,
// never the container. Factories and class tokens, never decorator metadata (vitest's transpilers do not
// emit it reliably).
import "reflect-metadata";
import { container as globalContainer, instanceCachingFactory, type DependencyContainer } from "tsyringe";
import { AgentLocks, ok, runDependencies, type BoundCluster, type ClipjobConfig, type ClusterPorts, type Result, type RunDependencies } from "@clipjob/core";
import type { KubeConfigError } from "@clipjob/k8s-infra";
import { SimulatedCluster, SIMULATED_NAMESPACE, simulationSpeedFromEnv } from "../simulation/simulated-cluster.js";
import { processIdentity } from "./process-identity.js";

export interface AdapterRootOptions {
  /** The process env: the simulation speed and the in-cluster detection read it. */
  readonly env?: NodeJS.ProcessEnv;
}

export class AdapterRoot {
  private readonly container: DependencyContainer;
  private readonly env: NodeJS.ProcessEnv;
  /** The container of each real cluster, by kubeconfig + context. */
  private readonly kubeClusters = new Map<string, DependencyContainer>();
  /** The container owns the simulated cluster; the root only remembers it to stop it in dispose(). */
  private simulated: SimulatedCluster | null = null;

  constructor(options: AdapterRootOptions = {}) {
    this.env = options.env ?? process.env;
    this.container = globalContainer.createChildContainer();
    this.container.registerInstance(AgentLocks, new AgentLocks({ identity: processIdentity() }));
    this.container.register(SimulatedCluster, { useFactory: instanceCachingFactory(() => (this.simulated = new SimulatedCluster(simulationSpeedFromEnv(this.env)))) });
    this.container.register(RunScope, {
      useFactory: instanceCachingFactory((c) => {
        const simulation = c.resolve(SimulatedCluster);
        return new RunScope({ ports: simulation.fake, defaultNamespace: SIMULATED_NAMESPACE }, c.resolve(AgentLocks), simulation);
      }),
    });
  }

  /**
   * The scope for one run (or one environment test) on the cluster `config` names. Never connects: the
   * first scope of a kubeconfig + context reads the kubeconfig and builds its adapters, later ones reuse them.
   */
  async openScope(config: Pick<ClipjobConfig, "cluster" | "kubeconfig" | "kubeContext">): Promise<Result<RunScope, KubeConfigError>> {
    if (config.cluster === "simulated") return ok(this.container.resolve(RunScope));
    const key = `${config.kubeconfig ?? "<in-cluster>"}\u0000${config.kubeContext ?? ""}`;
    let cluster = this.kubeClusters.get(key);
    if (!cluster) {
      // Loaded on demand: the Kubernetes client is large and evaluation-mode runs never need it.
      const { openKubeCluster } = await import("@clipjob/k8s-infra");
      const opened = openKubeCluster({ ...(config.kubeconfig !== null ? { kubeconfigPath: config.kubeconfig } : {}), ...(config.kubeContext !== null ? { context: config.kubeContext } : {}) }, this.env);
      if (!opened.ok) return opened;
      const bound = opened.value;
      cluster = this.container.createChildContainer();
      cluster.register(RunScope, { useFactory: instanceCachingFactory((c) => new RunScope(bound, c.resolve(AgentLocks), null)) });
      this.kubeClusters.set(key, cluster);
    }
    return ok(cluster.resolve(RunScope));
  }

  /** Stops the simulated cluster if one was started; the root is done after this (tests; the host process simply exits). */
  async dispose(): Promise<void> {
    await this.simulated?.dispose();
    this.simulated = null;
  }
}

/** One cluster as runs see it: its ports, default namespace and run dependencies, resolved at the root. */
export class RunScope {
  readonly ports: ClusterPorts;
  /** The namespace used when neither the config nor the host pod names one. */
  readonly defaultNamespace: string;
  /** What `runAgentJob` needs: these ports and the root's agent locks. */
  readonly runDependencies: RunDependencies;

  constructor(
    bound: BoundCluster,
    locks: AgentLocks,
    /** The evaluation-mode cluster, or null on a real one. */
    readonly simulation: SimulatedCluster | null,
  ) {
    this.ports = bound.ports;
    this.defaultNamespace = bound.defaultNamespace;
    this.runDependencies = runDependencies(bound, locks);
  }
}
