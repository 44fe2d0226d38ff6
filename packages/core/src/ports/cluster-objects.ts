// Core's own picture of the Kubernetes objects a run reads. Adapters translate to and from the wire
// format at their edge; no client-node type ever crosses a port.

export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

export interface JobRef extends ObjectRef {
  /** Set once the Job exists; guards a delete against a same-named Job created later. */
  readonly uid: string;
}

export type ConditionStatus = "True" | "False" | "Unknown";

export interface ObjectCondition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export interface JobSnapshot {
  readonly ref: JobRef;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly creationTimestamp: string;
  /** Present while the Job is being deleted (finalizers or foreground propagation still pending). */
  readonly deletionTimestamp?: string;
  readonly resourceVersion: string;
  readonly suspended: boolean;
  readonly conditions: readonly ObjectCondition[];
  readonly active: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly startTime?: string;
  readonly completionTime?: string;
}

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

export type ContainerState =
  | { readonly kind: "waiting"; readonly reason?: string; readonly message?: string }
  | { readonly kind: "running"; readonly startedAt?: string }
  | {
      readonly kind: "terminated";
      readonly exitCode: number;
      readonly signal?: number;
      readonly reason?: string;
      readonly message?: string;
      readonly startedAt?: string;
      readonly finishedAt?: string;
    }
  /** The kubelet has not reported this container yet (status lag). */
  | { readonly kind: "unknown" };

export interface ContainerStatus {
  readonly name: string;
  readonly state: ContainerState;
  readonly restartCount: number;
  readonly image?: string;
}

export interface PodSnapshot {
  readonly ref: ObjectRef & { readonly uid: string };
  readonly jobName?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly phase: PodPhase;
  /** Pod-level reason/message, e.g. Evicted or DeadlineExceeded. */
  readonly reason?: string;
  readonly message?: string;
  readonly nodeName?: string;
  readonly conditions: readonly ObjectCondition[];
  readonly initContainers: readonly ContainerStatus[];
  readonly containers: readonly ContainerStatus[];
  readonly creationTimestamp: string;
  readonly deletionTimestamp?: string;
  readonly resourceVersion: string;
}

export type LabelSelector = Readonly<Record<string, string>>;

export type PropagationPolicy = "Background" | "Foreground";
