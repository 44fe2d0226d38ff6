import type { AccessPort, AgentJobSpec, Clock, ClusterPort, LeasePort, LogPort, ObjectRef } from "@clipjob/core";

/**
 * What a container in a contract case does. The driver turns it into an AgentJobSpec its cluster runs that
 * way (the fake through a sim program; a real cluster through its fake kubelet's stages and log files).
 */
export interface ContainerBehaviour {
  /** stdout lines, spread evenly over `runMs`. */
  readonly lines?: readonly string[];
  /** stderr lines, interleaved with stdout by time. */
  readonly stderrLines?: readonly string[];
  /**
   * Raw writes `atMs` after the start, newlines only where `data` has them: a line written in pieces, or
   * several lines in one write (the runtime stamps each record when it writes it, and cuts a partial
   * record as soon as it has read more than 16 KiB of a line, in 4 KiB reads: a piece of 20 KiB makes one
   * at once, a piece of 17 000 bytes none until the line goes on).
   */
  readonly writes?: readonly { readonly atMs: number; readonly stream?: "stdout" | "stderr"; readonly data: string }[];
  readonly exitCode?: number;
  /** How long the container runs (default 1000 ms). */
  readonly runMs?: number;
  /** The image cannot be pulled (ErrImagePull, then ImagePullBackOff). */
  readonly imagePullFails?: boolean;
  /** No node can take the pod (PodScheduled=False, Unschedulable). */
  readonly unschedulable?: boolean;
  /** The env references a Secret that does not exist (CreateContainerConfigError). */
  readonly missingSecret?: boolean;
  /** An init container exits non-zero (needs the initContainers capability). */
  readonly initFails?: { readonly exitCode: number };
  /** The process exceeds its memory limit (OOMKilled, 137). */
  readonly oom?: boolean;
}

/** How a test acts on a cluster beyond the ports. Each cluster implements it; tests never reach further. */
export interface ContractDriver {
  /** A valid spec for `name` in the harness namespace, running a container that succeeds quickly. */
  baseSpec(name: string): AgentJobSpec;
  /** `baseSpec(name)` changed so its container behaves as described; `overrides` apply last. */
  specFor(name: string, behaviour: ContainerBehaviour, overrides?: Partial<AgentJobSpec>): Promise<AgentJobSpec>;
  /** Evicts the pod the way the Eviction API does (graceful delete with a DisruptionTarget condition). */
  deletePodLikeEviction(pod: ObjectRef): Promise<void>;
  createSecret(name: string, data: Readonly<Record<string, string>>): Promise<void>;
  createClaim(name: string, accessModes: readonly string[]): Promise<void>;
  /** Ends every open watch and compacts history, so resuming gets 410 Gone. Only with the expireWatches capability. */
  expireWatches?(): Promise<void>;
}

/**
 * Optional capabilities. A real API server cannot be forced to expire watches, and AgentJobSpec has no init
 * containers, so those cases run only where the driver can make them happen.
 */
export interface ContractCapabilities {
  readonly expireWatches: boolean;
  readonly initContainers: boolean;
}

export interface ContractHarness {
  readonly cluster: ClusterPort;
  readonly logs: LogPort;
  readonly access: AccessPort;
  readonly leases: LeasePort;
  readonly clock: Clock;
  readonly namespace: string;
  readonly driver: ContractDriver;
  readonly capabilities: ContractCapabilities;
  cleanup(): Promise<void>;
}

export type HarnessFactory = () => Promise<ContractHarness>;
