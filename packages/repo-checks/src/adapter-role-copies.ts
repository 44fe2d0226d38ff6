// Finds and rewrites the generated copies of the adapter's Role: regions between an `adapter-role:start`
// marker (naming the Role and, optionally, its namespace) and `adapter-role:end`, in Markdown (an HTML
// comment around a fenced yaml block) or YAML (comment lines around the Role document).
import { adapterRoleYaml } from "@clipjob/core";

export interface RoleRegion {
  readonly name: string;
  readonly namespace?: string;
  /** The text between the markers as it is. */
  readonly actual: string;
  /** The text the permission list generates. */
  readonly expected: string;
}

const MARKDOWN = /(<!-- adapter-role:start name=([\w.-]+)(?: namespace=([\w.-]+))? -->\n)([\s\S]*?)(<!-- adapter-role:end -->)/g;
const YAML = /(# adapter-role:start name=([\w.-]+)(?: namespace=([\w.-]+))?[^\n]*\n)([\s\S]*?)(# adapter-role:end)/g;

function pattern(path: string): RegExp {
  return new RegExp(path.endsWith(".md") ? MARKDOWN : YAML);
}

function generated(path: string, name: string, namespace: string | undefined): string {
  const yaml = adapterRoleYaml({ name, ...(namespace ? { namespace } : {}) });
  return path.endsWith(".md") ? `\`\`\`yaml\n${yaml}\`\`\`\n` : yaml;
}

export function roleRegions(path: string, text: string): RoleRegion[] {
  return [...text.matchAll(pattern(path))].map((m) => ({
    name: m[2]!,
    ...(m[3] ? { namespace: m[3] } : {}),
    actual: m[4]!,
    expected: generated(path, m[2]!, m[3]),
  }));
}

/** The text with every Role region regenerated. */
export function regenerateRoles(path: string, text: string): string {
  return text.replace(pattern(path), (_all, start: string, name: string, namespace: string | undefined, _body, end: string) => `${start}${generated(path, name, namespace)}${end}`);
}
