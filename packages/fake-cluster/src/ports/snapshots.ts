// Wire objects → core's snapshots, at the port edge. Times become RFC 3339 strings, as the API serialises them.
import { AGENT_CONTAINER, type ContainerState, type ContainerStatus, type JobSnapshot, type ObjectCondition, type PodSnapshot } from "@clipjob/core";
import { rfc3339 } from "../rfc3339.js";
import { JOB_NAME_LABEL, type Condition, type ContainerStatusObject, type JobObject, type PodObject } from "../store/objects.js";

function conditions(list: readonly Condition[]): ObjectCondition[] {
  return list.map((c) => ({
    type: c.type,
    status: c.status,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.message !== undefined ? { message: c.message } : {}),
    lastTransitionTime: rfc3339(c.lastTransitionTime),
  }));
}

export function toJobSnapshot(job: JobObject): JobSnapshot {
  const m = job.metadata;
  const s = job.status;
  return {
    ref: { namespace: m.namespace, name: m.name, uid: m.uid },
    labels: { ...m.labels },
    annotations: { ...m.annotations },
    creationTimestamp: rfc3339(m.creationTimestamp),
    ...(m.deletionTimestamp !== undefined ? { deletionTimestamp: rfc3339(m.deletionTimestamp) } : {}),
    resourceVersion: m.resourceVersion,
    suspended: job.spec.suspend,
    conditions: conditions(s.conditions),
    active: s.active,
    succeeded: s.succeeded,
    failed: s.failed,
    ...(s.startTime !== undefined ? { startTime: rfc3339(s.startTime) } : {}),
    ...(s.completionTime !== undefined ? { completionTime: rfc3339(s.completionTime) } : {}),
  };
}

function state(s: ContainerStatusObject["state"]): ContainerState {
  switch (s.kind) {
    case "waiting":
      return { kind: "waiting", reason: s.reason, ...(s.message !== undefined ? { message: s.message } : {}) };
    case "running":
      return { kind: "running", startedAt: rfc3339(s.startedAt) };
    case "terminated":
      return {
        kind: "terminated",
        exitCode: s.exitCode,
        reason: s.reason,
        ...(s.signal !== undefined ? { signal: s.signal } : {}),
        ...(s.message !== undefined ? { message: s.message } : {}),
        ...(s.startedAt !== undefined ? { startedAt: rfc3339(s.startedAt) } : {}),
        finishedAt: rfc3339(s.finishedAt),
      };
  }
}

/** A container the kubelet has not reported yet is `unknown` (status lag), never a guessed state. */
function statuses(names: readonly string[], reported: readonly ContainerStatusObject[]): ContainerStatus[] {
  return names.map((name) => {
    const r = reported.find((c) => c.name === name);
    return r ? { name, state: state(r.state), restartCount: r.restartCount, image: r.image } : { name, state: { kind: "unknown" }, restartCount: 0 };
  });
}

export function toPodSnapshot(pod: PodObject): PodSnapshot {
  const m = pod.metadata;
  const s = pod.status;
  const jobName = m.labels[JOB_NAME_LABEL];
  return {
    ref: { namespace: m.namespace, name: m.name, uid: m.uid },
    ...(jobName !== undefined ? { jobName } : {}),
    labels: { ...m.labels },
    phase: s.phase,
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    ...(s.message !== undefined ? { message: s.message } : {}),
    ...(pod.spec.nodeName !== undefined ? { nodeName: pod.spec.nodeName } : {}),
    conditions: conditions(s.conditions),
    initContainers: statuses(
      pod.spec.initContainers.map((c) => c.name),
      s.initContainerStatuses,
    ),
    containers: statuses([AGENT_CONTAINER], s.containerStatuses),
    creationTimestamp: rfc3339(m.creationTimestamp),
    ...(m.deletionTimestamp !== undefined ? { deletionTimestamp: rfc3339(m.deletionTimestamp) } : {}),
    resourceVersion: m.resourceVersion,
  };
}
