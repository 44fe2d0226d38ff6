import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FakeCluster } from "@clipjob/fake-cluster";
import { AgentLocks, NO_HOST_FACTS, runAgentJob, type HostFacts, type AgentJobSpec } from "@clipjob/core";
import { AdapterRoot, RunScope } from "../composition/adapter-root.js";
import { runRequestFromContext } from "../execute/run-request-from-context.js";
import { paperclipContext } from "../testing/paperclip-context.js";
import { bundleDelivery, NO_VOLUME_NOTE, SIMULATED_BUNDLE_NOTE, type PromptBundleHome } from "./bundle-delivery.js";
import { checkPathSegment } from "./path-segment.js";
import { BUNDLE_INSTRUCTIONS_FILE, preparePromptBundle, type BundleInput } from "./prepare-prompt-bundle.js";
import { promptBundleForRun } from "./run-prompt-bundle.js";

const HOST: HostFacts = { ...NO_HOST_FACTS, namespace: "paperclip", paperclipClaimName: "paperclip-data" };

/** A shared volume in a temp dir, with Paperclip's home on it, one company skill and an instructions file. */
function fixture() {
  const volume = mkdtempSync(join(tmpdir(), "clipjob-bundle-"));
  const home: PromptBundleHome = { sharedVolumePath: volume, paperclipHome: volume };
  const source = join(volume, "skills-src", "review");
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, "SKILL.md"), "# review\n");
  const agentDir = join(volume, "agents", "builder");
  mkdirSync(agentDir, { recursive: true });
  const instructions = join(agentDir, "AGENTS.md");
  writeFileSync(instructions, "Be careful.\n");
  const config = {
    paperclipRuntimeSkills: [{ key: "acme/skills/review", runtimeName: "review", source }],
    paperclipSkillSync: { desiredSkills: ["acme/skills/review"] },
  };
  const input: BundleInput = { instanceRoot: join(volume, "instances", "default"), companyId: "company-1", config, instructionsFilePath: instructions, moduleDir: volume };
  return { volume, home, source, instructions, input };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" });
}

describe("checkPathSegment (N1)", () => {
  it.each(["", "  ", "a/b", "a\\b", "..", "x..y", "../etc", "a\u0000b"])("refuses %j", (value) => {
    expect(checkPathSegment("companyId", value)).toMatchObject({ ok: false, error: { code: "prompt_bundle_path_invalid" } });
  });
  it.each(["company-1", "0b6f3c0e-9f1d-4d57-9b43-2f4c0c1e6a11", "default"])("accepts %j", (value) => {
    expect(checkPathSegment("companyId", value)).toEqual({ ok: true, value });
  });
});

describe("bundleDelivery", () => {
  const { home, volume } = fixture();
  it.each([
    { name: "the simulated cluster", input: { simulated: true, host: HOST, configNamespace: null, home }, note: SIMULATED_BUNDLE_NOTE },
    { name: "a host without the /paperclip PVC", input: { simulated: false, host: NO_HOST_FACTS, configNamespace: null, home }, note: NO_VOLUME_NOTE },
    { name: "failed host introspection", input: { simulated: false, host: null, configNamespace: null, home }, note: NO_VOLUME_NOTE },
    { name: "Jobs in another namespace", input: { simulated: false, host: HOST, configNamespace: "agents", home }, note: /not mounted in namespace agents/ },
    { name: "a traversing instance id", input: { simulated: false, host: HOST, configNamespace: null, home: { ...home, instanceId: "../x" } }, note: /Invalid PAPERCLIP_INSTANCE_ID/ },
    { name: "an instance root off the volume", input: { simulated: false, host: HOST, configNamespace: null, home: { ...home, paperclipHome: tmpdir() } }, note: /is not on the shared volume/ },
  ])("delivers nothing on $name, saying why", ({ input, note }) => {
    const delivery = bundleDelivery(input);
    expect(delivery.deliver).toBe(false);
    if (!delivery.deliver) expect(delivery.note).toMatch(note);
  });

  it("delivers when the host's PVC is mounted into the Job and Paperclip's instance lives on it", () => {
    expect(bundleDelivery({ simulated: false, host: HOST, configNamespace: "paperclip", home: { ...home, instanceId: "prod" } })).toEqual({
      deliver: true,
      instanceRoot: join(volume, "instances", "prod"),
    });
  });
});

