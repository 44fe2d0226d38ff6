// The fake API server's object model: a small subset of the Kubernetes wire objects, enough for the
// controllers and the kubelet. Times are epoch milliseconds; ports convert to RFC 3339 at their edge.
import type { AgentJobSpec, ConditionStatus } from "@clipjob/core";

export type Kind = "Job" | "Pod" | "Secret" | "ConfigMap" | "Node" | "PersistentVolumeClaim" | "Namespace" | "Lease";

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  /** "" for cluster-scoped kinds (Node, Namespace). */
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: number;
  deletionTimestamp?: number;
  deletionGracePeriodSeconds?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  finalizers: string[];
  ownerReferences: OwnerReference[];
}

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastTransitionTime: number;
}

export interface JobObject {
  kind: "Job";
  metadata: ObjectMeta;
  spec: {
    template: AgentJobSpec;
    suspend: boolean;
    backoffLimit: number;
    completions: number;
    parallelism: number;
    activeDeadlineSeconds?: number;
    ttlSecondsAfterFinished?: number;
  };
  status: {
    conditions: Condition[];
    active: number;
    succeeded: number;
    failed: number;
    terminating: number;
    startTime?: number;
    completionTime?: number;
  };
}

export interface InitContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly exitCode: number;
  readonly runMs: number;
}

export type ContainerStateObject =
  | { kind: "waiting"; reason: string; message?: string }
  | { kind: "running"; startedAt: number }
  | { kind: "terminated"; exitCode: number; signal?: number; reason: string; message?: string; startedAt?: number; finishedAt: number };

export interface ContainerStatusObject {
  name: string;
  image: string;
  state: ContainerStateObject;
  ready: boolean;
  restartCount: number;
}

export interface PodObject {
  kind: "Pod";
  metadata: ObjectMeta;
  spec: {
    template: AgentJobSpec;
    initContainers: InitContainerSpec[];
    nodeName?: string;
    restartPolicy: "Never";
    terminationGracePeriodSeconds: number;
  };
  status: {
    phase: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
    reason?: string;
    message?: string;
    conditions: Condition[];
    initContainerStatuses: ContainerStatusObject[];
    containerStatuses: ContainerStatusObject[];
    startTime?: number;
    hostIP?: string;
    podIP?: string;
  };
}

export interface SecretObject {
  kind: "Secret";
  metadata: ObjectMeta;
  data: Record<string, string>;
}

export interface ConfigMapObject {
  kind: "ConfigMap";
  metadata: ObjectMeta;
  data: Record<string, string>;
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface NodeObject {
  kind: "Node";
  metadata: ObjectMeta;
  spec: { taints: Taint[]; unschedulable: boolean };
  status: { allocatable: { cpu: number; memory: number; pods: number }; conditions: Condition[] };
}

export interface PvcObject {
  kind: "PersistentVolumeClaim";
  metadata: ObjectMeta;
  spec: { accessModes: string[] };
  status: { phase: "Bound" | "Pending" };
}

export interface NamespaceObject {
  kind: "Namespace";
  metadata: ObjectMeta;
  status: { phase: "Active" | "Terminating" };
}

/** coordination.k8s.io/v1 Lease: spec fields a writer leaves out are absent (times: epoch ms). */
export interface LeaseObject {
  kind: "Lease";
  metadata: ObjectMeta;
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: number;
    renewTime?: number;
    leaseTransitions?: number;
  };
}

export type AnyObject = JobObject | PodObject | SecretObject | ConfigMapObject | NodeObject | PvcObject | NamespaceObject | LeaseObject;

export type ObjectOfKind<K extends Kind> = Extract<AnyObject, { kind: K }>;

export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
export const FOREGROUND_FINALIZER = "foregroundDeletion";
/** What the API server puts on an object deleted with propagationPolicy Orphan, until its dependents are freed. */
export const ORPHAN_FINALIZER = "orphan";
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
export const CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
/**
 * AgentJobSpec has no init containers; the fake reads simulated ones from this pod-template annotation
 * (JSON: [{ name, image?, exitCode, runMs? }]) so the kubelet's init-container handling can be exercised.
 */
export const INIT_CONTAINERS_ANNOTATION = "sim.clipjob.dev/init-containers";

export const CLUSTER_SCOPED: ReadonlySet<Kind> = new Set<Kind>(["Node", "Namespace"]);
