import type { AgentJobSpec } from "@clipjob/core";
import type { V1Job } from "@kubernetes/client-node";
import { renderPodSpec } from "./render-pod-spec.js";

/**
 * The batch/v1 Job for a run. When the spec names its payload Secret (the run's agent claim, created before
 * the Job; a run always does) the Job is owned by that Secret and starts at once. Otherwise (a submit without
 * a claim) it is created suspended: the payload Secret it needs is created next (owned by the Job, so it needs
 * the Job's uid) and only then is the Job resumed, so no pod ever starts without its payload and a failed
 * submit leaves nothing running.
 */
export function renderJob(spec: AgentJobSpec): V1Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: spec.ref.name,
      namespace: spec.ref.namespace,
      labels: { ...spec.labels },
      annotations: { ...spec.annotations },
      // Owned by the run's agent claim: deleting the claim collects the Job. No controller and no
      // blockOwnerDeletion (which would need update on secrets/finalizers under OwnerReferencesPermissionEnforcement).
      ...(spec.payloadSecret !== undefined && spec.payloadSecretUid !== undefined
        ? { ownerReferences: [{ apiVersion: "v1", kind: "Secret", name: spec.payloadSecret, uid: spec.payloadSecretUid }] }
        : {}),
    },
    spec: {
      // One attempt: a retried agent run would repeat side effects the first one may already have made.
      backoffLimit: 0,
      suspend: spec.payloadSecret === undefined,
      ...(spec.activeDeadlineSeconds === undefined ? {} : { activeDeadlineSeconds: spec.activeDeadlineSeconds }),
      ...(spec.ttlSecondsAfterFinished === undefined ? {} : { ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished }),
      template: {
        metadata: { labels: { ...spec.labels }, annotations: { ...spec.annotations } },
        spec: renderPodSpec(spec),
      },
    },
  };
}