describe("preparePromptBundle", () => {
  it("materialises skill links and the instructions in a content-addressed directory", async () => {
    const { input, source, instructions } = fixture();
    const prepared = await preparePromptBundle(input);
    if (!prepared.ok) throw new Error(prepared.error.message);
    const { key, ref, skills, warnings, instructionsUnreadable } = prepared.value;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(ref.rootDir).toBe(join(input.instanceRoot, "companies", "company-1", "claude-prompt-cache", key));
    expect(readlinkSync(join(ref.rootDir, ".claude", "skills", "review"))).toBe(source);
    expect(ref.instructionsFilePath).toBe(join(ref.rootDir, BUNDLE_INSTRUCTIONS_FILE));
    const text = readFileSync(ref.instructionsFilePath!, "utf8");
    expect(text.startsWith("Be careful.\n")).toBe(true);
    expect(text).toContain(`loaded from ${instructions}`);
    expect({ skills, warnings, instructionsUnreadable }).toEqual({ skills: ["review"], warnings: [], instructionsUnreadable: false });
    expect(filesUnder(ref.rootDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("reuses the bundle for equal inputs and makes a new one when a skill's files change", async () => {
    const { input, source } = fixture();
    const first = await preparePromptBundle(input);
    const again = await preparePromptBundle(input);
    writeFileSync(join(source, "extra.md"), "more\n");
    const changed = await preparePromptBundle(input);
    if (!first.ok || !again.ok || !changed.ok) throw new Error("not prepared");
    expect(again.value.key).toBe(first.value.key);
    expect(changed.value.key).not.toBe(first.value.key);
  });

  it("lets concurrent runs race to the same bundle and all get a complete one", async () => {
    const { input } = fixture();
    const results = await Promise.all(Array.from({ length: 6 }, () => preparePromptBundle(input)));
    const keys = new Set(results.map((r) => (r.ok ? r.value.key : r.error.message)));
    expect(keys.size).toBe(1);
    const ok = results[0]!;
    if (!ok.ok) throw new Error(ok.error.message);
    expect(readFileSync(ok.value.ref.instructionsFilePath!, "utf8")).toContain("Be careful.");
    expect(filesUnder(ok.value.ref.rootDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("hashes a skill tree with a directory loop and a dangling link instead of hanging", async () => {
    const { input, source } = fixture();
    symlinkSync(source, join(source, "loop"));
    symlinkSync(join(source, "nowhere"), join(source, "dangling"));
    const prepared = await preparePromptBundle(input);
    expect(prepared.ok).toBe(true);
  });

  it.each(["../../etc", "a/b", ""])("refuses companyId %j and writes nothing", async (companyId) => {
    const { input } = fixture();
    expect(await preparePromptBundle({ ...input, companyId })).toMatchObject({ ok: false, error: { code: "prompt_bundle_path_invalid" } });
    expect(existsSync(input.instanceRoot)).toBe(false);
  });

  it("drops unreadable instructions with a warning and still links the skills", async () => {
    const { input } = fixture();
    const prepared = await preparePromptBundle({ ...input, instructionsFilePath: "/nonexistent/AGENTS.md" });
    if (!prepared.ok) throw new Error(prepared.error.message);
    expect(prepared.value).toMatchObject({ skills: ["review"], instructionsUnreadable: true, ref: { instructionsFilePath: null } });
    expect(prepared.value.warnings.join("\n")).toContain("/nonexistent/AGENTS.md");
  });
});

describe("promptBundleForRun", () => {
  const root = new AdapterRoot({ env: {} });
  afterAll(() => root.dispose());
  const fake = new FakeCluster();
  afterAll(() => fake.dispose());

  function realClusterScope(host: HostFacts): RunScope {
    // A real cluster as far as the bundle can tell: only its host port is read.
    const ports = { cluster: fake.cluster, logs: fake.logs, access: fake.access, leases: fake.leases, clock: fake.clock, host: { describeHost: async () => host } };
    return new RunScope({ ports, defaultNamespace: "default" }, new AgentLocks(), null);
  }

  it("prepares the bundle on a real cluster whose host pod shares /paperclip, and names it in the notes", async () => {
    const { input, home } = fixture();
    const config = { namespace: null, instructionsFilePath: input.instructionsFilePath };
    const bundle = await promptBundleForRun({ scope: realClusterScope(HOST), config, rawConfig: input.config, companyId: "company-1", sources: { home, moduleDir: input.moduleDir } });
    expect(bundle.key).toMatch(/^[0-9a-f]{64}$/);
    expect(bundle.ref?.rootDir).toBe(join(input.instanceRoot, "companies", "company-1", "claude-prompt-cache", bundle.key!));
    expect(bundle.notes).toContain("skills delivered (1): review");
    expect(bundle.warnings).toEqual([]);
  });

  it("turns a bad company id into a warning and runs without a bundle", async () => {
    const { input, home } = fixture();
    const bundle = await promptBundleForRun({ scope: realClusterScope(HOST), config: { namespace: null, instructionsFilePath: null }, rawConfig: input.config, companyId: "..", sources: { home, moduleDir: input.moduleDir } });
    expect(bundle).toMatchObject({ ref: null, key: null });
    expect(bundle.warnings.join("\n")).toMatch(/prompt_bundle_path_invalid/);
  });

  it("notes the missing volume and the simulated cluster", async () => {
    const { home, input } = fixture();
    const config = { namespace: null, instructionsFilePath: null };
    const sources = { home, moduleDir: input.moduleDir };
    const noVolume = await promptBundleForRun({ scope: realClusterScope(NO_HOST_FACTS), config, rawConfig: {}, companyId: "c", sources });
    expect(noVolume).toEqual({ ref: null, key: null, notes: [NO_VOLUME_NOTE], warnings: [], dropInstructions: false });
    const opened = await root.openScope({ cluster: "simulated", kubeconfig: null, kubeContext: null });
    if (!opened.ok) throw new Error(opened.error.message);
    const simulated = await promptBundleForRun({ scope: opened.value, config, rawConfig: {}, companyId: "c", sources });
    expect(simulated.notes).toEqual([SIMULATED_BUNDLE_NOTE]);
  });

  it("reaches Claude's argv through core: --add-dir always, the instructions copy only for new sessions", async () => {
    const opened = await root.openScope({ cluster: "simulated", kubeconfig: null, kubeContext: null });
    if (!opened.ok) throw new Error(opened.error.message);
    const promptBundle = { rootDir: "/paperclip/instances/default/companies/c/claude-prompt-cache/k", instructionsFilePath: "/paperclip/b/agent-instructions.md" };
    const argsFor = async (sessionId: string | null): Promise<readonly string[]> => {
      const run = paperclipContext({ config: { cluster: "simulated", image: "sim" }, runtime: { sessionId } });
      const request = { ...runRequestFromContext({ ctx: run.ctx, config: { image: "sim", instructionsFilePath: "/srv/AGENTS.md" }, hostEnv: {} }), promptBundle };
      let spec: AgentJobSpec | undefined;
      // Cancelled up front: the run plans (which is all this checks) and stops before creating a Job.
      await runAgentJob(opened.value.runDependencies, request, { observer: { onPlan: (s) => void (spec = s) }, cancelSignal: AbortSignal.abort() });
      return spec!.claudeArgs;
    };
    const fresh = await argsFor(null);
    expect(fresh).toEqual(expect.arrayContaining(["--add-dir", promptBundle.rootDir, "--append-system-prompt-file", promptBundle.instructionsFilePath]));
    expect(fresh).not.toContain("/srv/AGENTS.md");
    const resumed = await argsFor("s-1");
    expect(resumed).toEqual(expect.arrayContaining(["--resume", "s-1", "--add-dir", promptBundle.rootDir]));
    expect(resumed).not.toContain("--append-system-prompt-file");
  });
});
