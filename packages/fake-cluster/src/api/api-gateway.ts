import type { AccessCheck } from "@clipjob/core";
import { apiError } from "./api-errors.js";
import type { FaultInjector } from "../faults/fault-injector.js";

export type Permission = Omit<AccessCheck, "namespace">;

/** The RBAC permission each request kind needs (what the README's Role grants). */
const PERMISSION: Record<string, Permission> = {
  "get job": { verb: "get", group: "batch", resource: "jobs" },
  "list jobs": { verb: "list", group: "batch", resource: "jobs" },
  "watch jobs": { verb: "watch", group: "batch", resource: "jobs" },
  "create job": { verb: "create", group: "batch", resource: "jobs" },
  "patch job": { verb: "patch", group: "batch", resource: "jobs" },
  "delete job": { verb: "delete", group: "batch", resource: "jobs" },
  "get pod": { verb: "get", group: "", resource: "pods" },
  "list pods": { verb: "list", group: "", resource: "pods" },
  "watch pods": { verb: "watch", group: "", resource: "pods" },
  "follow log": { verb: "get", group: "", resource: "pods", subresource: "log" },
  "get log": { verb: "get", group: "", resource: "pods", subresource: "log" },
  "create secret": { verb: "create", group: "", resource: "secrets" },
  "get secret": { verb: "get", group: "", resource: "secrets" },
  "patch secret": { verb: "patch", group: "", resource: "secrets" },
  "delete secret": { verb: "delete", group: "", resource: "secrets" },
  "get pvc": { verb: "get", group: "", resource: "persistentvolumeclaims" },
  "get namespace": { verb: "get", group: "", resource: "namespaces" },
  "get lease": { verb: "get", group: "coordination.k8s.io", resource: "leases" },
  "create lease": { verb: "create", group: "coordination.k8s.io", resource: "leases" },
  "update lease": { verb: "update", group: "coordination.k8s.io", resource: "leases" },
  "delete lease": { verb: "delete", group: "coordination.k8s.io", resource: "leases" },
};

function permissionKey(p: Permission): string {
  return `${p.verb} ${p.group}/${p.resource}${p.subresource ? `/${p.subresource}` : ""}`;
}

/** The adapter's identity as the API server sees it. */
export const FAKE_IDENTITY = "system:serviceaccount:clipjob:clipjob-runner";

/**
 * The front door of the fake API server for the ports: counts every request by kind, enforces RBAC, and
 * applies injected request faults (before the server acts, or after it committed when the rule says so).
 */
export class ApiGateway {
  private readonly counts = new Map<string, number>();
  private readonly denied = new Set<string>();

  constructor(private readonly faults: FaultInjector) {}

  deny(p: Permission): void {
    this.denied.add(permissionKey(p));
  }

  allow(p: Permission): void {
    this.denied.delete(permissionKey(p));
  }

  isAllowed(p: Permission): boolean {
    return !this.denied.has(permissionKey(p));
  }

  requests(): Readonly<Record<string, number>> {
    return Object.fromEntries([...this.counts.entries()].sort((a, b) => a[0].localeCompare(b[0])));
  }

  resetRequests(): void {
    this.counts.clear();
  }

  /** One API request. `fn` is the server's work; it runs synchronously after the checks. */
  async call<T>(operation: string, namespace: string, fn: () => T): Promise<T> {
    await Promise.resolve();
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    const perm = PERMISSION[operation];
    if (perm && this.denied.has(permissionKey(perm))) {
      const what = perm.subresource ? `${perm.resource}/${perm.subresource}` : perm.resource;
      throw apiError(
        "forbidden",
        operation,
        `${perm.group ? `${perm.resource}.${perm.group}` : perm.resource} is forbidden: User "${FAKE_IDENTITY}" cannot ${perm.verb} resource "${what}" in API group "${perm.group}" in the namespace "${namespace}"`,
        { permission: { ...perm, namespace } },
      );
    }
    const fault = this.faults.check(operation);
    if (fault && !fault.afterCommit) throw fault.error;
    const result = fn();
    if (fault) throw fault.error;
    return result;
  }
}
