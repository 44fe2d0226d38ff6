// Every failure that leaves this package is a ClusterError with a stable code. The client library has
// changed its error shape across major versions, so this reads all of them:
//  - client-node 1.x/2.x `ApiException`: numeric `code`, `body` (JSON text or object), `headers`;
//  - client-node 0.x `HttpError` and our own stream requests: `statusCode` / `response.statusCode`;
//  - anything whose message carries "HTTP-Code: <n>" (the ApiException message format);
//  - Node and undici transport errors: string `code` (ECONNRESET…), possibly nested in `cause`.
import { ClusterError, isClusterError, type ClusterErrorCode } from "@clipjob/core";
import type { KubeOperation } from "./kube-operation.js";

interface HttpFailure {
  readonly status: number;
  readonly body: KubeStatusBody | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly fallbackMessage: string;
}

/** The fields of a meta/v1 Status this mapping reads. */
interface KubeStatusBody {
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly retryAfterSeconds?: number };
}

const UNAVAILABLE_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

// Node's TLS verification failures (OpenSSL X509 codes and Node's host name check): the server's
// certificate is not trusted by the configured CA. Permanent: no retry makes it trusted.
const CERTIFICATE_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

const TIMEOUT_CODES = new Set([
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

export function toClusterError(err: unknown, operation: KubeOperation): ClusterError {
  if (isClusterError(err)) return err;
  const http = httpFailure(err);
  if (http) return fromHttp(http, operation, err);
  return fromTransport(err, operation);
}

function fromHttp(http: HttpFailure, operation: KubeOperation, cause: unknown): ClusterError {
  const message = http.body?.message ?? http.fallbackMessage;
  const code = statusCode(http.status, http.body?.reason, operation);
  const retryAfterMs = retryAfter(http);
  return new ClusterError({
    code,
    operation: operation.name,
    message,
    httpStatus: http.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(code === "forbidden" ? { permission: operation.permission } : {}),
    cause,
  });
}

function statusCode(status: number, reason: string | undefined, operation: KubeOperation): ClusterErrorCode {
  switch (status) {
    case 400:
    case 405:
    case 406:
    case 415:
    case 422:
      return "invalid";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 409:
      // The server says AlreadyExists for a create; a Conflict is an optimistic-concurrency or
      // precondition failure. Without a Status body, a 409 on create can only mean the name is taken.
      if (reason === "AlreadyExists") return "already_exists";
      if (reason === undefined && operation.permission.verb === "create") return "already_exists";
      return "conflict";
    case 410:
      return "gone";
    case 413:
      return "too_large";
    case 429:
      return "rate_limited";
    case 502:
    case 503:
      return "unavailable";
    case 504:
      return "timeout";
    default:
      if (status >= 500) return reason === "Timeout" || reason === "ServerTimeout" ? "timeout" : "server_error";
      if (status >= 400) return "invalid";
      return "unknown";
  }
}

function fromTransport(err: unknown, operation: KubeOperation): ClusterError {
  // An abort is the caller's own decision, not a fault of the cluster: it stays "unknown".
  if (isAbort(err)) return new ClusterError({ code: "unknown", operation: operation.name, message: "aborted", cause: err });
  const systemCode = findSystemCode(err);
  const message = firstLine(errorMessage(err));
  let code: ClusterErrorCode = "unknown";
  if (systemCode !== undefined && CERTIFICATE_CODES.has(systemCode)) code = "certificate_untrusted";
  else if (systemCode !== undefined && TIMEOUT_CODES.has(systemCode)) code = "timeout";
  else if (systemCode !== undefined && UNAVAILABLE_CODES.has(systemCode)) code = "unavailable";
  else if (/socket hang up|ECONNRESET|ECONNREFUSED|network socket disconnected/i.test(message)) code = "unavailable";
  else if (/timed? ?out/i.test(message)) code = "timeout";
  return new ClusterError({
    code,
    operation: operation.name,
    message: message || "request failed",
    cause: err,
  });
}

function httpFailure(err: unknown): HttpFailure | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as Record<string, unknown>;
  const response = typeof e["response"] === "object" && e["response"] !== null ? (e["response"] as Record<string, unknown>) : undefined;
  const status =
    numericStatus(e["code"]) ?? numericStatus(e["statusCode"]) ?? numericStatus(response?.["statusCode"]) ?? statusFromMessage(e["message"]);
  if (status === undefined) return undefined;
  const body = parseStatusBody(e["body"] ?? response?.["body"]);
  return {
    status,
    body,
    headers: normaliseHeaders(e["headers"] ?? response?.["headers"]),
    fallbackMessage: fallbackMessage(e["message"], status),
  };
}

function numericStatus(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= 100 && v <= 599 ? v : undefined;
}

function statusFromMessage(message: unknown): number | undefined {
  if (typeof message !== "string") return undefined;
  const m = /HTTP-Code: (\d{3})/.exec(message);
  return m ? Number(m[1]) : undefined;
}

function parseStatusBody(body: unknown): KubeStatusBody | undefined {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() === "" ? undefined : { message: firstLine(body.trim()) };
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const details = typeof v["details"] === "object" && v["details"] !== null ? (v["details"] as Record<string, unknown>) : undefined;
  const retryAfterSeconds = details?.["retryAfterSeconds"];
  return {
    ...(typeof v["message"] === "string" && v["message"] !== "" ? { message: v["message"] } : {}),
    ...(typeof v["reason"] === "string" && v["reason"] !== "" ? { reason: v["reason"] } : {}),
    ...(typeof retryAfterSeconds === "number" ? { details: { retryAfterSeconds } } : {}),
  };
}

function normaliseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers !== "object" || headers === null) return out;
  const entries: Iterable<[string, unknown]> =
    typeof (headers as { forEach?: unknown }).forEach === "function" && typeof (headers as { entries?: unknown }).entries === "function"
      ? (headers as { entries(): Iterable<[string, unknown]> }).entries()
      : Object.entries(headers);
  for (const [k, v] of entries) {
    if (typeof v === "string") out[k.toLowerCase()] = v;
    else if (Array.isArray(v) && typeof v[0] === "string") out[k.toLowerCase()] = v[0];
  }
  return out;
}

function retryAfter(http: HttpFailure): number | undefined {
  const header = http.headers["retry-after"];
  if (header !== undefined) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  const fromBody = http.body?.details?.retryAfterSeconds;
  return fromBody !== undefined && fromBody >= 0 ? fromBody * 1000 : undefined;
}

function fallbackMessage(message: unknown, status: number): string {
  // The ApiException message is "HTTP-Code: n\nMessage: …\nBody: …\nHeaders: …"; keep only its Message line.
  if (typeof message === "string") {
    const m = /^Message: (.*)$/m.exec(message);
    if (m?.[1]) return m[1];
    if (!message.startsWith("HTTP-Code:") && message.trim() !== "") return firstLine(message);
  }
  return `HTTP ${status}`;
}

function findSystemCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbort(err: unknown): boolean {
  return typeof err === "object" && err !== null && ((err as { name?: unknown }).name === "AbortError" || (err as { type?: unknown }).type === "aborted");
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  return String(err);
}

function firstLine(text: string): string {
  const i = text.indexOf("\n");
  return i === -1 ? text : text.slice(0, i);
}
