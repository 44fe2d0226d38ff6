import { isClusterError, type LeaseDelete, type LeaseHolding, type LeasePort, type LeaseRecord, type LeaseWrite, type ObjectRef } from "@clipjob/core";
import type { ApiGateway } from "../api/api-gateway.js";
import type { ObjectStore } from "../store/object-store.js";
import type { LeaseObject } from "../store/objects.js";
import type { PortSession } from "./port-session.js";
import type { ReadRetrier } from "./read-retrier.js";

/**
 * LeasePort over the fake API server: the store's optimistic concurrency answers as the real one does (409
 * AlreadyExists on a taken name, 409 Conflict on a stale resourceVersion, update or delete alike). Like the
 * real adapter it retries the read (`getLease`, see ReadRetrier) and never a write.
 */
export class FakeLeasePort implements LeasePort {
  constructor(
    private readonly store: ObjectStore,
    private readonly api: ApiGateway,
    private readonly session: PortSession,
    private readonly reads: ReadRetrier,
  ) {}

  async getLease(ref: ObjectRef): Promise<LeaseRecord | null> {
    this.session.check("get lease");
    const lease = await this.reads.read(() => this.api.call("get lease", ref.namespace, () => this.store.get("Lease", ref.namespace, ref.name)));
    return lease ? toLeaseRecord(lease) : null;
  }

  async createLease(ref: ObjectRef, holding: LeaseHolding, labels: Readonly<Record<string, string>>): Promise<LeaseWrite> {
    this.session.check("create lease");
    return written(() =>
      this.api.call("create lease", ref.namespace, () =>
        this.store.create<"Lease">({ kind: "Lease", metadata: { name: ref.name, namespace: ref.namespace, labels: { ...labels } }, spec: { ...holding } }),
      ),
    );
  }

  /** A PUT: like the real API server, one naming a Lease that is gone creates it (leases allow create on update). */
  async updateLease(current: LeaseRecord, holding: LeaseHolding): Promise<LeaseWrite> {
    this.session.check("update lease");
    const { namespace, name } = current.ref;
    return written(() =>
      this.api.call("update lease", namespace, () =>
        this.store.get("Lease", namespace, name)
          ? this.store.update("Lease", namespace, name, (l) => (l.spec = { ...holding }), { resourceVersion: current.resourceVersion })
          : this.store.create<"Lease">({ kind: "Lease", metadata: { name, namespace, labels: { ...current.labels } }, spec: { ...holding } }),
      ),
    );
  }

  async deleteLease(current: LeaseRecord): Promise<LeaseDelete> {
    this.session.check("delete lease");
    const { namespace, name } = current.ref;
    try {
      await this.api.call("delete lease", namespace, () => this.store.delete("Lease", namespace, name, { resourceVersion: current.resourceVersion }));
      return { ok: true };
    } catch (err) {
      if (isClusterError(err) && (err.code === "conflict" || err.code === "not_found")) return { ok: false, reason: err.code, message: err.message };
      throw err;
    }
  }
}

async function written(write: () => Promise<LeaseObject>): Promise<LeaseWrite> {
  try {
    return { ok: true, lease: toLeaseRecord(await write()) };
  } catch (err) {
    if (isClusterError(err) && (err.code === "already_exists" || err.code === "conflict" || err.code === "not_found")) return { ok: false, reason: err.code, message: err.message };
    throw err;
  }
}

export function toLeaseRecord(lease: LeaseObject): LeaseRecord {
  const s = lease.spec;
  return {
    ref: { namespace: lease.metadata.namespace, name: lease.metadata.name },
    resourceVersion: lease.metadata.resourceVersion,
    labels: { ...lease.metadata.labels },
    holderIdentity: s.holderIdentity ?? null,
    leaseDurationSeconds: s.leaseDurationSeconds ?? null,
    acquireTime: s.acquireTime ?? null,
    renewTime: s.renewTime ?? null,
    leaseTransitions: s.leaseTransitions ?? 0,
  };
}
