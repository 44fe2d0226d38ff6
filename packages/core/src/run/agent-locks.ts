import { processLeaseName } from "../job/job-name.js";
import { PROCESS_LEASE_TIMING, type LeaseTiming } from "./lease-timing.js";
import { ProcessLease } from "./process-lease.js";

export interface AgentLocksOptions {
  /** This process's identity (its Lease's `holderIdentity`, its claims' holder); unique per process. Default: `clipjob-` and 12 random hex digits. */
  readonly identity?: string;
  readonly leaseTiming?: LeaseTiming;
}

/** A claim a run of this process holds. */
export interface LocalClaim {
  readonly runId: string;
  /** The Job the run supervises (or is about to create). */
  readonly jobName: string;
  /** Resolves when the run has released or kept its claim. */
  readonly done: Promise<void>;
}

/**
 * Serialises claim + guard + submit per agent inside one process, so two heartbeats for the same agent can
 * never both see "no Job" and both create one (the predecessor's FAR-29 race). Different agents never wait on
 * each other, and an agent's entry disappears once its queue is empty (the predecessor's map only grew).
 * Across processes the agent claim does the same, with this process's Lease (one per namespace it claims in,
 * `processLease`) as its holder's liveness. One instance per process.
 */
export class AgentLocks {
  /** The process identity every claim and process Lease of this process names. */
  readonly identity: string;
  readonly leaseTiming: LeaseTiming;
  private readonly processLeases = new Map<string, ProcessLease>();
  private readonly claims = new Map<string, LocalClaim>();

  constructor(options: AgentLocksOptions = {}) {
    this.identity = options.identity ?? `clipjob-${randomHex(12)}`;
    this.leaseTiming = options.leaseTiming ?? PROCESS_LEASE_TIMING;
  }

  /** This process's Lease in `namespace` (`clipjob-process-<hash of the identity>`), made on first use. */
  processLease(namespace: string): ProcessLease {
    let lease = this.processLeases.get(namespace);
    if (lease === undefined) {
      lease = new ProcessLease(this.identity, { namespace, name: processLeaseName(this.identity) }, this.leaseTiming);
      this.processLeases.set(namespace, lease);
    }
    return lease;
  }

  /** Process Leases held right now (claims sharing them), for tests and diagnostics. */
  get heldLeases(): number {
    let n = 0;
    for (const lease of this.processLeases.values()) n += lease.size;
    return n;
  }

  /** The run of this process holding claim `namespace/name`, if any. */
  claimHolder(namespace: string, name: string): LocalClaim | undefined {
    return this.claims.get(`${namespace}/${name}`);
  }

  /** Records that run `runId` holds claim `namespace/name`; call the returned function when it releases or keeps it. */
  holdClaim(namespace: string, name: string, runId: string, jobName: string): () => void {
    const key = `${namespace}/${name}`;
    let done!: () => void;
    const entry: LocalClaim = { runId, jobName, done: new Promise<void>((resolve) => (done = resolve)) };
    this.claims.set(key, entry);
    return () => {
      if (this.claims.get(key) === entry) this.claims.delete(key);
      done();
    };
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
