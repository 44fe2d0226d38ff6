// The deploy/ kustomization users start from, validated on a real API server: every object it lists is
// created with dryRun=All as the cluster admin (schema, defaulting, validation and admission run; nothing is
// stored), after its namespace is created for real (a dry-run of namespaced objects needs it to exist).
// kubectl-free: the kustomization's resource list is read here and each file parsed with the client's YAML.
import { readdirSync, readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAllYaml } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startE2eControlPlane, type ControlPlane } from "./e2e-control-plane.js";

const DEPLOY = fileURLToPath(new URL("../../../deploy/", import.meta.url));
const kustomization = loadAllYaml(readFileSync(join(DEPLOY, "kustomization.yaml"), "utf8"))[0] as { resources: string[] };
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
const manifests: { file: string; object: Manifest }[] = kustomization.resources.flatMap((file) =>
  (loadAllYaml(readFileSync(join(DEPLOY, file), "utf8")) as Manifest[]).filter(Boolean).map((object) => ({ file, object })),
);

/** The collection URL of an object's kind (the kinds the kustomization uses). */
function collection(o: Manifest): string {
  const plural: Record<string, string> = {
    Namespace: "namespaces",
    ServiceAccount: "serviceaccounts",
    Role: "roles",
    RoleBinding: "rolebindings",
    PersistentVolumeClaim: "persistentvolumeclaims",
    Deployment: "deployments",
    Service: "services",
  };
  const resource = plural[o.kind];
  if (!resource) throw new Error(`no collection known for ${o.kind}`);
  const base = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
  return o.metadata.namespace ? `${base}/namespaces/${o.metadata.namespace}/${resource}` : `${base}/${resource}`;
}

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startE2eControlPlane(mkdtempSync(join(tmpdir(), "clipjob-deploy-")));
});
afterAll(async () => {
  await cp?.stop();
});

describe("deploy/ on a real API server", () => {
  it("lists every manifest in deploy/", () => {
    const files = readdirSync(DEPLOY).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(manifests.map((m) => m.object.kind).sort()).toEqual(["Deployment", "Namespace", "PersistentVolumeClaim", "Role", "RoleBinding", "Service", "ServiceAccount"]);
  });

  it.each(manifests.map((m) => ({ name: `${m.file}: ${m.object.kind} ${m.object.metadata.name}`, object: m.object })))("$name is accepted", async ({ object }) => {
    const namespace = manifests.find((m) => m.object.kind === "Namespace")!.object;
    if (object.kind === "Namespace") {
      const created = await cp.admin.post(collection(object), object);
      expect(created.metadata.name).toBe(object.metadata.name);
      return;
    }
    // Namespaced objects need their namespace; the Namespace case above runs first (file order).
    expect(object.metadata.namespace).toBe(namespace.metadata.name);
    const accepted = await cp.admin.post(collection(object), object, { dryRun: "All" });
    expect(accepted.metadata.name).toBe(object.metadata.name);
    expect(accepted.metadata.uid).toBeTruthy();
  });
});
