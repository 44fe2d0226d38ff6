import { describe, expect, it } from "vitest";
import { configReferenceMarkdown } from "./config-reference.js";
import { CONFIG_FIELDS } from "./config-schema.js";
import { SIMULATED_SCENARIOS } from "./simulated-scenarios.js";
import { configUiSchema } from "./config-ui-schema.js";
import { defaultConfig } from "./parse-config.js";

describe("configUiSchema", () => {
  const fields = configUiSchema().fields;
  const byKey = new Map(fields.map((f) => [f.key, f]));

  it("leaves out what Paperclip 2026.916.1's own form renders, and renders what it does not", () => {
    for (const key of ["model", "effort", "instructionsFilePath", "command", "env", "extraArgs"]) expect(byKey.has(key), key).toBe(false);
    for (const key of ["timeoutSec", "graceSec", "promptTemplate", "bootstrapPromptTemplate", "dangerouslySkipPermissions"]) expect(byKey.has(key), key).toBe(true);
    expect(byKey.get("dangerouslySkipPermissions")).toMatchObject({ type: "toggle", default: true, label: "Skip Permission Prompts" });
  });

  it("writes hints as plain text that names only what the form shows (issue #15: backticks, timeoutSec)", () => {
    const shownKeys = new Set(fields.map((f) => f.key));
    const hiddenKeys = CONFIG_FIELDS.map((f) => f.key).filter((k) => !shownKeys.has(k));
    for (const f of fields) {
      expect(f.hint, f.key).not.toMatch(/[`*_]{1}[A-Za-z]/);
      expect(f.hint, f.key).not.toContain("`");
      // Keys that are plain words (image, labels) may appear as words; camelCase and dotted keys may not.
      for (const key of [...hiddenKeys, ...shownKeys].filter((k) => /[A-Z.]/.test(k))) expect(f.hint?.includes(key) ? key : null, `hint of ${f.key}`).toBeNull();
    }
    expect(byKey.get("maxTurnsPerRun")?.hint).toContain("Timeout");
  });

  it("shows Kubernetes-only fields only while Cluster is Kubernetes, the scenario only while it is Simulated", () => {
    const kubernetesOnly = ["namespace", "image", "imagePullPolicy", "kubeconfig", "kubeContext", "serviceAccountName", "automountServiceAccountToken", "resources.limits.memory", "nodeSelector", "tolerations", "labels", "inheritEnv", "secretRef", "ttlSecondsAfterFinished", "retainJobs", "reattachOrphanedJobs", "startTimeoutSec", "apiUnreachableSec"];
    for (const key of kubernetesOnly) expect(byKey.get(key)?.meta, key).toEqual({ visibleWhen: { key: "cluster", values: ["kubernetes"] } });
    for (const key of ["cluster", "maxTurnsPerRun", "dangerouslySkipPermissions", "timeoutSec", "graceSec", "promptTemplate"]) expect(byKey.get(key)?.meta, key).toBeUndefined();
    expect(fields[0]?.key).toBe("cluster");
  });

  it("offers the simulated scenarios as a select of every valid name", () => {
    expect(byKey.get("simulatedScenario")).toMatchObject({ type: "select", default: "success" });
    expect(byKey.get("simulatedScenario")?.options?.map((o) => o.value)).toEqual([...SIMULATED_SCENARIOS]);
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
    expect(doc).toContain("Paperclip's agent form: Thinking effort.");
    expect(doc).toContain("Also accepted as `thinkingEffort`.");
    expect(doc).toMatch(/\| `cwd` \|.*Not in the form: set it through the API\. \|/);
    expect(doc).toMatch(/\| `tolerations` \| array \\\| JSON text \| `\[\]` \|/);
  });
});
