import { systemClock, type Clock, type LeaseDelete, type LeaseHolding, type LeasePort, type LeaseRecord, type LeaseWrite, type ObjectRef } from "@clipjob/core";
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease, type V1LeaseSpec } from "@kubernetes/client-node";
import { toClusterError } from "../errors/classify-kube-error.js";
import { kubeOperation, type KubeOperation } from "../errors/kube-operation.js";
import { DEFAULT_READ_RETRY, retryRead, type RetryPolicy } from "../retry/read-retry.js";

export interface KubeLeaseAdapterOptions {
  readonly clock?: Clock;
  readonly readRetry?: RetryPolicy;
  readonly random?: () => number;
}

/**
 * LeasePort on coordination.k8s.io/v1 through client-node's CoordinationV1Api. Every write is conditional on
 * the resourceVersion read (a PUT carrying it, a DELETE with a resourceVersion precondition), so the API
 * server decides each race: 409 AlreadyExists and 409 Conflict come back as refusals, as does a 404. Reads are
 * retried on transient failures; writes never are.
 */
export class KubeLeaseAdapter implements LeasePort {
  private readonly api: CoordinationV1Api;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;

  constructor(kc: KubeConfig, opts: KubeLeaseAdapterOptions = {}) {
    this.api = kc.makeApiClient(CoordinationV1Api);
    this.clock = opts.clock ?? systemClock;
    this.policy = opts.readRetry ?? DEFAULT_READ_RETRY;
    this.random = opts.random ?? Math.random;
  }

  async getLease(ref: ObjectRef): Promise<LeaseRecord | null> {
    const op = leaseOperation("get lease", "get", ref.namespace);
    try {
      const lease = await retryRead(op, { policy: this.policy, clock: this.clock, random: this.random }, () => this.api.readNamespacedLease({ name: ref.name, namespace: ref.namespace }));
      return toLeaseRecord(lease, ref);
    } catch (e) {
      if (toClusterError(e, op).code === "not_found") return null;
      throw toClusterError(e, op);
    }
  }

  createLease(ref: ObjectRef, holding: LeaseHolding, labels: Readonly<Record<string, string>>): Promise<LeaseWrite> {
    const op = leaseOperation("create lease", "create", ref.namespace);
    const body: V1Lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: ref.name, namespace: ref.namespace, labels: { ...labels } }, spec: toSpec(holding) };
    return written(op, ref, () => this.api.createNamespacedLease({ namespace: ref.namespace, body }));
  }

  updateLease(current: LeaseRecord, holding: LeaseHolding): Promise<LeaseWrite> {
    const { namespace, name } = current.ref;
    const op = leaseOperation("update lease", "update", namespace);
    const body: V1Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace, labels: { ...current.labels }, resourceVersion: current.resourceVersion },
      spec: toSpec(holding),
    };
    return written(op, current.ref, () => this.api.replaceNamespacedLease({ name, namespace, body }));
  }

  async deleteLease(current: LeaseRecord): Promise<LeaseDelete> {
    const { namespace, name } = current.ref;
    const op = leaseOperation("delete lease", "delete", namespace);
    try {
      await this.api.deleteNamespacedLease({ name, namespace, body: { preconditions: { resourceVersion: current.resourceVersion } } });
      return { ok: true };
    } catch (e) {
      const err = toClusterError(e, op);
      if (err.code === "conflict" || err.code === "not_found") return { ok: false, reason: err.code, message: err.message };
      throw err;
    }
  }
}

async function written(op: KubeOperation, ref: ObjectRef, write: () => Promise<V1Lease>): Promise<LeaseWrite> {
  try {
    return { ok: true, lease: toLeaseRecord(await write(), ref) };
  } catch (e) {
    const err = toClusterError(e, op);
    if (err.code === "already_exists" || err.code === "conflict" || err.code === "not_found") return { ok: false, reason: err.code, message: err.message };
    throw err;
  }
}

/** MicroTime on the wire: client-node's V1MicroTime writes the six fractional digits the server parses. */
function toSpec(h: LeaseHolding): V1LeaseSpec {
  return {
    holderIdentity: h.holderIdentity,
    leaseDurationSeconds: h.leaseDurationSeconds,
    acquireTime: new V1MicroTime(h.acquireTime),
    renewTime: new V1MicroTime(h.renewTime),
    leaseTransitions: h.leaseTransitions,
  };
}

function toLeaseRecord(lease: V1Lease, ref: ObjectRef): LeaseRecord {
  const s = lease.spec ?? {};
  return {
    ref: { namespace: lease.metadata?.namespace ?? ref.namespace, name: lease.metadata?.name ?? ref.name },
    resourceVersion: lease.metadata?.resourceVersion ?? "",
    labels: { ...lease.metadata?.labels },
    holderIdentity: s.holderIdentity ?? null,
    leaseDurationSeconds: s.leaseDurationSeconds ?? null,
    acquireTime: epochMs(s.acquireTime),
    renewTime: epochMs(s.renewTime),
    leaseTransitions: s.leaseTransitions ?? 0,
  };
}

/** client-node hands MicroTime fields over as the wire's string (its serializer has no type for them) or a Date. */
function epochMs(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value !== "string") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

function leaseOperation(name: string, verb: string, namespace: string): KubeOperation {
  return kubeOperation(name, verb, "leases", namespace, { group: "coordination.k8s.io" });
}
