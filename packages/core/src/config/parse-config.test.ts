import { describe, expect, it } from "vitest";
import type { ClipjobConfig } from "./clipjob-config.js";
import { DEFAULT_PROMPT_TEMPLATE } from "./config-schema.js";
import { SIMULATED_SCENARIOS } from "./simulated-scenarios.js";
import { defaultConfig, parseConfig, type ConfigInvalid } from "./parse-config.js";

function parsed(raw: unknown): ClipjobConfig {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function invalid(raw: unknown): ConfigInvalid {
  const result = parseConfig(raw);
  if (result.ok) throw new Error("expected config_invalid");
  return result.error;
}

describe("parseConfig", () => {
  it("gives every default for an empty or missing config", () => {
    const expected: ClipjobConfig = {
      model: null,
      effort: null,
      maxTurnsPerRun: 0,
      dangerouslySkipPermissions: true,
      instructionsFilePath: null,
      extraArgs: [],
      env: {},
      envSecretRefs: {},
      promptTemplate: DEFAULT_PROMPT_TEMPLATE,
      bootstrapPromptTemplate: "",
      cwd: null,
      command: "claude",
      cluster: "kubernetes",
      simulatedScenario: "success",
      namespace: null,
      image: null,
      imagePullPolicy: "IfNotPresent",
      kubeconfig: null,
      kubeContext: null,
      serviceAccountName: null,
      automountServiceAccountToken: false,
      resources: { requests: { cpu: "1000m", memory: "2Gi" }, limits: { cpu: "4000m", memory: "8Gi" } },
      nodeSelector: {},
      tolerations: [],
      labels: {},
      inheritEnv: [],
      secretRef: "paperclip-secrets",
      ttlSecondsAfterFinished: 300,
      retainJobs: false,
      reattachOrphanedJobs: true,
      timeoutSec: 0,
      graceSec: 60,
      startTimeoutSec: 300,
      apiUnreachableSec: 300,
      keepaliveSec: 15,
    };
    expect(parsed({})).toEqual(expected);
    expect(parsed(undefined)).toEqual(expected);
    expect(parsed(null)).toEqual(expected);
    expect(defaultConfig()).toEqual(expected);
  });

  it("refuses a config that is not an object", () => {
    expect(invalid([1]).fields).toEqual([{ field: "adapterConfig", problem: "expected an object, got an array" }]);
    expect(invalid("x").code).toBe("config_invalid");
  });

  it("ignores keys it does not know, such as the ones Paperclip injects", () => {
    expect(parsed({ paperclipSkillSync: { desiredSkills: ["x"] }, paperclipRuntimeSkills: [{}], somethingNew: 1 })).toEqual(defaultConfig());
  });

  it("treats null and blank values as unset", () => {
    expect(parsed({ model: "  ", timeoutSec: "", namespace: null, promptTemplate: "" })).toEqual(defaultConfig());
  });

  it("trims text values", () => {
    expect(parsed({ model: " claude-opus-4-7 ", namespace: " agents " })).toMatchObject({ model: "claude-opus-4-7", namespace: "agents" });
  });

  it("keeps template whitespace", () => {
    expect(parsed({ promptTemplate: "  Hi {{agent.id}}\n" }).promptTemplate).toBe("  Hi {{agent.id}}\n");
  });

  describe("numbers", () => {
    it.each([
      [300, 300],
      ["300", 300],
      [" 45 ", 45],
      ["12.0", 12],
      [0, 0],
    ])("accepts %j", (raw, value) => {
      expect(parsed({ timeoutSec: raw }).timeoutSec).toBe(value);
    });

    it.each([["abc"], [-1], ["-5"], [1.5], ["1e3"], [true], [{}], [Number.NaN], [Number.POSITIVE_INFINITY]])("refuses %j, naming the field", (raw) => {
      const error = invalid({ timeoutSec: raw });
      expect(error.fields).toEqual([{ field: "timeoutSec", problem: expect.stringMatching(/^expected a whole number ≥ 0, got /) }]);
      expect(error.message).toMatch(/^Invalid adapterConfig: timeoutSec: expected a whole number ≥ 0/);
    });

    it("enforces each field's minimum", () => {
      expect(invalid({ keepaliveSec: 0 }).fields[0]?.problem).toMatch(/≥ 1/);
    });
  });

  describe("fields Paperclip's form names differently (issue #15)", () => {
    it("refuses an unknown simulated scenario with config_invalid listing every valid name", () => {
      const error = invalid({ cluster: "simulated", simulatedScenario: "rate_limited" });
      expect(error.code).toBe("config_invalid");
      expect(error.fields).toEqual([{ field: "simulatedScenario", problem: expect.stringContaining('got "rate_limited"') }]);
      for (const name of SIMULATED_SCENARIOS) expect(error.message).toContain(`"${name}"`);
      expect(parsed({ simulatedScenario: " rate-limited " }).simulatedScenario).toBe("rate-limited");
    });

    it("reads the form's Thinking effort (thinkingEffort) as effort; effort wins when both are set", () => {
      expect(parsed({ thinkingEffort: "high" }).effort).toBe("high");
      expect(parsed({ thinkingEffort: "high", effort: "low" }).effort).toBe("low");
    });

    it("takes Command as the Claude executable inside the image, refusing what the shell would not exec", () => {
      expect(parsed({}).command).toBe("claude");
      expect(parsed({ command: "/opt/claude/bin/claude" }).command).toBe("/opt/claude/bin/claude");
      expect(parsed({ command: "claude-2.1" }).command).toBe("claude-2.1");
      for (const bad of ["claude --verbose", "bin/claude", "$(id)", "claude;ls"]) {
        const error = invalid({ command: bad });
        expect(error.fields).toEqual([{ field: "command", problem: expect.stringContaining("a command name (claude) or an absolute path") }]);
      }
    });
  });

  describe("booleans", () => {
    it.each([
      [true, true],
      [false, false],
      ["true", true],
      ["FALSE", false],
    ])("accepts %j", (raw, value) => {
      expect(parsed({ retainJobs: raw }).retainJobs).toBe(value);
    });

    it("refuses anything else", () => {
      expect(invalid({ retainJobs: "yes" }).fields).toEqual([{ field: "retainJobs", problem: 'expected true or false, got "yes"' }]);
    });
  });

  it("collects every field's problem in one error", () => {
    const error = invalid({ timeoutSec: "abc", imagePullPolicy: "Sometimes", cluster: 3, tolerations: "[{]", labels: "team" });
    expect(error.fields.map((f) => f.field)).toEqual(["cluster", "imagePullPolicy", "tolerations", "labels.line 1", "timeoutSec"]);
    expect(error.message.split("; ")).toHaveLength(5);
  });

  it("validates enumerations", () => {
    expect(parsed({ imagePullPolicy: "Always", cluster: "simulated" })).toMatchObject({ imagePullPolicy: "Always", cluster: "simulated" });
    expect(invalid({ imagePullPolicy: "always" }).fields[0]?.problem).toBe('expected one of "IfNotPresent", "Always", "Never", got "always"');
  });

  it("validates names and paths", () => {
    expect(invalid({ namespace: "Bad_Name" }).fields[0]?.field).toBe("namespace");
    expect(invalid({ serviceAccountName: "UPPER" }).fields[0]?.field).toBe("serviceAccountName");
    expect(invalid({ cwd: "relative" }).fields[0]).toEqual({ field: "cwd", problem: "expected an absolute path" });
    expect(invalid({ image: "my image" }).fields[0]?.field).toBe("image");
    expect(invalid({ model: "bad\0model" }).fields[0]?.problem).toMatch(/NUL/);
    expect(invalid({ model: 5 }).fields[0]?.problem).toBe("expected text, got 5");
  });

  describe("extraArgs", () => {
    it("accepts an array, or the legacy key args", () => {
      expect(parsed({ extraArgs: ["--chrome", "a b"] }).extraArgs).toEqual(["--chrome", "a b"]);
      expect(parsed({ args: ["--legacy"] }).extraArgs).toEqual(["--legacy"]);
      expect(parsed({ extraArgs: ["--new"], args: ["--legacy"] }).extraArgs).toEqual(["--new"]);
    });

    it("accepts text with one argument per line", () => {
      expect(parsed({ extraArgs: "--chrome\n\n --append-system-prompt \nbe brief" }).extraArgs).toEqual(["--chrome", "--append-system-prompt", "be brief"]);
    });

    it("refuses non-text entries with their index", () => {
      expect(invalid({ extraArgs: ["ok", 3, "bad\0"] }).fields.map((f) => f.field)).toEqual(["extraArgs[1]", "extraArgs[2]"]);
      expect(invalid({ extraArgs: 3 }).fields[0]?.field).toBe("extraArgs");
    });
  });

  describe("inheritEnv", () => {
    it.each([
      [["GH_TOKEN", "GIT_AUTHOR_NAME"], ["GH_TOKEN", "GIT_AUTHOR_NAME"]],
      ["GH_TOKEN, GIT_AUTHOR_NAME\nFOO,,FOO", ["GH_TOKEN", "GIT_AUTHOR_NAME", "FOO"]],
    ])("accepts %j", (raw, value) => {
      expect(parsed({ inheritEnv: raw }).inheritEnv).toEqual(value);
    });

    it("refuses invalid names", () => {
      expect(invalid({ inheritEnv: "OK, 1BAD" }).fields).toEqual([{ field: 'inheritEnv."1BAD"', problem: "not a valid environment variable name" }]);
      expect(invalid({ inheritEnv: ["OK", 1] }).fields[0]?.field).toBe("inheritEnv[1]");
      expect(invalid({ inheritEnv: 1 }).fields[0]?.field).toBe("inheritEnv");
    });
  });

  it("defaults maxTurnsPerRun to 0 (unlimited), the same value the form shows", () => {
    expect(parsed({}).maxTurnsPerRun).toBe(0);
  });
});
