// Every accepted form of the structured fields: resources, tolerations, nodeSelector, labels, env.
import { describe, expect, it } from "vitest";
import type { ClipjobConfig } from "./clipjob-config.js";
import { parseConfig, type ConfigFieldProblem } from "./parse-config.js";
import { quantityValue } from "./resources-config.js";

function parsed(raw: Record<string, unknown>): ClipjobConfig {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function problems(raw: Record<string, unknown>): readonly ConfigFieldProblem[] {
  const result = parseConfig(raw);
  if (result.ok) throw new Error("expected config_invalid");
  return result.error.fields;
}

describe("resources", () => {
  it("reads the predecessor's flat dotted keys", () => {
    const config = parsed({ "resources.requests.cpu": "500m", "resources.requests.memory": "1Gi", "resources.limits.cpu": 2, "resources.limits.memory": "4Gi" });
    expect(config.resources).toEqual({ requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } });
  });

  it("reads a nested object, keeping defaults for what it leaves out", () => {
    const config = parsed({ resources: { limits: { memory: "16Gi", "ephemeral-storage": "10Gi" } } });
    expect(config.resources).toEqual({ requests: { cpu: "1000m", memory: "2Gi" }, limits: { cpu: "4000m", memory: "16Gi", "ephemeral-storage": "10Gi" } });
  });

  it("reads the nested object as JSON text", () => {
    expect(parsed({ resources: '{"requests":{"cpu":"250m"}}' }).resources.requests.cpu).toBe("250m");
  });

  it("lets dotted keys override the nested object", () => {
    expect(parsed({ resources: { requests: { cpu: "2" } }, "resources.requests.cpu": "3" }).resources.requests.cpu).toBe("3");
  });

  it("refuses what is not a quantity, naming the entry", () => {
    expect(problems({ "resources.limits.memory": "8 gigs" })).toEqual([
      { field: "resources.limits.memory", problem: '"8 gigs" is not a Kubernetes quantity (e.g. "500m", "2", "512Mi", "2Gi")' },
    ]);
    expect(problems({ resources: { requests: { cpu: "lots", gpu: "1" }, extra: {} } }).map((p) => p.field)).toEqual([
      "resources.extra",
      "resources.requests.cpu",
      "resources.requests.gpu",
    ]);
    expect(problems({ resources: { limits: "big" } }).map((p) => p.field)).toEqual(["resources.limits"]);
    expect(problems({ resources: 5 })[0]?.field).toBe("resources");
    expect(problems({ resources: "{nope" })[0]?.problem).toMatch(/not valid JSON/);
    expect(problems({ "resources.requests.cpu": -1 })[0]?.field).toBe("resources.requests.cpu");
  });

  it("refuses requests above limits, as the API server would", () => {
    expect(problems({ "resources.requests.memory": "10Gi" })).toEqual([{ field: "resources.memory", problem: "the request (10Gi) exceeds the limit (8Gi)" }]);
  });

  it.each([
    ["500m", 0.5],
    ["2", 2],
    ["1.5", 1.5],
    [".5", 0.5],
    ["2Gi", 2 * 2 ** 30],
    ["1k", 1000],
    ["1e3", 1000],
    ["+1M", 1e6],
    ["abc", null],
    ["1Gb", null],
    ["-1", null],
  ])("quantity %s = %s", (q, value) => {
    expect(quantityValue(q)).toBe(value);
  });
});

