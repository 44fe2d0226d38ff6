import { readFileSync } from "node:fs";
import { CONFIG_FIELDS, configReferenceMarkdown, ERROR_CODES, REQUIRED_PERMISSIONS } from "@clipjob/core";
import { describe, expect, it } from "vitest";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("holds the configuration reference exactly as the code generates it", () => {
    const match = /<!-- config-reference:start -->\n([\s\S]*?)<!-- config-reference:end -->/.exec(readme);
    expect(match?.[1]).toBe(configReferenceMarkdown());
  });

  it("documents a Role granting exactly the permissions a run needs", () => {
    const role = /<!-- adapter-role:start[^\n]*\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const granted: string[] = [];
    for (const rule of role.matchAll(/apiGroups: \[(.*?)\]\s+resources: \[(.*?)\]\s+verbs: \[(.*?)\]/g)) {
      const list = (text: string) => [...text.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
      for (const group of list(rule[1]!)) for (const resource of list(rule[2]!)) for (const verb of list(rule[3]!)) granted.push(`${verb} ${group}/${resource}`);
    }
    const needed = REQUIRED_PERMISSIONS.map((p) => `${p.verb} ${p.group}/${p.resource}${p.subresource ? `/${p.subresource}` : ""}`);
    expect(granted.sort()).toEqual(needed.sort());
  });

  it("names the form fields by the labels Paperclip 2026.916.1 shows, and none it lacks (issue #15)", () => {
    const section = /### Where the settings are[\s\S]*?\n## /.exec(readme)?.[0] ?? "";
    for (const field of CONFIG_FIELDS) {
      if (field.ui.kind === "platform") expect(section, field.key).toContain(`**${field.ui.label}**`);
    }
    expect(readme).not.toContain("Set in Paperclip's agent form");
    for (const key of ["promptTemplate", "bootstrapPromptTemplate", "cwd"]) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${key}\` |`)) ?? "";
      expect(row.includes("Paperclip's agent form:"), key).toBe(false);
    }
  });

  it.each(ERROR_CODES)("explains error code %s in the troubleshooting table", (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\|`, "m"));
  });
});
