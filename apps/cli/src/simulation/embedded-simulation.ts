import { setTimeout as delay } from "node:timers/promises";
import { FakeCluster } from "@clipjob/fake-cluster";
import { ClockPacer } from "./clock-pacer.js";

/** Virtual-time multiple of real time, or `max`: pure virtual time (a run takes as long as its work). */
export type SimulationSpeed = number | "max";

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
  private readonly pacer: ClockPacer | null;

  constructor(options: EmbeddedSimulationOptions) {
    const paced = options.speed !== "max";
    this.fake = new FakeCluster({ namespace: SIMULATION_NAMESPACE, freeze: paced, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    this.pacer = typeof options.speed === "number" ? new ClockPacer(this.fake.clock, { speed: options.speed }) : null;
  }

  /**
   * After a run that deleted its Job: lets virtual time run free so pod termination and garbage collection
   * finish, then reports what is left. A run that kept its Job is reported as it is, before a TTL could
   * remove it.
   */
  async settle(namespace: string, jobDeleted: boolean): Promise<SimulationLeftovers> {
    await this.pacer?.stop();
    if (!jobDeleted) return this.leftovers(namespace);
    this.fake.clock.unfreeze();
    const started = Date.now();
    let left = this.leftovers(namespace);
    while ((left.jobs > 0 || left.pods > 0) && Date.now() - started < SETTLE_LIMIT_MS) {
      await delay(10);
      left = this.leftovers(namespace);
    }
    return left;
  }

  async dispose(): Promise<void> {
    await this.pacer?.stop();
    this.fake.dispose();
  }

  private leftovers(namespace: string): SimulationLeftovers {
    return { jobs: this.fake.jobs(namespace).length, pods: this.fake.pods(namespace).length };
  }
}
