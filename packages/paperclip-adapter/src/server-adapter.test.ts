import { configUiSchema, defaultConfig, sessionCodec } from "@clipjob/core";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BEDROCK_MODELS, DIRECT_MODELS } from "./catalog/models.js";
import { createServerAdapter } from "./server-adapter.js";
// Loaded while the file is collected, not by the first test that opens a Kubernetes scope (the adapter imports it
// lazily): @kubernetes/client-node takes ~0.5 s of CPU to load, 10-20 s with every core of a 2-core machine
// busy, which is load, not the behaviour a test timeout is there to bound.
import "@clipjob/k8s-infra";

describe("createServerAdapter", () => {
  const adapter = createServerAdapter({ env: {}, claudeCatalogue: async () => null });

  it("declares the claude_k8s module surface", () => {
    expect(adapter).toMatchObject({
      type: "claude_k8s",
      supportsInstructionsBundle: true,
      instructionsPathKey: "instructionsFilePath",
      supportsLocalAgentJwt: true,
      sessionManagement: {
        supportsSessionResume: true,
        nativeContextManagement: "confirmed",
        defaultSessionCompaction: { enabled: true, maxSessionRuns: 0, maxRawInputTokens: 0, maxSessionAgeHours: 0 },
      },
    });
    expect(adapter.sessionCodec).toBe(sessionCodec);
    for (const fn of [adapter.execute, adapter.testEnvironment, adapter.listModels, adapter.listSkills, adapter.syncSkills, adapter.getConfigSchema]) {
      expect(typeof fn).toBe("function");
    }
  });

  it("serves core's form, whose defaults are the code's defaults", async () => {
    const schema = await adapter.getConfigSchema!();
    expect(schema).toEqual(configUiSchema());
    const defaults = defaultConfig() as unknown as Record<string, unknown>;
    for (const field of schema.fields) {
      if (field.default !== undefined && !field.key.includes(".")) expect(defaults[field.key]).toEqual(field.default);
    }
  });

  it("documents every config key in the agent configuration doc", () => {
    for (const key of Object.keys(defaultConfig())) {
      if (key === "envSecretRefs") continue;
      expect(adapter.agentConfigurationDoc).toContain(`\`${key}\``);
    }
  });

  it.each([
    { name: "direct", env: {}, expected: DIRECT_MODELS },
    { name: "Bedrock by flag", env: { CLAUDE_CODE_USE_BEDROCK: "true" }, expected: BEDROCK_MODELS },
    { name: "Bedrock by base URL", env: { ANTHROPIC_BEDROCK_BASE_URL: "https://bedrock.example" }, expected: BEDROCK_MODELS },
  ])("off a Paperclip server, lists its own $name models, reading the env when asked", async ({ env, expected }) => {
    const live: Record<string, string> = {};
    const module = createServerAdapter({ env: live, claudeCatalogue: async () => null });
    Object.assign(live, env);
    expect(await module.listModels!()).toEqual(expected);
    expect(module.models).toEqual(expected);
  });

  it("lists skills with the desired ones configured and hand-installed ones as external", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clipjob-skills-"));
    const source = join(dir, "company", "review");
    mkdirSync(source, { recursive: true });
    writeFileSync(join(source, "SKILL.md"), "# review\n");
    const skillsHome = join(dir, "home-skills");
    mkdirSync(join(skillsHome, "my-own"), { recursive: true });
    writeFileSync(join(skillsHome, "my-own", "SKILL.md"), "# mine\n");
    const module = createServerAdapter({ env: {}, skillSources: { moduleDir: dir, skillsHome } });
    const config = {
      paperclipRuntimeSkills: [{ key: "acme/skills/review", runtimeName: "review", source }],
      paperclipSkillSync: { desiredSkills: ["acme/skills/review", "acme/skills/missing"] },
    };
    const ctx = { agentId: "a", companyId: "c", adapterType: "claude_k8s", config };
    const snapshot = await module.listSkills!(ctx);
    // No cluster here (no kubeconfig, not in a pod), so runs would get no bundle: Paperclip must not say
    // "Applied on next run" (issue #15), and the entry says why.
    expect(snapshot).toMatchObject({ adapterType: "claude_k8s", supported: true, mode: "unsupported" });
    expect(snapshot.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "acme/skills/review", state: "available", desired: true, detail: expect.stringContaining("do not get it (skills not delivered") }),
        expect.objectContaining({ key: "acme/skills/missing", state: "missing" }),
        expect.objectContaining({ runtimeName: "my-own", state: "external" }),
      ]),
    );
    expect(snapshot.warnings.join("\n")).toContain("acme/skills/missing");
    const synced = await module.syncSkills!(ctx, []);
    expect(synced.entries.find((e) => e.key === "acme/skills/review")).toMatchObject({ desired: false, state: "available" });
  });
});
