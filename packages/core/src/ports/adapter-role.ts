// The Kubernetes Role the adapter's identity needs, derived from REQUIRED_PERMISSIONS: the README's RBAC
// section and every manifest are generated from this (packages/repo-checks keeps them equal), so adding a
// permission to the list is the whole change.

import { REQUIRED_PERMISSIONS, type AccessCheck } from "./access-port.js";

export interface RoleRule {
  readonly apiGroups: readonly string[];
  /** `resource` or `resource/subresource`. */
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** One rule per group and resource, in the order the permissions first name them; verbs in list order. */
export function adapterRoleRules(permissions: readonly Omit<AccessCheck, "namespace">[] = REQUIRED_PERMISSIONS): RoleRule[] {
  const rules = new Map<string, { group: string; resource: string; verbs: string[] }>();
  for (const p of permissions) {
    const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
    const key = `${p.group}\0${resource}`;
    const rule = rules.get(key) ?? { group: p.group, resource, verbs: [] };
    if (!rule.verbs.includes(p.verb)) rule.verbs.push(p.verb);
    rules.set(key, rule);
  }
  return [...rules.values()].map((r) => ({ apiGroups: [r.group], resources: [r.resource], verbs: r.verbs }));
}

/** The Role as YAML text (flow-style lists, ending in a newline). `namespace` is left out when not given. */
export function adapterRoleYaml(role: { readonly name: string; readonly namespace?: string }): string {
  const list = (items: readonly string[]) => `[${items.map((i) => JSON.stringify(i)).join(", ")}]`;
  const lines = ["apiVersion: rbac.authorization.k8s.io/v1", "kind: Role", "metadata:", `  name: ${role.name}`];
  if (role.namespace !== undefined) lines.push(`  namespace: ${role.namespace}`);
  lines.push("rules:");
  for (const rule of adapterRoleRules()) {
    lines.push(`  - apiGroups: ${list(rule.apiGroups)}`, `    resources: ${list(rule.resources)}`, `    verbs: ${list(rule.verbs)}`);
  }
  return `${lines.join("\n")}\n`;
}
