import { describe, expect, it } from "vitest";
import { REQUIRED_PERMISSIONS } from "./access-port.js";
import { adapterRoleRules, adapterRoleYaml } from "./adapter-role.js";

describe("the adapter's Role", () => {
  it("grants exactly REQUIRED_PERMISSIONS, one rule per group and resource", () => {
    const granted = adapterRoleRules().flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g}/${res}`))));
    const needed = REQUIRED_PERMISSIONS.map((p) => `${p.verb} ${p.group}/${p.resource}${p.subresource ? `/${p.subresource}` : ""}`);
    expect(granted.sort()).toEqual(needed.sort());
    expect(adapterRoleRules().map((r) => r.resources[0])).toEqual(["jobs", "pods", "pods/log", "secrets", "persistentvolumeclaims", "leases"]);
  });

  it("adds a verb to an existing rule and a new resource as a new rule", () => {
    const rules = adapterRoleRules([
      { verb: "get", group: "coordination.k8s.io", resource: "leases" },
      { verb: "get", group: "", resource: "pods" },
      { verb: "update", group: "coordination.k8s.io", resource: "leases" },
    ]);
    expect(rules).toEqual([
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "update"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
    ]);
  });

  it("renders YAML a person would write, with the namespace only when given", () => {
    const yaml = adapterRoleYaml({ name: "clipjob", namespace: "agents" });
    expect(yaml).toContain('kind: Role\nmetadata:\n  name: clipjob\n  namespace: agents\nrules:\n  - apiGroups: ["batch"]\n    resources: ["jobs"]\n');
    expect(adapterRoleYaml({ name: "clipjob" })).not.toContain("namespace:");
  });
});
