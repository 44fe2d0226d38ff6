import { REQUIRED_PERMISSIONS } from "@clipjob/core";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeKubeApiForFile } from "@clipjob/kube-test-kit";
import { KubeAccessAdapter } from "./kube-access-adapter.js";

const api = await fakeKubeApiForFile();
let access: KubeAccessAdapter;

beforeEach(() => {
  access = new KubeAccessAdapter(api.kubeConfig(), { readRetry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
});

describe("KubeAccessAdapter", () => {
  it("reviews every required permission and reports exactly the missing ones", async () => {
    api.allow = (a) => !(a.resource === "secrets" && a.verb === "delete") && a.subresource !== "log";
    const verdicts = await access.review(REQUIRED_PERMISSIONS.map((p) => ({ ...p, namespace: "agents" })));
    expect(verdicts).toHaveLength(REQUIRED_PERMISSIONS.length);
    const denied = verdicts.filter((v) => v.allowed === false).map((v) => `${v.check.verb} ${v.check.resource}${v.check.subresource ? `/${v.check.subresource}` : ""}`);
    expect(denied).toEqual(["get pods/log", "delete secrets"]);
    const sent = api.requests.map((r) => (r.body as any).spec.resourceAttributes);
    expect(sent).toContainEqual({ verb: "get", group: "", resource: "pods", subresource: "log", namespace: "agents" });
    expect(sent).toContainEqual({ verb: "create", group: "batch", resource: "jobs", namespace: "agents" });
  });

  it("a review the server cannot answer is unknown, not denied", async () => {
    api.failNext("POST", /selfsubjectaccessreviews$/, { status: 500 }, 2);
    const [verdict] = await access.review([{ verb: "get", group: "", resource: "pods", namespace: "agents" }]);
    expect(verdict).toMatchObject({ allowed: "unknown", error: expect.stringContaining("review access") });
  });

  it.each([
    ["present", true, true],
    ["absent", false, false],
  ])("namespaceExists: %s", async (_name, present, expected) => {
    if (present) api.namespaces.add("agents");
    expect(await access.namespaceExists("agents")).toBe(expected);
  });

  it("namespaceExists is unknown when the identity may not read namespaces", async () => {
    api.allow = (a) => a.resource !== "namespaces";
    expect(await access.namespaceExists("agents")).toBe("unknown");
  });

  it("secretExists: true, false, or unknown without permission", async () => {
    api.secrets.set("agents/anthropic", { metadata: { name: "anthropic", namespace: "agents" } });
    expect(await access.secretExists("agents", "anthropic")).toBe(true);
    expect(await access.secretExists("agents", "missing")).toBe(false);
    api.allow = () => false;
    expect(await access.secretExists("agents", "anthropic")).toBe("unknown");
  });

  it("claimAccessModes prefers the bound modes, and is null for a missing claim", async () => {
    api.claims.set("agents/data", { metadata: { name: "data", namespace: "agents" }, spec: { accessModes: ["ReadWriteOnce", "ReadWriteMany"] }, status: { accessModes: ["ReadWriteMany"] } });
    api.claims.set("agents/pending", { metadata: { name: "pending", namespace: "agents" }, spec: { accessModes: ["ReadWriteOnce"] } });
    expect(await access.claimAccessModes("agents", "data")).toEqual(["ReadWriteMany"]);
    expect(await access.claimAccessModes("agents", "pending")).toEqual(["ReadWriteOnce"]);
    expect(await access.claimAccessModes("agents", "nope")).toBeNull();
  });

  it("claimAccessModes without permission throws forbidden naming the permission", async () => {
    api.allow = () => false;
    await expect(access.claimAccessModes("agents", "data")).rejects.toMatchObject({ code: "forbidden", permission: { verb: "get", resource: "persistentvolumeclaims", namespace: "agents" } });
  });
});
