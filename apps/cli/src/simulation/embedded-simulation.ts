import { setTimeout as delay } from "node:timers/promises";
import { FakeCluster, type SimulationSpeed } from "@clipjob/fake-cluster";

export type { SimulationSpeed };

export const SIMULATION_NAMESPACE = "clipjob";

export interface EmbeddedSimulationOptions {
  readonly speed: SimulationSpeed;
  readonly seed?: number;
}

export interface SimulationLeftovers {
  readonly jobs: number;
  readonly pods: number;
}

/** How long (real time) the end of a run may take to let deletions and garbage collection finish. */
const SETTLE_LIMIT_MS = 3_000;

/**
 * The simulated cluster `clipjob run` uses when no real one is named: a FakeCluster in this process. It lives
 * only as long as the process, which is why `jobs`, `logs` and `cancel` need a real cluster.
 */
export class EmbeddedSimulation {
  readonly fake: FakeCluster;

  constructor(options: EmbeddedSimulationOptions) {
    this.fake = new FakeCluster({ namespace: SIMULATION_NAMESPACE, speed: options.speed, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  }

  /**
   * After a run that deleted its Job: lets virtual time run free so pod termination and garbage collection
   * finish, then reports what is left. A run that kept its Job is reported as it is, before a TTL could
   * remove it.
   */
  async settle(namespace: string, jobDeleted: boolean): Promise<SimulationLeftovers> {
    if (!jobDeleted) return this.leftovers(namespace);
    await this.fake.setSpeed("max");
    const started = Date.now();
    let left = this.leftovers(namespace);
    while ((left.jobs > 0 || left.pods > 0) && Date.now() - started < SETTLE_LIMIT_MS) {
      await delay(10);
      left = this.leftovers(namespace);
    }
    return left;
  }

  async dispose(): Promise<void> {
    this.fake.dispose();
  }

  private leftovers(namespace: string): SimulationLeftovers {
    return { jobs: this.fake.jobs(namespace).length, pods: this.fake.pods(namespace).length };
  }
}
