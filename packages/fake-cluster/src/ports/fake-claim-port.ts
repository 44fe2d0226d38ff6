import {
  ANNOTATION_CLAIM_HOLDER,
  ANNOTATION_CLAIM_HOLDER_LEASE,
  ANNOTATION_CLAIM_JOB,
  ANNOTATION_CLAIM_REPORTED,
  ANNOTATION_CLAIM_RUN,
  ClusterError,
  isClusterError,
  parseHolderLease,
  type ClaimDelete,
  type ClaimHolder,
  type ClaimPort,
  type ClaimRecord,
  type ClaimWrite,
  type ObjectRef,
} from "@clipjob/core";
import type { ApiGateway } from "../api/api-gateway.js";
import type { ObjectStore } from "../store/object-store.js";
import type { SecretObject } from "../store/objects.js";
import type { PortSession } from "./port-session.js";
import type { ReadRetrier } from "./read-retrier.js";

/** The API server refuses a Secret whose data exceeds 1 MiB. */
const MAX_SECRET_DATA_BYTES = 1024 * 1024;

/**
 * ClaimPort over the fake API server: claims are Secrets, and the store's optimistic concurrency
 * answers as the real API server does — 409 AlreadyExists on a taken name, 409 Conflict on a stale
 * resourceVersion (update) or a failed uid / resourceVersion precondition (delete). A read is retried as k8s-infra retries it; writes never are.
 */
export class FakeClaimPort implements ClaimPort {
  constructor(
    private readonly store: ObjectStore,
    private readonly api: ApiGateway,
    private readonly session: PortSession,
    private readonly reads: ReadRetrier,
  ) {}

  async getClaim(ref: ObjectRef): Promise<ClaimRecord | null> {
    this.session.check("get secret");
    const secret = await this.reads.read(() => this.api.call("get secret", ref.namespace, () => this.store.get("Secret", ref.namespace, ref.name)));
    return secret ? toClaimRecord(secret) : null;
  }

  async createClaim(ref: ObjectRef, holder: ClaimHolder, labels: Readonly<Record<string, string>>, data: Readonly<Record<string, string>>): Promise<ClaimWrite> {
    this.session.check("create secret");
    // A Secret holds at most 1 MiB of data; the real adapter refuses a larger claim before sending it, as here.
    const bytes = Object.values(data).reduce((n, v) => n + Buffer.byteLength(v, "utf8"), 0);
    if (bytes > MAX_SECRET_DATA_BYTES) throw new ClusterError({ code: "too_large", operation: "create secret", message: `the payload is ${bytes} bytes; a Secret holds at most ${MAX_SECRET_DATA_BYTES}` });
    return written(() =>
      this.api.call("create secret", ref.namespace, () =>
        this.store.create<"Secret">({ kind: "Secret", metadata: { name: ref.name, namespace: ref.namespace, labels: { ...labels }, annotations: annotations(holder) }, data: { ...data } }),
      ),
    );
  }

  async adoptClaim(current: ClaimRecord, holder: ClaimHolder): Promise<ClaimWrite> {
    this.session.check("patch secret");
    const { namespace, name } = current.ref;
    return written(() =>
      this.api.call("patch secret", namespace, () =>
        this.store.update("Secret", namespace, name, (s) => (s.metadata.annotations = { ...s.metadata.annotations, ...annotations(holder) }), { resourceVersion: current.resourceVersion }),
      ),
    );
  }

  async markClaimReported(current: ClaimRecord): Promise<ClaimWrite> {
    this.session.check("patch secret");
    const { namespace, name } = current.ref;
    return written(() =>
      this.api.call("patch secret", namespace, () =>
        this.store.update("Secret", namespace, name, (s) => (s.metadata.annotations = { ...s.metadata.annotations, [ANNOTATION_CLAIM_REPORTED]: "true" }), { resourceVersion: current.resourceVersion }),
      ),
    );
  }

  async deleteClaim(current: ClaimRecord, propagation: "Background" | "Orphan" = "Background"): Promise<ClaimDelete> {
    this.session.check("delete secret");
    const { namespace, name } = current.ref;
    try {
      await this.api.call("delete secret", namespace, () => this.store.delete("Secret", namespace, name, { propagation, uid: current.uid, resourceVersion: current.resourceVersion }));
      return { ok: true };
    } catch (err) {
      if (isClusterError(err) && (err.code === "conflict" || err.code === "not_found")) return { ok: false, reason: err.code, message: err.message };
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

async function written(write: () => Promise<SecretObject>): Promise<ClaimWrite> {
  try {
    return { ok: true, claim: toClaimRecord(await write()) };
  } catch (err) {
    if (isClusterError(err) && (err.code === "already_exists" || err.code === "conflict" || err.code === "not_found")) return { ok: false, reason: err.code, message: err.message };
    throw err;
  }
}

export function toClaimRecord(secret: SecretObject): ClaimRecord {
  const a = secret.metadata.annotations;
  return {
    ref: { namespace: secret.metadata.namespace, name: secret.metadata.name },
    uid: secret.metadata.uid,
    resourceVersion: secret.metadata.resourceVersion,
    holder: a[ANNOTATION_CLAIM_HOLDER] ?? null,
    holderLease: parseHolderLease(a[ANNOTATION_CLAIM_HOLDER_LEASE]),
    jobName: a[ANNOTATION_CLAIM_JOB] ?? null,
    deleting: secret.metadata.deletionTimestamp !== undefined,
    reported: a[ANNOTATION_CLAIM_REPORTED] !== undefined,
  };
}
