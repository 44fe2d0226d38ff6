import {
  ANNOTATION_CLAIM_HOLDER,
  ANNOTATION_CLAIM_HOLDER_LEASE,
  ANNOTATION_CLAIM_JOB,
  ANNOTATION_CLAIM_REPORTED,
  ANNOTATION_CLAIM_RUN,
  ClusterError,
  parseHolderLease,
  systemClock,
  type ClaimDelete,
  type ClaimHolder,
  type ClaimPort,
  type ClaimRecord,
  type ClaimWrite,
  type Clock,
  type ObjectRef,
} from "@clipjob/core";
import { CoreV1Api, type KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { toClusterError } from "../errors/classify-kube-error.js";
import { kubeOperation, type KubeOperation } from "../errors/kube-operation.js";
import { MERGE_PATCH, requestOptions } from "../cluster/request-options.js";
import { MAX_SECRET_DATA_BYTES } from "../render/render-payload-secret.js";
import { DEFAULT_READ_RETRY, retryRead, type RetryPolicy } from "../retry/read-retry.js";

export interface KubeClaimAdapterOptions {
  readonly clock?: Clock;
  readonly readRetry?: RetryPolicy;
  readonly random?: () => number;
}

/**
 * ClaimPort on v1 Secrets through client-node's CoreV1Api: the agent claim is the run's payload Secret under the
 * agent's name. Every write is conditional: a create of a taken name is 409 AlreadyExists, an adopt is a merge
 * patch carrying the resourceVersion read (409 Conflict if it changed), a delete carries uid and resourceVersion
 * as preconditions. Those refusals (and 404) come back as values; reads are retried on transient failures, writes
 * never are.
 */
export class KubeClaimAdapter implements ClaimPort {
  private readonly api: CoreV1Api;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;

  constructor(kc: KubeConfig, opts: KubeClaimAdapterOptions = {}) {
    this.api = kc.makeApiClient(CoreV1Api);
    this.clock = opts.clock ?? systemClock;
    this.policy = opts.readRetry ?? DEFAULT_READ_RETRY;
    this.random = opts.random ?? Math.random;
  }

  async getClaim(ref: ObjectRef): Promise<ClaimRecord | null> {
    const op = secretOperation("get claim secret", "get", ref.namespace);
    try {
      const secret = await retryRead(op, { policy: this.policy, clock: this.clock, random: this.random }, () => this.api.readNamespacedSecret({ name: ref.name, namespace: ref.namespace }));
      return toClaimRecord(secret, ref);
    } catch (e) {
      const err = toClusterError(e, op);
      if (err.code === "not_found") return null;
      throw err;
    }
  }

  createClaim(ref: ObjectRef, holder: ClaimHolder, labels: Readonly<Record<string, string>>, data: Readonly<Record<string, string>>): Promise<ClaimWrite> {
    const op = secretOperation("create payload secret", "create", ref.namespace);
    const encoded: Record<string, string> = {};
    let bytes = 0;
    for (const [key, value] of Object.entries(data)) {
      const raw = Buffer.from(value, "utf8");
      bytes += raw.length;
      encoded[key] = raw.toString("base64");
    }
    // Checked before the request: the API server's refusal would read as a generic 422.
    if (bytes > MAX_SECRET_DATA_BYTES) {
      return Promise.reject(new ClusterError({ code: "too_large", operation: op.name, message: `the payload is ${bytes} bytes; a Secret holds at most ${MAX_SECRET_DATA_BYTES}` }));
    }
    const body: V1Secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: ref.name, namespace: ref.namespace, labels: { ...labels }, annotations: annotations(holder) },
      type: "Opaque",
      // The payload never changes while the claim lives (an adopt rewrites annotations only): immutable spares the
      // kubelet from watching it.
      immutable: true,
      data: encoded,
    };
    return written(op, ref, () => this.api.createNamespacedSecret({ namespace: ref.namespace, body }));
  }

  adoptClaim(current: ClaimRecord, holder: ClaimHolder): Promise<ClaimWrite> {
    const { namespace, name } = current.ref;
    const op = secretOperation("adopt claim secret", "patch", namespace);
    // The resourceVersion alone is the precondition: versions are unique across incarnations of a name, and a
    // patch naming another uid is refused as invalid (422 "field is immutable"), not as a conflict.
    const body = { metadata: { resourceVersion: current.resourceVersion, annotations: annotations(holder) } };
    return written(op, current.ref, () => this.api.patchNamespacedSecret({ name, namespace, body }, requestOptions({ contentType: MERGE_PATCH })));
  }

  markClaimReported(current: ClaimRecord): Promise<ClaimWrite> {
    const { namespace, name } = current.ref;
    const op = secretOperation("mark claim secret reported", "patch", namespace);
    const body = { metadata: { resourceVersion: current.resourceVersion, annotations: { [ANNOTATION_CLAIM_REPORTED]: "true" } } };
    return written(op, current.ref, () => this.api.patchNamespacedSecret({ name, namespace, body }, requestOptions({ contentType: MERGE_PATCH })));
  }

  async deleteClaim(current: ClaimRecord, propagation: "Background" | "Orphan" = "Background"): Promise<ClaimDelete> {
    const { namespace, name } = current.ref;
    const op = secretOperation("delete claim secret", "delete", namespace);
    try {
      await this.api.deleteNamespacedSecret({
        name,
        namespace,
        body: { propagationPolicy: propagation, preconditions: { uid: current.uid, resourceVersion: current.resourceVersion } },
      });
      return { ok: true };
    } catch (e) {
      const err = toClusterError(e, op);
      if (err.code === "conflict" || err.code === "not_found") return { ok: false, reason: err.code, message: err.message };
      throw err;
    }
  }
}

function annotations(holder: ClaimHolder): Record<string, string> {
  return {
    [ANNOTATION_CLAIM_HOLDER]: holder.holder,
    [ANNOTATION_CLAIM_HOLDER_LEASE]: `${holder.holderLease.namespace}/${holder.holderLease.name}`,
    [ANNOTATION_CLAIM_JOB]: holder.jobName,
    [ANNOTATION_CLAIM_RUN]: holder.runId,
  };
}

async function written(op: KubeOperation, ref: ObjectRef, write: () => Promise<V1Secret>): Promise<ClaimWrite> {
  try {
    return { ok: true, claim: toClaimRecord(await write(), ref) };
  } catch (e) {
    const err = toClusterError(e, op);
    if (err.code === "already_exists" || err.code === "conflict" || err.code === "not_found") return { ok: false, reason: err.code, message: err.message };
    throw err;
  }
}

function toClaimRecord(secret: V1Secret, ref: ObjectRef): ClaimRecord {
  const a = secret.metadata?.annotations ?? {};
  return {
    ref: { namespace: secret.metadata?.namespace ?? ref.namespace, name: secret.metadata?.name ?? ref.name },
    uid: secret.metadata?.uid ?? "",
    resourceVersion: secret.metadata?.resourceVersion ?? "",
    holder: a[ANNOTATION_CLAIM_HOLDER] ?? null,
    holderLease: parseHolderLease(a[ANNOTATION_CLAIM_HOLDER_LEASE]),
    jobName: a[ANNOTATION_CLAIM_JOB] ?? null,
    deleting: secret.metadata?.deletionTimestamp !== undefined && secret.metadata?.deletionTimestamp !== null,
    reported: a[ANNOTATION_CLAIM_REPORTED] !== undefined,
  };
}

function secretOperation(name: string, verb: string, namespace: string): KubeOperation {
  return kubeOperation(name, verb, "secrets", namespace);
}
