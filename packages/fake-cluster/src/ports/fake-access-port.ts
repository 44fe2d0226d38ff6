import { isClusterError, type AccessCheck, type AccessPort, type AccessVerdict } from "@clipjob/core";
import type { ApiGateway } from "../api/api-gateway.js";
import type { ObjectStore } from "../store/object-store.js";
import type { PortSession } from "./port-session.js";
import type { ReadRetrier } from "./read-retrier.js";

/**
 * SelfSubjectAccessReview and the existence checks, answered from the fake's RBAC (see denyPermission). Each
 * is a read to the real adapter, retried on a transient failure (ReadRetrier).
 */
export class FakeAccessPort implements AccessPort {
  constructor(
    private readonly store: ObjectStore,
    private readonly api: ApiGateway,
    private readonly session: PortSession,
    private readonly reads: ReadRetrier,
  ) {}

  async review(checks: readonly AccessCheck[]): Promise<AccessVerdict[]> {
    this.session.check("create selfsubjectaccessreview");
    const out: AccessVerdict[] = [];
    for (const check of checks) {
      try {
        const allowed = await this.reads.read(() => this.api.call("create selfsubjectaccessreview", check.namespace, () => this.api.isAllowed(check)));
        out.push(allowed ? { check, allowed: true } : { check, allowed: false, reason: "no RBAC policy matched" });
      } catch (err) {
        out.push({ check, allowed: "unknown", error: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }

  async namespaceExists(namespace: string): Promise<boolean | "unknown"> {
    return this.forbiddenIsUnknown(() => this.reads.read(() => this.api.call("get namespace", namespace, () => this.store.get("Namespace", "", namespace) !== undefined)), "get namespace");
  }

  async secretExists(namespace: string, name: string): Promise<boolean | "unknown"> {
    return this.forbiddenIsUnknown(() => this.reads.read(() => this.api.call("get secret", namespace, () => this.store.get("Secret", namespace, name) !== undefined)), "get secret");
  }

  async claimAccessModes(namespace: string, claimName: string): Promise<readonly string[] | null> {
    this.session.check("get pvc");
    const pvc = await this.reads.read(() => this.api.call("get pvc", namespace, () => this.store.get("PersistentVolumeClaim", namespace, claimName)));
    return pvc ? [...pvc.spec.accessModes] : null;
  }

  private async forbiddenIsUnknown(fn: () => Promise<boolean>, operation: string): Promise<boolean | "unknown"> {
    this.session.check(operation);
    try {
      return await fn();
    } catch (err) {
      if (isClusterError(err) && err.code === "forbidden") return "unknown";
      throw err;
    }
  }
}
