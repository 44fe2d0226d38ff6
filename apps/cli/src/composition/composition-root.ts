// The CLI's composition root: the only module that knows the container. Ports are bound to core's typed
// tokens with factories (never decorator metadata, which vitest's transpilers do not emit reliably), in a
// child container per scope, so each `clipjob` command gets fresh adapters over one shared set of locks.
import "reflect-metadata";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import { AgentLocks, CLOCK, CLUSTER_PORT, HOST_PORT, LOG_PORT, ok, type RunDependencies, type Result, type Token } from "@clipjob/core";
import type { EmbeddedSimulation } from "../simulation/embedded-simulation.js";
import { AGENT_LOCKS, DEFAULT_NAMESPACE, RUN_DEPENDENCIES } from "./cli-tokens.js";
import type { ClusterTarget } from "./cluster-target.js";
import type { KubernetesTargetError } from "./kubernetes-bindings.js";
import { resolveToken } from "./resolve-token.js";
import { bindSimulation, type LazySimulation } from "./simulated-bindings.js";

export class CompositionRoot {
  private readonly container: DependencyContainer;

  constructor() {
    this.container = globalContainer.createChildContainer();
    this.container.register(AGENT_LOCKS.key, { useValue: new AgentLocks() });
  }

  /**
   * A child container with the ports of `target`. Opening never connects to anything: a kubeconfig is read
   * and adapters are built on first resolve, the simulation starts on first resolve. The Kubernetes client
   * is loaded only for a real cluster: a simulated run does not pay its start-up time.
   */
  async openScope(target: ClusterTarget, env: NodeJS.ProcessEnv = process.env): Promise<Result<ClusterScope, KubernetesTargetError>> {
    const child = this.container.createChildContainer();
    let simulation: LazySimulation | null = null;
    if (target.kind === "simulated") {
      simulation = bindSimulation(child, target);
    } else {
      const { bindKubernetes } = await import("./kubernetes-bindings.js");
      const bound = bindKubernetes(child, target, env);
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
    return ok(new ClusterScope(child, simulation));
  }
}

export class ClusterScope {
  constructor(
    private readonly container: DependencyContainer,
    private readonly lazySimulation: LazySimulation | null,
  ) {}

  resolve<T>(token: Token<T>): T {
    return resolveToken(this.container, token);
  }

  runDependencies(): RunDependencies {
    return this.resolve(RUN_DEPENDENCIES);
  }

  /** The embedded cluster of a simulated scope (started on first use), or null for a real cluster. */
  simulation(): EmbeddedSimulation | null {
    return this.lazySimulation?.get() ?? null;
  }

  /** Stops the simulation if one was started; real-cluster adapters hold nothing that needs closing. */
  async dispose(): Promise<void> {
    await this.lazySimulation?.current()?.dispose();
  }
}
