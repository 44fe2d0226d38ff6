// The plugin's composition root: the only module that knows the container. One root per process holds what
// every run shares (the agent locks, the simulated cluster, the Kubernetes adapters per kubeconfig); each
// execute gets a child container bound to the cluster its config names. Ports are bound to core's typed
// tokens with factories, never decorator metadata (vitest's transpilers do not emit it reliably).
import "reflect-metadata";
import { container as globalContainer, instanceCachingFactory, type DependencyContainer } from "tsyringe";
import { ACCESS_PORT, AgentLocks, CLOCK, CLUSTER_PORT, HOST_PORT, LOG_PORT, ok, type ClipjobConfig, type RunDependencies, type Result, type Token } from "@clipjob/core";
import type { KubeConfigError } from "@clipjob/k8s-infra";
import { SimulatedCluster, SIMULATED_NAMESPACE, simulationSpeedFromEnv } from "../simulation/simulated-cluster.js";
import { AGENT_LOCKS, DEFAULT_NAMESPACE, RUN_DEPENDENCIES, SIMULATED_CLUSTER } from "./adapter-tokens.js";
import type { KubePortsCache } from "./kubernetes-bindings.js";
import { resolveToken } from "./resolve-token.js";

export interface AdapterRootOptions {
  /** The process env: the simulation speed and the in-cluster detection read it. */
  readonly env?: NodeJS.ProcessEnv;
}

export class AdapterRoot {
  private readonly container: DependencyContainer;
  private readonly env: NodeJS.ProcessEnv;
  private readonly kubePorts: KubePortsCache = new Map();
  private simulated: SimulatedCluster | null = null;

  constructor(options: AdapterRootOptions = {}) {
    this.env = options.env ?? process.env;
    this.container = globalContainer.createChildContainer();
    this.container.register(AGENT_LOCKS.key, { useValue: new AgentLocks() });
    // The container owns the one simulated cluster of the process (created on first resolve); the root only
    // remembers it to stop it in dispose().
    this.container.register(SIMULATED_CLUSTER.key, {
      useFactory: instanceCachingFactory(() => (this.simulated = new SimulatedCluster(simulationSpeedFromEnv(this.env)))),
    });
  }

  /** A child container for one run (or one environment test) on the cluster `config` names. Never connects. */
  async openScope(config: Pick<ClipjobConfig, "cluster" | "kubeconfig" | "kubeContext">): Promise<Result<RunScope, KubeConfigError>> {
    const child = this.container.createChildContainer();
    if (config.cluster === "simulated") {
      const sim = (): SimulatedCluster => resolveToken(child, SIMULATED_CLUSTER);
      child.register(CLUSTER_PORT.key, { useFactory: () => sim().fake.cluster });
      child.register(LOG_PORT.key, { useFactory: () => sim().fake.logs });
      child.register(HOST_PORT.key, { useFactory: () => sim().fake.host });
      child.register(ACCESS_PORT.key, { useFactory: () => sim().fake.access });
      child.register(CLOCK.key, { useFactory: () => sim().fake.clock });
      child.register(DEFAULT_NAMESPACE.key, { useValue: SIMULATED_NAMESPACE });
    } else {
      const { bindKubernetes } = await import("./kubernetes-bindings.js");
      const bound = bindKubernetes(child, { kubeconfig: config.kubeconfig, kubeContext: config.kubeContext }, this.kubePorts, this.env);
      if (!bound.ok) return bound;
    }
    child.register(RUN_DEPENDENCIES.key, {
      useFactory: (c): RunDependencies => ({
        cluster: resolveToken(c, CLUSTER_PORT),
        logs: resolveToken(c, LOG_PORT),
        host: resolveToken(c, HOST_PORT),
        clock: resolveToken(c, CLOCK),
        defaultNamespace: resolveToken(c, DEFAULT_NAMESPACE),
        locks: resolveToken(c, AGENT_LOCKS),
      }),
    });
    return ok(new RunScope(child, config.cluster === "simulated"));
  }

  /** Stops the simulated cluster if one was started; the root is done after this (tests; the host process simply exits). */
  async dispose(): Promise<void> {
    await this.simulated?.dispose();
    this.simulated = null;
  }
}

export class RunScope {
  constructor(
    private readonly container: DependencyContainer,
    readonly simulated: boolean,
  ) {}

  resolve<T>(token: Token<T>): T {
    return resolveToken(this.container, token);
  }

  runDependencies(): RunDependencies {
    return this.resolve(RUN_DEPENDENCIES);
  }

  /** The evaluation-mode cluster, or null on a real one. */
  simulation(): SimulatedCluster | null {
    return this.simulated ? this.resolve(SIMULATED_CLUSTER) : null;
  }
}
