import { AGENT_LEASE_TIMING, AgentLeases, type LeaseTiming } from "./agent-lease.js";

export interface AgentLocksOptions {
  /** `holderIdentity` of this process's agent Leases; unique per process. Default: `clipjob-` and 12 random hex digits. */
  readonly identity?: string;
  readonly leaseTiming?: LeaseTiming;
}

/**
 * Serialises Lease claim + guard + submit per agent inside one process, so two heartbeats for the same agent
 * can never both see "no Job" and both create one (the predecessor's FAR-29 race). Different agents never
 * wait on each other, and an agent's entry disappears once its queue is empty (the predecessor's map only
 * grew). Across processes the agent's Lease (`leases`) does the same: one instance per process.
 */
export class AgentLocks {
  /** The agent Leases this process holds, shared by its runs. */
  readonly leases: AgentLeases;

  constructor(options: AgentLocksOptions = {}) {
    this.leases = new AgentLeases(options.identity ?? `clipjob-${randomHex(12)}`, options.leaseTiming ?? AGENT_LEASE_TIMING);
  }

  private readonly tails = new Map<string, Promise<void>>();
  /** Jobs a run of this process is supervising right now, keyed `namespace/name`, valued by run id. */
  private readonly supervised = new Map<string, string>();

  /** Marks a Job as supervised by a live run here: the guard must not hand it to another run as an orphan. */
  supervise(namespace: string, name: string, runId: string): () => void {
    const key = `${namespace}/${name}`;
    this.supervised.set(key, runId);
    return () => {
      if (this.supervised.get(key) === runId) this.supervised.delete(key);
    };
  }

  supervisingRun(namespace: string, name: string): string | undefined {
    return this.supervised.get(`${namespace}/${name}`);
  }

  async withLock<T>(agentId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(agentId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(agentId, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(agentId) === tail) this.tails.delete(agentId);
    }
  }

  /** Agents with a holder or waiters (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}

function randomHex(digits: number): string {
  let out = "";
  while (out.length < digits) out += Math.floor(Math.random() * 16).toString(16);
  return out;
}
