import { ClusterError, type ClusterErrorCode, type MissingPermission } from "@clipjob/core";
import type { Kind } from "../store/objects.js";

const RESOURCE: Record<Kind, string> = {
  Job: "jobs.batch",
  Pod: "pods",
  Secret: "secrets",
  ConfigMap: "configmaps",
  Node: "nodes",
  PersistentVolumeClaim: "persistentvolumeclaims",
  Namespace: "namespaces",
  Lease: "leases.coordination.k8s.io",
};

const STATUS: Partial<Record<ClusterErrorCode, number>> = {
  not_found: 404,
  conflict: 409,
  already_exists: 409,
  forbidden: 403,
  unauthorized: 401,
  invalid: 400,
  gone: 410,
  rate_limited: 429,
  server_error: 500,
  unavailable: 503,
  timeout: 504,
};

export function apiError(
  code: ClusterErrorCode,
  operation: string,
  message: string,
  extra: { retryAfterMs?: number; httpStatus?: number; permission?: MissingPermission } = {},
): ClusterError {
  const httpStatus = extra.httpStatus ?? STATUS[code];
  return new ClusterError({
    code,
    operation,
    message,
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
    ...(extra.permission !== undefined ? { permission: extra.permission } : {}),
  });
}

export function notFound(kind: Kind, name: string, operation: string): ClusterError {
  return apiError("not_found", operation, `${RESOURCE[kind]} "${name}" not found`);
}

export function alreadyExists(kind: Kind, name: string, operation: string): ClusterError {
  return apiError("already_exists", operation, `${RESOURCE[kind]} "${name}" already exists`);
}

export function conflict(kind: Kind, name: string, operation: string, why: string): ClusterError {
  return apiError("conflict", operation, `Operation cannot be fulfilled on ${RESOURCE[kind]} "${name}": ${why}`);
}

export function resourceName(kind: Kind): string {
  return RESOURCE[kind];
}