describe("tolerations", () => {
  const gpu = { key: "gpu", operator: "Exists", effect: "NoSchedule" };

  it("accepts an array", () => {
    expect(parsed({ tolerations: [gpu] }).tolerations).toEqual([gpu]);
  });

  it("accepts JSON text, as the form's textarea sends it", () => {
    expect(parsed({ tolerations: JSON.stringify([gpu, { key: "spot", operator: "Equal", value: "true", effect: "NoExecute", tolerationSeconds: 60 }]) }).tolerations).toEqual([
      gpu,
      { key: "spot", operator: "Equal", value: "true", effect: "NoExecute", tolerationSeconds: 60 },
    ]);
  });

  it("accepts a key-less Exists toleration (tolerate everything)", () => {
    expect(parsed({ tolerations: [{ operator: "Exists" }] }).tolerations).toEqual([{ operator: "Exists" }]);
  });

  it.each<[string, unknown, string[]]>([
    ["not an array", { key: "a" }, ["tolerations"]],
    ["not JSON", "[{key: a}]", ["tolerations"]],
    ["an entry that is not an object", ["gpu"], ["tolerations[0]"]],
    ["an unknown property", [{ key: "a", operator: "Exists", opertor: "x" }], ["tolerations[0].opertor"]],
    ["a bad operator", [{ key: "a", operator: "In" }], ["tolerations[0].operator"]],
    ["a bad effect", [{ key: "a", operator: "Exists", effect: "Never" }], ["tolerations[0].effect"]],
    ["a value with Exists", [{ key: "a", operator: "Exists", value: "x" }], ["tolerations[0].value"]],
    ["no key without Exists", [{ value: "x" }], ["tolerations[0]"]],
    ["an invalid key", [{ key: "a b", operator: "Exists" }], ["tolerations[0].key"]],
    ["an invalid value", [{ key: "a", value: "x y" }], ["tolerations[0].value"]],
    ["a non-text key", [{ key: 5, operator: "Exists" }], ["tolerations[0].key"]],
    ["seconds without NoExecute", [{ key: "a", operator: "Exists", tolerationSeconds: 5 }], ["tolerations[0].tolerationSeconds"]],
    ["fractional seconds", [{ key: "a", operator: "Exists", effect: "NoExecute", tolerationSeconds: 1.5 }], ["tolerations[0].tolerationSeconds"]],
  ])("refuses %s", (_, raw, fields) => {
    expect(problems({ tolerations: raw }).map((p) => p.field)).toEqual(fields);
  });
});

describe("nodeSelector and labels", () => {
  it.each<[string, unknown]>([
    ["an object", { pool: "agents", "example.com/tier": "gpu" }],
    ["JSON text", '{"pool":"agents","example.com/tier":"gpu"}'],
    ["key=value lines with comments and blanks", "# agent pool\npool = agents\n\n example.com/tier=gpu \r\n"],
  ])("accepts %s", (_, raw) => {
    expect(parsed({ nodeSelector: raw }).nodeSelector).toEqual({ pool: "agents", "example.com/tier": "gpu" });
    expect(parsed({ labels: raw }).labels).toEqual({ pool: "agents", "example.com/tier": "gpu" });
  });

  it("keeps an empty value and splits on the first =", () => {
    expect(parsed({ labels: "a=" }).labels).toEqual({ a: "" });
    expect(problems({ labels: "b=c=d" })[0]?.field).toBe("labels.b");
  });

  it("turns numbers and booleans into text", () => {
    expect(parsed({ nodeSelector: { gpu: true, count: 2 } }).nodeSelector).toEqual({ gpu: "true", count: "2" });
  });

  it("refuses reserved label prefixes instead of dropping them silently", () => {
    expect(problems({ labels: "paperclip.io/agent-id=x\napp.kubernetes.io/name=y\nclipjob.dev/a=b\nnode.kubernetes.io/x=y\nk8s.io/z=1" })).toEqual(
      ["paperclip.io/agent-id", "app.kubernetes.io/name", "clipjob.dev/a", "node.kubernetes.io/x", "k8s.io/z"].map((k) => ({ field: `labels.${k}`, problem: "uses a reserved prefix" })),
    );
  });

  it("allows Kubernetes' well-known keys in nodeSelector", () => {
    expect(parsed({ nodeSelector: "kubernetes.io/arch=arm64" }).nodeSelector).toEqual({ "kubernetes.io/arch": "arm64" });
  });

  it.each<[string, unknown, string]>([
    ["an invalid key", "bad key=x", "labels.bad key"],
    ["an invalid value", "team=two words", "labels.team"],
    ["a value over 63 characters", { team: "x".repeat(64) }, "labels.team"],
    ["a line without =", "team", "labels.line 1"],
    ["a nested value", { team: { a: 1 } }, "labels.team"],
    ["an array", ["team=x"], "labels"],
    ["bad JSON", "{team", "labels"],
  ])("refuses %s", (_, raw, field) => {
    expect(problems({ labels: raw })[0]?.field).toBe(field);
  });
});

