import type { ConditionStatus, JobSnapshot, ObjectCondition } from "@clipjob/core";
import type { V1Job } from "@kubernetes/client-node";
import { kubeTime } from "./kube-time.js";

interface KubeCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: Date | string;
}

export function toJobSnapshot(job: V1Job): JobSnapshot {
  const meta = job.metadata ?? {};
  const status = job.status ?? {};
  const deletionTimestamp = kubeTime(meta.deletionTimestamp);
  const startTime = kubeTime(status.startTime);
  const completionTime = kubeTime(status.completionTime);
  return {
    ref: { namespace: meta.namespace ?? "", name: meta.name ?? "", uid: meta.uid ?? "" },
    labels: { ...(meta.labels ?? {}) },
    annotations: { ...(meta.annotations ?? {}) },
    creationTimestamp: kubeTime(meta.creationTimestamp) ?? "",
    ...(deletionTimestamp === undefined ? {} : { deletionTimestamp }),
    resourceVersion: meta.resourceVersion ?? "",
    suspended: job.spec?.suspend === true,
    conditions: (status.conditions ?? []).map(toCondition),
    active: status.active ?? 0,
    succeeded: status.succeeded ?? 0,
    failed: status.failed ?? 0,
    ...(startTime === undefined ? {} : { startTime }),
    ...(completionTime === undefined ? {} : { completionTime }),
  };
}

export function toCondition(c: KubeCondition): ObjectCondition {
  const lastTransitionTime = kubeTime(c.lastTransitionTime);
  return {
    type: c.type,
    status: conditionStatus(c.status),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
    ...(lastTransitionTime === undefined ? {} : { lastTransitionTime }),
  };
}

function conditionStatus(s: string): ConditionStatus {
  return s === "True" || s === "False" ? s : "Unknown";
}
