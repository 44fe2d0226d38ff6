// Submit under an agent claim (spec.payloadSecret set) is one write: the Job, mounting the claim. Without one it
// is three writes that must look atomic to the caller: create the Job suspended, create the payload Secret
// owned by it, resume the Job. Any failure (or an abort) deletes what was created and throws the
// ClusterError of the failing step. Writes are never retried here: a retried create that had in fact
// succeeded would turn into a confusing 409.
import { ClusterError, payloadSecretName, type AgentJobSpec, type JobRef, type JobSnapshot } from "@clipjob/core";
import type { BatchV1Api, CoreV1Api } from "@kubernetes/client-node";
import { toClusterError } from "../errors/classify-kube-error.js";
import { kubeOperation, type KubeOperation } from "../errors/kube-operation.js";
import { renderJob } from "../render/render-job.js";
import { MAX_SECRET_DATA_BYTES, payloadDataBytes, renderPayloadSecret } from "../render/render-payload-secret.js";
import { toJobSnapshot } from "../translate/job-snapshot.js";
import { MERGE_PATCH, requestOptions } from "./request-options.js";

export interface SubmitApis {
  readonly batch: BatchV1Api;
  readonly core: CoreV1Api;
}

export async function submitAgentJob(apis: SubmitApis, spec: AgentJobSpec, signal?: AbortSignal): Promise<JobSnapshot> {
  const { namespace, name } = spec.ref;
  const createJob = kubeOperation("create job", "create", "jobs", namespace, { group: "batch" });
  if (spec.payloadSecret !== undefined) return createClaimedJob(apis, spec, createJob, signal);
  const createSecret = kubeOperation("create payload secret", "create", "secrets", namespace);
  const resumeJob = kubeOperation("resume job", "patch", "jobs", namespace, { group: "batch" });

  // Checked before anything exists: the API would reject it only after the Job was already created.
  const probe = renderPayloadSecret(spec, { ...spec.ref, uid: "" });
  if (payloadDataBytes(probe) > MAX_SECRET_DATA_BYTES) {
    throw new ClusterError({
      code: "too_large",
      operation: createSecret.name,
      message: `the payload is ${payloadDataBytes(probe)} bytes; a Secret holds at most ${MAX_SECRET_DATA_BYTES}`,
    });
  }
  abortCheck(signal, createJob);

  let owner: JobRef;
  try {
    const created = await apis.batch.createNamespacedJob({ namespace, body: renderJob(spec) }, requestOptions(signal ? { signal } : {}));
    owner = { namespace, name, uid: created.metadata?.uid ?? "" };
  } catch (e) {
    const err = toClusterError(e, createJob);
    // A timeout or reset may hide a create the server did perform; a 4xx means it did not.
    if (err.httpStatus === undefined || err.httpStatus >= 500) await cleanUp(apis, spec, undefined, err);
    throw err;
  }

  let secretCreated = false;
  try {
    abortCheck(signal, createSecret);
    await apis.core.createNamespacedSecret({ namespace, body: renderPayloadSecret(spec, owner) }, requestOptions(signal ? { signal } : {}));
    secretCreated = true;
    abortCheck(signal, resumeJob);
    const resumed = await apis.batch.patchNamespacedJob(
      { name, namespace, body: { spec: { suspend: false } } },
      requestOptions({ contentType: MERGE_PATCH, ...(signal ? { signal } : {}) }),
    );
    return toJobSnapshot(resumed);
  } catch (e) {
    const err = toClusterError(e, secretCreated ? resumeJob : createSecret);
    throw await cleanUp(apis, spec, owner, err);
  }
}

/**
 * The payload is the run's agent claim, created before: the Job is one create and starts at once. A create
 * whose response was lost may have happened: the caller looks the Job up by name and removes it.
 */
async function createClaimedJob(apis: SubmitApis, spec: AgentJobSpec, createJob: KubeOperation, signal?: AbortSignal): Promise<JobSnapshot> {
  abortCheck(signal, createJob);
  try {
    return toJobSnapshot(await apis.batch.createNamespacedJob({ namespace: spec.ref.namespace, body: renderJob(spec) }, requestOptions(signal ? { signal } : {})));
  } catch (e) {
    throw toClusterError(e, createJob);
  }
}

function abortCheck(signal: AbortSignal | undefined, op: KubeOperation): void {
  if (signal?.aborted) throw new ClusterError({ code: "unknown", operation: op.name, message: "aborted before this step" });
}

/**
 * Deletes the Job (pods and the owned Secret follow by garbage collection) and the Secret explicitly, so
 * nothing waits on the garbage collector. Never uses the caller's signal: an aborted submit still cleans
 * up. Returns the error to throw, annotated when the cleanup itself failed.
 */
async function cleanUp(apis: SubmitApis, spec: AgentJobSpec, owner: JobRef | undefined, cause: ClusterError): Promise<ClusterError> {
  const { namespace, name } = spec.ref;
  const problems: string[] = [];
  try {
    await apis.batch.deleteNamespacedJob({
      name,
      namespace,
      propagationPolicy: "Background",
      // A DeleteOptions body makes the API server ignore the query, so the policy is repeated in it.
      ...(owner?.uid ? { body: { propagationPolicy: "Background", preconditions: { uid: owner.uid } } } : {}),
    });
  } catch (e) {
    const err = toClusterError(e, kubeOperation("delete job", "delete", "jobs", namespace, { group: "batch" }));
    if (err.code !== "not_found") problems.push(err.message);
  }
  if (owner !== undefined) {
    try {
      await apis.core.deleteNamespacedSecret({ name: payloadSecretName(name), namespace });
    } catch (e) {
      const err = toClusterError(e, kubeOperation("delete payload secret", "delete", "secrets", namespace));
      if (err.code !== "not_found") problems.push(err.message);
    }
  }
  if (problems.length === 0) return cause;
  return new ClusterError({
    code: cause.code,
    operation: cause.operation,
    message: `${cause.message.slice(cause.operation.length + 2)} (cleanup failed, objects may remain: ${problems.join("; ")})`,
    ...(cause.httpStatus === undefined ? {} : { httpStatus: cause.httpStatus }),
    ...(cause.retryAfterMs === undefined ? {} : { retryAfterMs: cause.retryAfterMs }),
    ...(cause.permission === undefined ? {} : { permission: cause.permission }),
    cause,
  });
}