describe("env", () => {
  it("accepts text values and Paperclip's stored plain form", () => {
    expect(parsed({ env: { FOO: "bar", N: 3, FLAG: true, PLAIN: { type: "plain", value: "v" } } })).toMatchObject({
      env: { FOO: "bar", N: "3", FLAG: "true", PLAIN: "v" },
      envSecretRefs: {},
    });
  });

  it("accepts JSON text", () => {
    expect(parsed({ env: '{"FOO":"bar"}' }).env).toEqual({ FOO: "bar" });
  });

  it("takes credentials as Secret references", () => {
    expect(parsed({ env: { ANTHROPIC_API_KEY: { secretKeyRef: { name: "anthropic", key: "api-key" } }, GH_TOKEN: { secretKeyRef: { name: "gh", key: "token", optional: true } } } }).envSecretRefs).toEqual({
      ANTHROPIC_API_KEY: { kind: "secretKey", secretName: "anthropic", key: "api-key" },
      GH_TOKEN: { kind: "secretKey", secretName: "gh", key: "token", optional: true },
    });
  });

  it("accepts a credential as a literal (Paperclip resolves its secret bindings to strings); the plan keeps it out of the Job spec", () => {
    expect(parsed({ env: { ANTHROPIC_API_KEY: "sk-ant-123" } }).env).toEqual({ ANTHROPIC_API_KEY: "sk-ant-123" });
  });

  it("accepts the run-scoped PAPERCLIP_* values Paperclip injects", () => {
    expect(parsed({ env: { PAPERCLIP_RUN_SCRATCH_DIR: "/tmp/x", PAPERCLIP_GITHUB_TOKEN: "t" } }).env).toEqual({ PAPERCLIP_RUN_SCRATCH_DIR: "/tmp/x", PAPERCLIP_GITHUB_TOKEN: "t" });
  });

  it.each<[string, unknown, RegExp]>([
    ["the run token key", { PAPERCLIP_API_KEY: "x" }, /set by clipjob/],
    ["a runtime key", { PAPERCLIP_RUN_ID: "x" }, /set by clipjob/],
    ["an invalid name", { "BAD NAME": "x" }, /not a valid environment variable name/],
    ["an unresolved binding", { S: { type: "secret_ref", secretId: "1" } }, /"secret_ref" binding reached the adapter unresolved/],
    ["a plain entry without text", { S: { type: "plain", value: 1 } }, /must be text/],
    ["a reference to an invalid Secret name", { K: { secretKeyRef: { name: "Bad_Name", key: "k" } } }, /secretKeyRef.name/],
    ["a reference to an invalid key", { K: { secretKeyRef: { name: "s", key: "a/b" } } }, /secretKeyRef.key/],
    ["an unknown object", { K: { value: "x" } }, /expected text/],
    ["an array value", { K: ["x"] }, /expected text/],
  ])("refuses %s", (_, env, problem) => {
    expect(problems({ env })[0]?.problem).toMatch(problem);
  });

  it("refuses env that is not an object", () => {
    expect(problems({ env: ["FOO=bar"] })[0]?.field).toBe("env");
    expect(problems({ env: "{" })[0]?.field).toBe("env");
  });
});
