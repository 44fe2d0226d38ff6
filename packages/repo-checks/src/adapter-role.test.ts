// The adapter's Role is written in one place, core's REQUIRED_PERMISSIONS (what testEnvironment and
// `clipjob doctor` review). Every copy in the repository is generated from it and must match.
// After changing the list, regenerate every copy: `node scripts/dev.mjs pnpm generate:role`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { regenerateRoles, roleRegions } from "./adapter-role-copies.js";
import { REPO_ROOT } from "./repo-root.js";
import { trackedTextFiles } from "./tracked-files.js";

const REGENERATE = process.env.CLIPJOB_REGENERATE === "1";

/** Where the Role must appear (a removed region fails here rather than passing silently). */
const COPIES = ["README.md", "packages/paperclip-adapter/README.md", "packages/k8s-infra/README.md", "apps/e2e/control-plane/rbac.yaml", "deploy/role.yaml"];

describe("the adapter's Role, generated from REQUIRED_PERMISSIONS", () => {
  it.each(COPIES)("%s holds the generated Role", (path) => {
    const file = join(REPO_ROOT, path);
    const text = readFileSync(file, "utf8");
    if (REGENERATE) writeFileSync(file, regenerateRoles(path, text));
    const regions = roleRegions(path, readFileSync(file, "utf8"));
    expect(regions.length, `${path} has no adapter-role region`).toBeGreaterThan(0);
    for (const region of regions) expect(region.actual, `${path}: Role ${region.name} differs; run pnpm generate:role`).toBe(region.expected);
  });

  it("no Role manifest in the repository is written by hand", () => {
    const handWritten: string[] = [];
    for (const { path, text } of trackedTextFiles()) {
      if (!/\.(md|ya?ml)$/.test(path)) continue;
      const outside = roleRegions(path, text).reduce((t, r) => t.replace(r.actual, ""), text);
      if (/^kind: Role$/m.test(outside)) handWritten.push(path);
    }
    expect(handWritten).toEqual([]);
  });

  it("regenerating fixes a copy that lost a verb", () => {
    const stale = '<!-- adapter-role:start name=x -->\n```yaml\nkind: Role\n```\n<!-- adapter-role:end -->\n';
    expect(roleRegions("a.md", stale)[0]!.actual).not.toBe(roleRegions("a.md", stale)[0]!.expected);
    const fixed = regenerateRoles("a.md", stale);
    expect(roleRegions("a.md", fixed)[0]!.actual).toBe(roleRegions("a.md", fixed)[0]!.expected);
    expect(fixed).toContain('verbs: ["create", "get", "list", "watch", "patch", "delete"]');
  });
});
