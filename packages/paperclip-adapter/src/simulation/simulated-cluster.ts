// Evaluation mode (`cluster: "simulated"`): agent runs go to an in-process FakeCluster whose containers run
// scripted Claude transcripts. One per process, shared by every run, so the next wake finds the session
// the last one created (and any Job a shutdown left behind), exactly like a real cluster would keep them.
import { FakeCluster, simImage, type SimulationSpeed } from "@clipjob/fake-cluster";

export const SIMULATED_NAMESPACE = "clipjob";
/** The shared volume and credentials Secret a well-configured namespace has, so every environment check passes. */
export const SIMULATED_CLAIM = "paperclip-data";
export const SIMULATED_SECRET = "paperclip-secrets";
/** Virtual-time speed of the simulation: a multiple of real time, or `max` (as fast as the work allows). */
export const SIMULATION_SPEED_ENV = "CLIPJOB_SIM_SPEED";

export type { SimulationSpeed };

export class SimulatedCluster {
  readonly fake: FakeCluster;

  /**
   * @param startTime epoch ms the simulated clock starts at: the host's real time by default, so times the
   * runs report (a quota's reset, a Job's start) read as real ones and not as dates in the past.
   */
  constructor(
    readonly speed: SimulationSpeed,
    startTime: number = Date.now(),
  ) {
    this.fake = new FakeCluster({
      namespace: SIMULATED_NAMESPACE,
      speed,
      startTime,
      host: { namespace: SIMULATED_NAMESPACE, paperclipClaimName: SIMULATED_CLAIM },
    });
    this.fake.addPvc(SIMULATED_CLAIM, ["ReadWriteMany"], SIMULATED_NAMESPACE);
    this.fake.addSecret(SIMULATED_SECRET, { ANTHROPIC_API_KEY: "simulated" }, SIMULATED_NAMESPACE);
  }

  /** The image whose container runs `scenario`. */
  imageFor(scenario: string): string {
    return simImage(scenario);
  }

  async dispose(): Promise<void> {
    this.fake.dispose();
  }
}

/** `CLIPJOB_SIM_SPEED`: a positive number (times real time) or `max`; anything else means `max`. */
export function simulationSpeedFromEnv(env: Readonly<Record<string, string | undefined>>): SimulationSpeed {
  const raw = env[SIMULATION_SPEED_ENV]?.trim().toLowerCase().replace(/x$/, "");
  if (!raw || raw === "max") return "max";
  const speed = Number(raw);
  return speed > 0 && Number.isFinite(speed) ? speed : "max";
}
