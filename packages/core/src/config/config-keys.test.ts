import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, describeUnknownKey, isPaperclipConfigKey, suggestionLimit, unknownConfigKeys } from "./config-keys.js";

/** A distance that says every pair is 1 edit apart except the one pair named: enough to see the filter and the limit. */
const oneEditFrom = (typo: string, meant: string) => (a: string, b: string) => (a === typo.toLowerCase() && b === meant.toLowerCase() ? 1 : 99);

describe("unknownConfigKeys", () => {
  it("knows every field's key and alias, including the flat resources keys", () => {
    for (const key of ["timeoutSec", "thinkingEffort", "effort", "args", "extraArgs", "resources", "resources.requests.cpu", "resources.limits.memory", "kubeContext"]) {
      expect(CONFIG_KEYS).toContain(key);
    }
    expect(unknownConfigKeys({ timeoutSec: 1, args: [], "resources.limits.cpu": "2" }, { allowPaperclip: false, distance: () => 0 })).toEqual([]);
  });

  it("lists the unknown keys in their order, with the suggestion the distance allows", () => {
    expect(unknownConfigKeys({ noSuchKey: 1, timeoutSecs: 5, model: "opus" }, { allowPaperclip: false, distance: oneEditFrom("timeoutSecs", "timeoutSec") })).toEqual([
      { key: "noSuchKey", suggestion: null },
      { key: "timeoutSecs", suggestion: "timeoutSec" },
    ]);
  });

  it("compares case-insensitively", () => {
    const seen: [string, string][] = [];
    unknownConfigKeys({ TimeoutSEC: 1 }, { allowPaperclip: false, distance: (a, b) => (seen.push([a, b]), 5) });
    expect(seen).toContainEqual(["timeoutsec", "timeoutsec"]);
  });

  it("suggests nothing beyond a third of the key's length (at least 1, at most 3 edits)", () => {
    expect([suggestionLimit("cwd"), suggestionLimit("image"), suggestionLimit("timeoutSecs"), suggestionLimit("reattachOrphanedJobz")]).toEqual([1, 1, 3, 3]);
    expect(unknownConfigKeys({ cwdx: 1 }, { allowPaperclip: false, distance: () => 2 })).toEqual([{ key: "cwdx", suggestion: null }]);
  });

  it("beyond the edit limit, suggests the object key a dotted path starts in, or the one key the typed one begins or ends", () => {
    const far = () => 99;
    expect(unknownConfigKeys({ "nodeSelector.pool": "a", "ENV.FOO": "1", "resources.cpu": "1", timeout: 5, retain: true, thinking: "high" }, { allowPaperclip: false, distance: far })).toEqual([
      { key: "nodeSelector.pool", suggestion: "nodeSelector" },
      { key: "ENV.FOO", suggestion: "env" },
      { key: "resources.cpu", suggestion: "resources" },
      { key: "timeout", suggestion: "timeoutSec" },
      { key: "retain", suggestion: "retainJobs" },
      { key: "thinking", suggestion: "thinkingEffort" },
    ]);
    // Too short to be a beginning worth naming, or the beginning of several keys: nothing.
    expect(unknownConfigKeys({ ima: 1, reattach: 1, kube: 1 }, { allowPaperclip: false, distance: far }).map((u) => u.suggestion)).toEqual([null, "reattachOrphanedJobs", null]);
    // The end of one key, as the CLI's flags name it without its qualifier; too short or the end of several: nothing.
    expect(unknownConfigKeys({ scenario: "oom", Context: "dev", policy: "Always", jobs: 1, Sec: 1 }, { allowPaperclip: false, distance: far }).map((u) => u.suggestion)).toEqual([
      "simulatedScenario",
      "kubeContext",
      "imagePullPolicy",
      null,
      null,
    ]);
  });

  it("passes Paperclip's own keys only when asked to", () => {
    const raw = {
      paperclipSkillSync: { desiredSkills: [] },
      instructionsBundleMode: "managed",
      instructionsRootPath: "/paperclip/instances/default/companies/c/agents/a/instructions",
      instructionsEntryFile: "AGENTS.md",
      paperclipRuntimeSkills: [],
      paperclipConnectorSkillDigest: null,
      managedAiConnection: {},
      paperclipFutureKey: 1,
    };
    expect(unknownConfigKeys(raw, { allowPaperclip: true, distance: () => 99 })).toEqual([]);
    expect(unknownConfigKeys(raw, { allowPaperclip: false, distance: () => 99 }).map((u) => u.key)).toEqual(Object.keys(raw));
    expect(isPaperclipConfigKey("paperclipish")).toBe(false);
  });

  it("describes a key with its suggestion", () => {
    expect(describeUnknownKey({ key: "timeoutSecs", suggestion: "timeoutSec" })).toBe("timeoutSecs (did you mean timeoutSec?)");
    expect(describeUnknownKey({ key: "noSuchKey", suggestion: null })).toBe("noSuchKey");
  });
});
