import { describe, expect, it } from "vitest";
import { configReferenceMarkdown } from "./config-reference.js";
import { CONFIG_FIELDS } from "./config-schema.js";
import { configUiSchema } from "./config-ui-schema.js";
import { defaultConfig } from "./parse-config.js";

describe("configUiSchema", () => {
  const fields = configUiSchema().fields;
  const byKey = new Map(fields.map((f) => [f.key, f]));

  it("leaves out what Paperclip's own form renders", () => {
    for (const key of ["model", "effort", "instructionsFilePath", "timeoutSec", "graceSec", "promptTemplate", "bootstrapPromptTemplate", "cwd", "env", "extraArgs"]) {
      expect(byKey.has(key), key).toBe(false);
    }
    expect(byKey.has("dangerouslySkipPermissions")).toBe(false);
  });

  it("shows the code's defaults, so form and code agree (maxTurnsPerRun included)", () => {
    const config = defaultConfig();
    expect(byKey.get("maxTurnsPerRun")?.default).toBe(config.maxTurnsPerRun);
    expect(byKey.get("reattachOrphanedJobs")?.default).toBe(true);
    expect(byKey.get("ttlSecondsAfterFinished")?.default).toBe(300);
    expect(byKey.get("resources.limits.memory")?.default).toBe(config.resources.limits.memory);
  });

  it("offers the secretRef the environment test checks, and the flat resource keys", () => {
    expect(byKey.get("secretRef")).toMatchObject({ type: "text", default: "paperclip-secrets" });
    expect(["resources.requests.cpu", "resources.requests.memory", "resources.limits.cpu", "resources.limits.memory"].every((k) => byKey.has(k))).toBe(true);
  });

  it("renders selects with their options and conditional fields with visibleWhen", () => {
    expect(byKey.get("imagePullPolicy")?.options?.map((o) => o.value)).toEqual(["IfNotPresent", "Always", "Never"]);
    expect(byKey.get("simulatedScenario")?.meta).toEqual({ visibleWhen: { key: "cluster", values: ["simulated"] } });
  });

  it("gives every field a label, a hint and a group, and no default for maps", () => {
    for (const f of fields) {
      expect(f.label && f.hint && f.group, f.key).toBeTruthy();
    }
    expect(byKey.get("nodeSelector")?.default).toBeUndefined();
  });
});

describe("configReferenceMarkdown", () => {
  const doc = configReferenceMarkdown();

  it("has one row per field", () => {
    const rows = doc.trim().split("\n");
    expect(rows.slice(0, 2)).toEqual(["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]);
    expect(rows).toHaveLength(CONFIG_FIELDS.length + 2);
    for (const f of CONFIG_FIELDS) expect(doc).toContain(`| \`${f.key}\` |`);
  });

  it("shows defaults, aliases and where a field is set", () => {
    expect(doc).toMatch(/\| `maxTurnsPerRun` \| integer ≥ 0 \| `0` \|/);
    expect(doc).toMatch(/\| `model` \| text \| unset \|/);
    expect(doc).toMatch(/\| `bootstrapPromptTemplate` \| template \| `""` \|/);
    expect(doc).toMatch(/\| `env` \| object \\\| JSON text \| \{\} \|/);
    expect(doc).toContain("Also accepted as `args`.");
    expect(doc).toContain("Set in Paperclip's agent form.");
    expect(doc).toMatch(/\| `tolerations` \| array \\\| JSON text \| `\[\]` \|/);
  });
});
