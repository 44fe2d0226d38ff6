// The one error type ports throw. Adapters classify transport and API failures into these stable codes
// at their edge so the run can decide (retry, block, give up) without knowing which client produced them.

export type ClusterErrorCode =
  | "not_found"
  | "conflict"
  | "already_exists"
  | "forbidden"
  | "unauthorized"
  /** The API server's TLS certificate is not trusted by the configured CA (or has expired, or names another host). */
  | "certificate_untrusted"
  | "invalid"
  | "too_large"
  | "rate_limited"
  | "server_error"
  | "unavailable"
  | "gone"
  | "timeout"
  | "unknown";

export interface MissingPermission {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
}

export interface ClusterErrorInit {
  readonly code: ClusterErrorCode;
  readonly operation: string;
  readonly message: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  readonly permission?: MissingPermission;
  readonly cause?: unknown;
}

export class ClusterError extends Error {
  readonly code: ClusterErrorCode;
  readonly operation: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  readonly permission?: MissingPermission;

  constructor(init: ClusterErrorInit) {
    super(`${init.operation}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "ClusterError";
    this.code = init.code;
    this.operation = init.operation;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.permission !== undefined) this.permission = init.permission;
  }

  /** Worth retrying a read: the server or the path to it may recover. Writes are never blindly retried. */
  get transient(): boolean {
    return (
      this.code === "rate_limited" ||
      this.code === "server_error" ||
      this.code === "unavailable" ||
      this.code === "timeout" ||
      this.code === "unknown"
    );
  }
}

export function isClusterError(err: unknown): err is ClusterError {
  return err instanceof ClusterError || (typeof err === "object" && err !== null && (err as { name?: unknown }).name === "ClusterError" && typeof (err as { code?: unknown }).code === "string");
}
