export interface AccessCheck {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace: string;
}

export type AccessVerdict =
  | { readonly check: AccessCheck; readonly allowed: true }
  | { readonly check: AccessCheck; readonly allowed: false; readonly reason?: string }
  | { readonly check: AccessCheck; readonly allowed: "unknown"; readonly error: string };

/** "Can I?" for the identity the adapter runs as (SelfSubjectAccessReview on a real cluster). */
export interface AccessPort {
  review(checks: readonly AccessCheck[]): Promise<AccessVerdict[]>;
  /** Namespace exists and is readable; `unknown` when the identity may not read namespaces. */
  namespaceExists(namespace: string): Promise<boolean | "unknown">;
  /** Secret exists in the namespace. */
  secretExists(namespace: string, name: string): Promise<boolean | "unknown">;
  /** Access modes of a PVC, or `null` when it does not exist. */
  claimAccessModes(namespace: string, claimName: string): Promise<readonly string[] | null>;
}

/** Every permission a full run needs. The Role in the README and every manifest is generated from this list (`pnpm generate:role`). */
export const REQUIRED_PERMISSIONS: readonly Omit<AccessCheck, "namespace">[] = [
  { verb: "create", group: "batch", resource: "jobs" },
  { verb: "get", group: "batch", resource: "jobs" },
  { verb: "list", group: "batch", resource: "jobs" },
  { verb: "watch", group: "batch", resource: "jobs" },
  { verb: "patch", group: "batch", resource: "jobs" },
  { verb: "delete", group: "batch", resource: "jobs" },
  { verb: "get", group: "", resource: "pods" },
  { verb: "list", group: "", resource: "pods" },
  { verb: "watch", group: "", resource: "pods" },
  { verb: "get", group: "", resource: "pods", subresource: "log" },
  // The payload Secret is the agent claim (one agent, one Job across processes, docs/architecture.md "Across
  // processes"): created per run, read and patched (adopted) or deleted only when another process's claim is
  // contended.
  { verb: "create", group: "", resource: "secrets" },
  { verb: "get", group: "", resource: "secrets" },
  { verb: "patch", group: "", resource: "secrets" },
  { verb: "delete", group: "", resource: "secrets" },
  { verb: "get", group: "", resource: "persistentvolumeclaims" },
  // The claim holder's liveness: one Lease per process, renewed while it holds claims (docs/architecture.md, "Across processes").
  { verb: "get", group: "coordination.k8s.io", resource: "leases" },
  { verb: "create", group: "coordination.k8s.io", resource: "leases" },
  { verb: "update", group: "coordination.k8s.io", resource: "leases" },
  { verb: "delete", group: "coordination.k8s.io", resource: "leases" },
];
