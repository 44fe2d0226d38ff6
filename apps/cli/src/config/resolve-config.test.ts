import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig, type ConfigSources } from "./resolve-config.js";

const cwd = mkdtempSync(join(tmpdir(), "clipjob-cli-config-"));
function file(name: string, content: string): string {
  writeFileSync(join(cwd, name), content);
  return name;
}

function resolve(sources: Partial<ConfigSources>) {
  return resolveConfig({ sets: [], flags: {}, cwd, ...sources });
}

describe("resolveConfig", () => {
  it("runs on the embedded simulation unless a kubeconfig or context is named", () => {
    expect(resolve({})).toMatchObject({ ok: true, value: { config: { cluster: "simulated", simulatedScenario: "success" } } });
    expect(resolve({ flags: { kubeconfig: "/k" } })).toMatchObject({ ok: true, value: { config: { cluster: "kubernetes", kubeconfig: "/k" } } });
    expect(resolve({ flags: { context: "prod" } })).toMatchObject({ ok: true, value: { config: { cluster: "kubernetes", kubeContext: "prod" } } });
    expect(resolve({ sets: ["kubeconfig=/k", "cluster=simulated"] })).toMatchObject({ ok: true, value: { config: { cluster: "simulated" } } });
  });

  it("layers the file, then --set, then the dedicated flags", () => {
    const path = file("layers.json", JSON.stringify({ namespace: "from-file", timeoutSec: 100, model: "opus" }));
    const result = resolve({ configFile: path, sets: ["namespace=from-set", "timeoutSec=600"], flags: { namespace: "from-flag", scenario: "rate-limited" } });
    expect(result).toMatchObject({
      ok: true,
      value: { config: { namespace: "from-flag", timeoutSec: 600, model: "opus", simulatedScenario: "rate-limited" } },
    });
  });

  it("passes --set values as text for core to parse (numbers, booleans, JSON objects)", () => {
    const result = resolve({ sets: ["retainJobs=true", "graceSec=5", 'nodeSelector={"pool":"agents"}', "resources.limits.cpu=3"] });
    expect(result).toMatchObject({ ok: true, value: { config: { retainJobs: true, graceSec: 5, nodeSelector: { pool: "agents" } } } });
    if (result.ok) expect(result.value.config.resources.limits["cpu"]).toBe("3");
  });

  it("names every invalid field", () => {
    const result = resolve({ sets: ["timeoutSec=-1", "imagePullPolicy=Sometimes"], flags: { namespace: "Not_A_Namespace" } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.lines[0]).toBe("Invalid configuration (config_invalid):");
    const fields = result.error.lines.slice(1).map((l) => l.trim().split(":")[0]);
    expect(fields.sort()).toEqual(["imagePullPolicy", "namespace", "timeoutSec"]);
  });

  it.each([
    { name: "--set without =", sources: { sets: ["timeoutSec"] }, message: '--set "timeoutSec": expected key=value' },
    { name: "a missing config file", sources: { configFile: "missing.json" }, message: "--config: cannot read missing.json" },
    { name: "a config file that is not JSON", sources: { configFile: file("bad.json", "{nope") }, message: "--config: bad.json is not valid JSON" },
    { name: "a config file holding an array", sources: { configFile: file("array.json", "[1]") }, message: "--config: the file must hold a JSON object" },
  ])("refuses $name", ({ sources, message }) => {
    const result = resolve(sources);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.lines[0]).toContain(message);
  });

  it("refuses unknown keys from --set and --config, suggesting the key within a third of its length", () => {
    const path = file("typo.json", JSON.stringify({ imagePullPolicey: "Always", retainjobs: true, model: "opus" }));
    expect(resolve({ configFile: path, sets: ["graceSecs=5", "thinkingEfort=high", "x=1", "resources.limits.cpux=2"] })).toEqual({
      ok: false,
      error: {
        lines: [
          "Unknown configuration key (config_unknown_key):",
          "  imagePullPolicey (--config): clipjob reads no such key; did you mean imagePullPolicy?",
          "  retainjobs (--config): clipjob reads no such key; did you mean retainJobs?",
          "  graceSecs (--set): clipjob reads no such key; did you mean graceSec?",
          "  thinkingEfort (--set): clipjob reads no such key; did you mean thinkingEffort?",
          "  x (--set): clipjob reads no such key",
          "  resources.limits.cpux (--set): clipjob reads no such key; did you mean resources.limits.cpu?",
        ],
      },
    });
  });

  it("accepts Paperclip's own keys in a --config file (an adapterConfig copied from Paperclip), but not from --set", () => {
    const path = file("from-paperclip.json", JSON.stringify({ model: "opus", paperclipSkillSync: { desiredSkills: [] }, paperclipRuntimeSkills: [], managedAiConnection: {} }));
    expect(resolve({ configFile: path })).toMatchObject({ ok: true, value: { config: { model: "opus" } } });
    expect(resolve({ sets: ["paperclipSkillSync={}"] })).toMatchObject({
      ok: false,
      error: {
        lines: [
          "Unknown configuration key (config_unknown_key):",
          "  paperclipSkillSync (--set): clipjob reads no such key; it is Paperclip's own key, which only a --config file (an adapterConfig copied from Paperclip) may hold",
        ],
      },
    });
  });

  it("shows an unknown key that is empty, spaced or holds control characters as a JSON string (nothing raw reaches the terminal)", () => {
    const path = file("odd-keys.json", JSON.stringify({ "": 1, "\u001b[2Jx": 2 }));
    expect(resolve({ configFile: path, sets: [" =1"] })).toEqual({
      ok: false,
      error: {
        lines: [
          "Unknown configuration key (config_unknown_key):",
          '  "" (--config): clipjob reads no such key',
          '  "\\u001b[2Jx" (--config): clipjob reads no such key',
          '  "" (--set): clipjob reads no such key',
        ],
      },
    });
  });
});
