import type { ContainerState, ContainerStatus, PodPhase, PodSnapshot } from "@clipjob/core";
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { toCondition } from "./job-snapshot.js";
import { kubeTime } from "./kube-time.js";

/** The Job controller labels its pods with both keys; the unprefixed one is the legacy form. */
export const JOB_NAME_LABELS = ["batch.kubernetes.io/job-name", "job-name"] as const;

export function toPodSnapshot(pod: V1Pod): PodSnapshot {
  const meta = pod.metadata ?? {};
  const status = pod.status ?? {};
  const labels = { ...(meta.labels ?? {}) };
  const jobName = JOB_NAME_LABELS.map((k) => labels[k]).find((v) => v !== undefined) ?? ownerJobName(pod);
  const deletionTimestamp = kubeTime(meta.deletionTimestamp);
  return {
    ref: { namespace: meta.namespace ?? "", name: meta.name ?? "", uid: meta.uid ?? "" },
    ...(jobName === undefined ? {} : { jobName }),
    labels,
    phase: podPhase(status.phase),
    ...(status.reason ? { reason: status.reason } : {}),
    ...(status.message ? { message: status.message } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    conditions: (status.conditions ?? []).map(toCondition),
    initContainers: containerStatuses(pod.spec?.initContainers, status.initContainerStatuses),
    containers: containerStatuses(pod.spec?.containers, status.containerStatuses),
    creationTimestamp: kubeTime(meta.creationTimestamp) ?? "",
    ...(deletionTimestamp === undefined ? {} : { deletionTimestamp }),
    resourceVersion: meta.resourceVersion ?? "",
  };
}

function ownerJobName(pod: V1Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find((o) => o.kind === "Job" && o.controller === true)?.name;
}

function podPhase(phase: string | undefined): PodPhase {
  return phase === "Pending" || phase === "Running" || phase === "Succeeded" || phase === "Failed" ? phase : "Unknown";
}

// Every container of the spec appears, in spec order: one the kubelet has not reported yet is "unknown",
// so status lag is visible instead of a container silently missing.
function containerStatuses(specs: readonly { name: string }[] | undefined, statuses: readonly V1ContainerStatus[] | undefined): ContainerStatus[] {
  const byName = new Map((statuses ?? []).map((s) => [s.name, s]));
  const names = [...(specs ?? []).map((s) => s.name), ...(statuses ?? []).map((s) => s.name)];
  return [...new Set(names)].map((name) => {
    const s = byName.get(name);
    if (!s) return { name, state: { kind: "unknown" }, restartCount: 0 };
    return { name, state: containerState(s), restartCount: s.restartCount ?? 0, ...(s.image ? { image: s.image } : {}) };
  });
}

function containerState(s: V1ContainerStatus): ContainerState {
  const st = s.state;
  if (st?.terminated) {
    const t = st.terminated;
    const startedAt = kubeTime(t.startedAt);
    const finishedAt = kubeTime(t.finishedAt);
    return {
      kind: "terminated",
      exitCode: t.exitCode,
      ...(t.signal === undefined ? {} : { signal: t.signal }),
      ...(t.reason ? { reason: t.reason } : {}),
      ...(t.message ? { message: t.message } : {}),
      ...(startedAt === undefined ? {} : { startedAt }),
      ...(finishedAt === undefined ? {} : { finishedAt }),
    };
  }
  if (st?.running) {
    const startedAt = kubeTime(st.running.startedAt);
    return { kind: "running", ...(startedAt === undefined ? {} : { startedAt }) };
  }
  if (st?.waiting) return { kind: "waiting", ...(st.waiting.reason ? { reason: st.waiting.reason } : {}), ...(st.waiting.message ? { message: st.waiting.message } : {}) };
  return { kind: "unknown" };
}
