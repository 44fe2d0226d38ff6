import type { ErrorCode } from "../outcome/error-codes.js";
import { isClusterError, type ClusterError } from "../ports/cluster-error.js";

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

/**
 * The permanent failures of reaching the cluster at all, with their own codes: RBAC refused a verb, the API
 * server rejected the credentials, or its certificate is not trusted. Retrying cannot help any of them.
 * Null for every other error.
 */
export function accessFailure(error: unknown): { readonly code: ErrorCode; readonly message: string } | null {
  if (!isClusterError(error)) return null;
  switch (error.code) {
    case "forbidden":
      return { code: "k8s_permission_denied", message: permissionMessage(error) };
    case "unauthorized":
      return {
        code: "k8s_credentials_rejected",
        message: `The API server rejected the credentials (HTTP 401 on ${error.operation}): the kubeconfig's token or client certificate is wrong, expired or revoked.`,
      };
    case "certificate_untrusted":
      return {
        code: "k8s_certificate_untrusted",
        message: `The API server's TLS certificate is not trusted (${error.message}): check the kubeconfig's certificate-authority(-data) and server address.`,
      };
    default:
      return null;
  }
}
