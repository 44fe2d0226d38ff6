import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createServerAdapter } from "../server-adapter.js";
import { CLAUDE_LOCAL_PACKAGE, hostClaudeCatalogue } from "./models.js";
import { skillSnapshot } from "./skills.js";

/**
 * A Paperclip install as npm lays it out: the server's entry script under node_modules/paperclipai, reached
 * through a node_modules/.bin symlink, and claude_local's package hoisted beside it with its real export map.
 */
function paperclipInstall(models: { id: string; label: string }[], listed: { id: string; label: string }[]): string {
  const root = mkdtempSync(join(tmpdir(), "clipjob-host-"));
  const nm = join(root, "node_modules");
  const pkg = join(nm, ...CLAUDE_LOCAL_PACKAGE.split("/"));
  mkdirSync(join(pkg, "dist", "server"), { recursive: true });
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({
      name: CLAUDE_LOCAL_PACKAGE,
      type: "module",
      exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" }, "./server": { types: "./dist/server/index.d.ts", import: "./dist/server/index.js" } },
    }),
  );
  writeFileSync(join(pkg, "dist", "index.js"), `export const models = ${JSON.stringify(models)};\n`);
  writeFileSync(
    join(pkg, "dist", "server", "index.js"),
    `let calls = 0;\nexport async function listClaudeModels() { calls += 1; return ${JSON.stringify(listed)}; }\nexport async function refreshClaudeModels() { return [...${JSON.stringify(listed)}, { id: "refreshed", label: "Refreshed" }]; }\n`,
  );
  mkdirSync(join(nm, "paperclipai", "dist"), { recursive: true });
  writeFileSync(join(nm, "paperclipai", "dist", "index.js"), "\n");
  mkdirSync(join(nm, ".bin"), { recursive: true });
  symlinkSync(join("..", "paperclipai", "dist", "index.js"), join(nm, ".bin", "paperclipai"));
  return join(nm, ".bin", "paperclipai");
}

describe("models: claude_local's catalogue of the same server (issue #15: the list was stale)", () => {
  const staticModels = [{ id: "claude-opus-5", label: "Claude Opus 5" }];
  const discovered = [{ id: "claude-opus-5", label: "Claude Opus 5" }, { id: "claude-sonnet-5", label: "Claude Sonnet 5" }];

  it("finds the server's claude_local through the entry script and its export map", async () => {
    const catalogue = await hostClaudeCatalogue(paperclipInstall(staticModels, discovered));
    expect(catalogue?.packageDir).toMatch(/node_modules\/@paperclipai\/adapter-claude-local$/);
    expect(catalogue?.models).toEqual(staticModels);
    expect(await catalogue?.list()).toEqual(discovered);
  });

  it("lists, refreshes and counts what claude_local lists", async () => {
    const entry = paperclipInstall(staticModels, discovered);
    const adapter = createServerAdapter({ env: {}, claudeCatalogue: () => hostClaudeCatalogue(entry) });
    expect(await adapter.listModels!()).toEqual(discovered);
    expect((await adapter.refreshModels!()).map((m) => m.id)).toEqual(["claude-opus-5", "claude-sonnet-5", "refreshed"]);
    expect(adapter.models).toEqual(staticModels);
  });

  it("is null off a Paperclip server: no entry script, or no claude_local above it", async () => {
    expect(await hostClaudeCatalogue(undefined)).toBeNull();
    const bare = mkdtempSync(join(tmpdir(), "clipjob-bare-"));
    writeFileSync(join(bare, "main.js"), "\n");
    expect(await hostClaudeCatalogue(join(bare, "main.js"))).toBeNull();
  });
});

describe("skills status (issue #15: 'Applied on next run' with no volume to deliver them)", () => {
  const dir = mkdtempSync(join(tmpdir(), "clipjob-skills-"));
  const source = join(dir, "review");
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, "SKILL.md"), "# review\n");
  const ctx = {
    agentId: "a",
    companyId: "c",
    adapterType: "claude_k8s",
    config: { paperclipRuntimeSkills: [{ key: "acme/review", runtimeName: "review", source }], paperclipSkillSync: { desiredSkills: ["acme/review"] } },
  };
  const sources = { moduleDir: dir, skillsHome: join(dir, "none") };

  it("is ephemeral (Applied on next run) and configured when runs get the prompt bundle", async () => {
    const snapshot = await skillSnapshot(ctx, null, { deliver: true, instanceRoot: "/paperclip/instances/default" }, sources);
    expect(snapshot.mode).toBe("ephemeral");
    expect(snapshot.entries.find((e) => e.key === "acme/review")).toMatchObject({ state: "configured", detail: expect.stringContaining("Materialized") });
  });

  it("is unsupported (Tracked only), still selectable, and says why when they do not", async () => {
    const snapshot = await skillSnapshot(ctx, null, { deliver: false, note: "skills not delivered: no shared /paperclip volume" }, sources);
    expect(snapshot).toMatchObject({ mode: "unsupported", supported: true });
    expect(snapshot.entries.find((e) => e.key === "acme/review")).toMatchObject({ desired: true, state: "available", detail: expect.stringContaining("no shared /paperclip volume") });
  });
});
