import { describe, expect, it } from "vitest";
import { auditKind, auditRequestsByKind } from "./audit-count.js";

const SA = "system:serviceaccount:ns:clipjob-adapter";

function event(auditID: string, stage: string, verb: string, resource: string, subresource?: string, username = SA): string {
  return JSON.stringify({ kind: "Event", auditID, stage, verb, user: { username }, objectRef: { resource, namespace: "ns", ...(subresource ? { subresource } : {}) } });
}

describe("auditKind", () => {
  it.each([
    { verb: "create", resource: "jobs", subresource: undefined, kind: "create job" },
    { verb: "patch", resource: "jobs", subresource: undefined, kind: "patch job" },
    { verb: "list", resource: "jobs", subresource: undefined, kind: "list jobs" },
    { verb: "watch", resource: "pods", subresource: undefined, kind: "watch pods" },
    { verb: "get", resource: "pods", subresource: "log", kind: "follow log" },
    { verb: "create", resource: "selfsubjectaccessreviews", subresource: undefined, kind: "create selfsubjectaccessreview" },
    { verb: "get", resource: "jobs", subresource: "status", kind: "get job/status" },
  ])("$verb $resource $subresource is '$kind'", ({ verb, resource, subresource, kind }) => {
    expect(auditKind(verb, resource, subresource)).toBe(kind);
  });
});

describe("auditRequestsByKind", () => {
  it("counts each responded request once, only for the given user, and skips non-event lines", () => {
    const log = [
      event("a", "RequestReceived", "create", "jobs"),
      event("a", "ResponseComplete", "create", "jobs"),
      event("w", "RequestReceived", "watch", "jobs"),
      event("w", "ResponseStarted", "watch", "jobs"),
      event("w", "ResponseComplete", "watch", "jobs"),
      event("l", "ResponseStarted", "get", "pods", "log"),
      event("x", "RequestReceived", "list", "pods"),
      event("o", "ResponseComplete", "list", "pods", undefined, "system:kube-scheduler"),
      "not json",
      "",
    ].join("\n");
    expect(auditRequestsByKind(log, SA)).toEqual({ "create job": 1, "watch jobs": 1, "follow log": 1 });
  });
});
