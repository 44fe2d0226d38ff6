import { ApiException } from "@kubernetes/client-node";
import { ClusterError, type ClusterErrorCode } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { toClusterError } from "./classify-kube-error.js";
import { kubeOperation } from "./kube-operation.js";

const createJob = kubeOperation("create job", "create", "jobs", "agents", { group: "batch" });
const getJob = kubeOperation("get job", "get", "jobs", "agents", { group: "batch" });

const status = (code: number, reason: string, message = `${reason} happened`) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message });

function systemError(code: string, message = `connect ${code} 10.0.0.1:443`): Error {
  return Object.assign(new Error(message), { code });
}

interface Row {
  readonly name: string;
  readonly err: unknown;
  readonly op?: typeof createJob;
  readonly code: ClusterErrorCode;
  readonly httpStatus?: number;
  readonly message?: string;
  readonly retryAfterMs?: number;
}

const rows: Row[] = [
  // client-node 1.x / 2.x ApiException: body is the Status JSON text.
  { name: "1.x 404", err: new ApiException(404, "Unknown API Status Code!", status(404, "NotFound", 'jobs.batch "x" not found'), {}), code: "not_found", httpStatus: 404, message: 'jobs.batch "x" not found' },
  { name: "1.x 409 AlreadyExists", err: new ApiException(409, "x", status(409, "AlreadyExists"), {}), code: "already_exists", httpStatus: 409 },
  { name: "1.x 409 Conflict on get", err: new ApiException(409, "x", status(409, "Conflict"), {}), op: getJob, code: "conflict" },
  { name: "1.x 409 Conflict on create", err: new ApiException(409, "x", status(409, "Conflict"), {}), code: "conflict" },
  { name: "409 without body on create", err: { statusCode: 409 }, code: "already_exists" },
  { name: "409 without body on get", err: { statusCode: 409 }, op: getJob, code: "conflict" },
  { name: "1.x 401 (no body)", err: new ApiException(401, "Unauthorized", undefined, {}), code: "unauthorized", message: "Unauthorized" },
  { name: "1.x 400", err: new ApiException(400, "x", status(400, "BadRequest", 'container "claude" in pod "p" is waiting to start: ContainerCreating'), {}), code: "invalid", message: 'container "claude" in pod "p" is waiting to start: ContainerCreating' },
  { name: "1.x 422", err: new ApiException(422, "x", status(422, "Invalid"), {}), code: "invalid" },
  { name: "1.x 410", err: new ApiException(410, "x", status(410, "Expired"), {}), code: "gone" },
  { name: "1.x 413", err: new ApiException(413, "x", status(413, "RequestEntityTooLarge"), {}), code: "too_large" },
  { name: "1.x 429 with Retry-After", err: new ApiException(429, "x", status(429, "TooManyRequests"), { "retry-after": "3" }), code: "rate_limited", retryAfterMs: 3000 },
  { name: "429 retryAfterSeconds in Status", err: new ApiException(429, "x", JSON.stringify({ code: 429, reason: "TooManyRequests", details: { retryAfterSeconds: 2 } }), {}), code: "rate_limited", retryAfterMs: 2000 },
  { name: "1.x 503 with Retry-After", err: new ApiException(503, "x", "", { "Retry-After": "1" }), code: "unavailable", retryAfterMs: 1000 },
  { name: "1.x 500", err: new ApiException(500, "x", status(500, "InternalError"), {}), code: "server_error" },
  { name: "500 ServerTimeout", err: new ApiException(500, "x", status(500, "ServerTimeout"), {}), code: "timeout" },
  { name: "504", err: new ApiException(504, "x", status(504, "Timeout"), {}), code: "timeout" },
  { name: "502", err: new ApiException(502, "x", "bad gateway", {}), code: "unavailable", message: "bad gateway" },
  { name: "2.x ApiException with parsed body object", err: Object.assign(new Error("HTTP-Code: 404"), { code: 404, body: { reason: "NotFound", message: "gone" }, headers: {} }), code: "not_found", message: "gone" },
  // client-node 0.x HttpError and the Watch helper's error.
  { name: "0.x HttpError statusCode", err: Object.assign(new Error("HTTP request failed"), { statusCode: 404, body: { message: "pods not found" } }), code: "not_found", message: "pods not found" },
  { name: "0.x HttpError response.statusCode", err: Object.assign(new Error("HTTP request failed"), { response: { statusCode: 503, headers: { "retry-after": "5" } } }), code: "unavailable", retryAfterMs: 5000 },
  // Only the message survived (wrapped or re-thrown errors).
  { name: "message with HTTP-Code", err: new Error("HTTP-Code: 404\nMessage: Unknown API Status Code!\nBody: {}\nHeaders: {}"), code: "not_found", message: "Unknown API Status Code!" },
  // Transport.
  { name: "ECONNREFUSED", err: systemError("ECONNREFUSED"), code: "unavailable" },
  { name: "ECONNRESET", err: systemError("ECONNRESET", "read ECONNRESET"), code: "unavailable", message: "read ECONNRESET" },
  { name: "ETIMEDOUT", err: systemError("ETIMEDOUT"), code: "timeout" },
  { name: "node-fetch FetchError", err: Object.assign(new Error("request to https://k/ failed, reason: socket hang up"), { type: "system", code: "ECONNRESET", errno: "ECONNRESET" }), code: "unavailable" },
  { name: "socket hang up without code", err: new Error("socket hang up"), code: "unavailable" },
  { name: "undici fetch failed with cause", err: Object.assign(new TypeError("fetch failed"), { cause: systemError("UND_ERR_CONNECT_TIMEOUT", "Connect Timeout Error") }), code: "timeout" },
  // TLS: the server's certificate is not trusted by the kubeconfig's CA (permanent, issue 14 fault 5).
  { name: "TLS: unable to verify the first certificate", err: systemError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"), code: "certificate_untrusted", message: "unable to verify the first certificate" },
  { name: "TLS: self-signed certificate in chain", err: systemError("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain"), code: "certificate_untrusted" },
  { name: "TLS: host name mismatch", err: systemError("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames"), code: "certificate_untrusted" },
  { name: "TLS: expired", err: systemError("CERT_HAS_EXPIRED", "certificate has expired"), code: "certificate_untrusted" },
  { name: "TLS failure wrapped by fetch", err: Object.assign(new TypeError("fetch failed"), { cause: systemError("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate") }), code: "certificate_untrusted" },
  { name: "abort", err: Object.assign(new Error("The operation was aborted"), { name: "AbortError" }), code: "unknown", message: "aborted" },
  { name: "anything else", err: new Error("boom"), code: "unknown", message: "boom" },
  { name: "a thrown string", err: "weird", code: "unknown", message: "weird" },
];

describe("toClusterError", () => {
  it.each(rows)("$name → $code", (row) => {
    const e = toClusterError(row.err, row.op ?? createJob);
    expect(e).toBeInstanceOf(ClusterError);
    expect(e.code).toBe(row.code);
    expect(e.operation).toBe((row.op ?? createJob).name);
    if (row.httpStatus !== undefined) expect(e.httpStatus).toBe(row.httpStatus);
    if (row.message !== undefined) expect(e.message).toBe(`${(row.op ?? createJob).name}: ${row.message}`);
    expect(e.retryAfterMs).toBe(row.retryAfterMs);
    expect(e.cause).toBe(row.err);
  });

  it("names the missing permission on 403, from the operation", () => {
    const op = kubeOperation("follow log", "get", "pods", "agents", { subresource: "log" });
    const e = toClusterError(new ApiException(403, "x", status(403, "Forbidden", 'pods "p" is forbidden'), {}), op);
    expect(e.code).toBe("forbidden");
    expect(e.permission).toEqual({ verb: "get", group: "", resource: "pods", subresource: "log", namespace: "agents" });
  });

  it("leaves permission unset for anything but 403", () => {
    expect(toClusterError(new ApiException(404, "x", "", {}), createJob).permission).toBeUndefined();
  });

  it("passes a ClusterError through unchanged", () => {
    const original = new ClusterError({ code: "gone", operation: "watch jobs", message: "expired" });
    expect(toClusterError(original, createJob)).toBe(original);
  });

  it("reads an HTTP-date Retry-After", () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    const e = toClusterError(new ApiException(503, "x", "", { "retry-after": at }), getJob);
    expect(e.retryAfterMs).toBeGreaterThan(50_000);
    expect(e.retryAfterMs).toBeLessThanOrEqual(60_000);
  });
});
