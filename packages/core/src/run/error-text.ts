import type { ClusterError } from "../ports/cluster-error.js";

/** The message of an error of any shape, for outcome messages and notices. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Names the verb and resource RBAC refused, so the fix (a Role rule) is obvious from the outcome alone. */
export function permissionMessage(error: ClusterError): string {
  const p = error.permission;
  if (!p) return `Permission denied: ${error.message}`;
  const resource = `${p.resource}${p.subresource ? `/${p.subresource}` : ""}${p.group ? `.${p.group}` : ""}`;
  return `Permission denied: the adapter's service account may not ${p.verb} ${resource}${p.namespace ? ` in namespace ${p.namespace}` : ""} (${error.operation}). Grant it in the Role (see README "RBAC").`;
}
