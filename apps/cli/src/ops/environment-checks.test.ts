import { describe, expect, it } from "vitest";
import { REQUIRED_PERMISSIONS } from "@clipjob/core";
import { FakeCluster } from "@clipjob/fake-cluster";
import { checkEnvironment, type EnvironmentReport } from "./environment-checks.js";

const CLAIM = "paperclip-data";
const SECRET = "paperclip-secrets";

/** A namespace set up the way the README asks: credentials Secret, RWX claim mounted by the host pod. */
function healthyCluster(): FakeCluster {
  const fake = new FakeCluster({ host: { paperclipClaimName: CLAIM } });
  fake.addSecret(SECRET, { ANTHROPIC_API_KEY: "sk-test" });
  fake.addPvc(CLAIM, ["ReadWriteMany"]);
  return fake;
}

async function doctor(fake: FakeCluster, namespace = fake.namespace): Promise<EnvironmentReport> {
  return checkEnvironment({ access: fake.access, host: fake.host, namespace, secretRef: SECRET });
}

function check(report: EnvironmentReport, id: string) {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(", ")}`);
  return found;
}

describe("checkEnvironment", () => {
  it("passes every check in a namespace set up as documented", async () => {
    const fake = healthyCluster();
    try {
      const report = await doctor(fake);
      expect(report.status).toBe("pass");
      expect(report.checks.every((c) => c.status === "pass")).toBe(true);
      // API, namespace, one per permission, Secret, PVC.
      expect(report.checks).toHaveLength(2 + REQUIRED_PERMISSIONS.length + 2);
    } finally {
      fake.dispose();
    }
  });

  it.each([
    { verb: "patch", group: "batch", resource: "jobs", id: "rbac_patch_jobs" },
    { verb: "get", group: "", resource: "pods", subresource: "log", id: "rbac_get_pods_log" },
    { verb: "create", group: "", resource: "secrets", id: "rbac_create_secrets" },
  ])("fails when $verb $resource is denied, with the Role rule to add", async ({ id, ...permission }) => {
    const fake = healthyCluster();
    try {
      fake.denyPermission(permission);
      const report = await doctor(fake);
      expect(report.status).toBe("fail");
      const denied = check(report, id);
      expect(denied.status).toBe("fail");
      const resource = permission.subresource ? `${permission.resource}/${permission.subresource}` : permission.resource;
      expect(denied.hint).toContain(`resources ["${resource}"], verbs ["${permission.verb}"]`);
      expect(report.checks.filter((c) => c.status === "fail")).toHaveLength(1);
    } finally {
      fake.dispose();
    }
  });

  it.each([
    {
      name: "a missing credentials Secret warns",
      setup: (fake: FakeCluster) => fake.addPvc(CLAIM, ["ReadWriteMany"]),
      host: { paperclipClaimName: CLAIM },
      id: "secret_exists",
      status: "warn",
    },
    {
      name: "a ReadWriteOnce claim warns",
      setup: (fake: FakeCluster) => {
        fake.addSecret(SECRET, { k: "v" });
        fake.addPvc(CLAIM, ["ReadWriteOnce"]);
      },
      host: { paperclipClaimName: CLAIM },
      id: "pvc_access_mode",
      status: "warn",
    },
    {
      name: "a claim the host mounts but that does not exist fails",
      setup: (fake: FakeCluster) => fake.addSecret(SECRET, { k: "v" }),
      host: { paperclipClaimName: CLAIM },
      id: "pvc_access_mode",
      status: "fail",
    },
    {
      name: "no claim mounted at /paperclip warns",
      setup: (fake: FakeCluster) => fake.addSecret(SECRET, { k: "v" }),
      host: {},
      id: "pvc_access_mode",
      status: "warn",
    },
  ])("$name", async ({ setup, host, id, status }) => {
    const fake = new FakeCluster({ host });
    try {
      setup(fake);
      const report = await doctor(fake);
      const found = check(report, id);
      expect(found.status).toBe(status);
      expect(found.hint).toBeTruthy();
      expect(report.status).toBe(status);
    } finally {
      fake.dispose();
    }
  });

  it.each([
    { name: "a /paperclip owned by root 0755 (hostPath or NFS: no fsGroup) fails, naming the owner and the chown", ownership: { uid: 0, gid: 0, mode: 0o755 }, status: "fail" },
    { name: "a /paperclip owned by the agent uid passes", ownership: { uid: 1000, gid: 1000, mode: 0o755 }, status: "pass" },
    { name: "a /paperclip group-writable for the fsGroup passes", ownership: { uid: 0, gid: 1000, mode: 0o2775 }, status: "pass" },
  ])("$name", async ({ ownership, status }) => {
    const fake = new FakeCluster({ host: { paperclipClaimName: CLAIM, paperclipOwnership: ownership } });
    try {
      fake.addSecret(SECRET, { k: "v" });
      fake.addPvc(CLAIM, ["ReadWriteMany"]);
      const report = await doctor(fake);
      const found = check(report, "pvc_writable");
      expect(found.status).toBe(status);
      expect(report.status).toBe(status);
      if (status === "fail") {
        expect(found.message).toContain("not writable by the agent uid 1000 (uid 0, gid 0, mode 0755)");
        expect(found.hint).toContain("chown 1000:1000");
      }
    } finally {
      fake.dispose();
    }
  });

  it("without a view of the mount (not in a pod) there is no ownership check", async () => {
    const fake = healthyCluster();
    try {
      expect((await doctor(fake)).checks.map((c) => c.id)).not.toContain("pvc_writable");
    } finally {
      fake.dispose();
    }
  });

  it("fails the namespace check for a namespace that does not exist", async () => {
    const fake = healthyCluster();
    try {
      const report = await doctor(fake, "nowhere");
      expect(check(report, "namespace_exists")).toMatchObject({ status: "fail", message: "Namespace nowhere does not exist" });
      expect(report.status).toBe("fail");
    } finally {
      fake.dispose();
    }
  });

  it("stops at the first check when the API does not answer", async () => {
    const fake = healthyCluster();
    try {
      const access = fake.access;
      const host = fake.host;
      // The old port instances die with a host restart: every call now fails like a dead connection.
      fake.hostRestart();
      const report = await checkEnvironment({ access, host, namespace: fake.namespace, secretRef: SECRET });
      expect(report.status).toBe("fail");
      expect(report.checks).toHaveLength(1);
      expect(report.checks[0]).toMatchObject({ id: "api_reachable", status: "fail" });
      expect(report.checks[0]!.hint).toContain("kubeconfig");
    } finally {
      fake.dispose();
    }
  });
});
