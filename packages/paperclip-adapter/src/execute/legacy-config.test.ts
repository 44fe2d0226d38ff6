// Drop-in compatibility: every adapterConfig the predecessor accepted runs unchanged and
// means the same; a wrong type fails the run with config_invalid naming the field.
import type { AgentJobSpec } from "@clipjob/core";
import { afterAll, describe, expect, it } from "vitest";
import { AdapterRoot } from "../composition/adapter-root.js";
import { createServerAdapter } from "../server-adapter.js";
import { paperclipContext } from "../testing/paperclip-context.js";
import { HostSignalLatch } from "./host-signals.js";

const root = new AdapterRoot({ env: {} });
afterAll(() => root.dispose());
const adapter = createServerAdapter({ root, signals: new HostSignalLatch(), env: {} });

/** Runs `legacy` on the simulated cluster with the Job retained, and returns the Job spec it ran. */
async function runLegacy(legacy: Record<string, unknown>): Promise<AgentJobSpec> {
  const run = paperclipContext({ config: { cluster: "simulated", simulatedScenario: "success", ...legacy, retainJobs: true } });
  const result = await adapter.execute(run.ctx);
  expect(result.errorMessage).toBeNull();
  const name = run.metas[0]!.command.replace("kubectl job/", "");
  const scope = await root.openScope({ cluster: "simulated", kubeconfig: null, kubeContext: null });
  if (!scope.ok) throw new Error(scope.error.message);
  const job = scope.value.simulation!.fake.jobs().find((j) => j.ref.name === name);
  if (!job) throw new Error(`Job ${name} was not retained`);
  return job.spec;
}

describe("predecessor adapterConfig", () => {
  it.each<{ name: string; legacy: Record<string, unknown>; expect: (spec: AgentJobSpec) => void }>([
    {
      name: "flat dotted resources",
      legacy: { "resources.requests.cpu": "500m", "resources.requests.memory": "1Gi", "resources.limits.cpu": "2", "resources.limits.memory": "4Gi" },
      expect: (spec) => expect(spec.resources).toMatchObject({ requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } }),
    },
    {
      name: "tolerations as JSON text",
      legacy: { tolerations: '[{"key":"gpu","operator":"Exists","effect":"NoSchedule"}]' },
      expect: (spec) => expect(spec.tolerations).toEqual([{ key: "gpu", operator: "Exists", effect: "NoSchedule" }]),
    },
    {
      name: "labels and nodeSelector as key=value lines",
      legacy: { labels: "team=platform\ntier=agents", nodeSelector: "kubernetes.io/os=linux\nkubernetes.io/arch=amd64" },
      expect: (spec) => {
        expect(spec.labels).toMatchObject({ team: "platform", tier: "agents" });
        expect(spec.nodeSelector).toEqual({ "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" });
      },
    },
    {
      name: "labels and nodeSelector as objects",
      legacy: { labels: { team: "platform" }, nodeSelector: { "kubernetes.io/os": "linux" } },
      expect: (spec) => {
        expect(spec.labels).toMatchObject({ team: "platform" });
        expect(spec.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
      },
    },
    { name: "ttlSecondsAfterFinished", legacy: { ttlSecondsAfterFinished: 900 }, expect: (spec) => expect(spec.ttlSecondsAfterFinished).toBe(900) },
    { name: "timeoutSec and graceSec", legacy: { timeoutSec: 3600, graceSec: 30 }, expect: (spec) => expect(spec).toMatchObject({ activeDeadlineSeconds: 3600, terminationGracePeriodSeconds: 30 }) },
    { name: "reattachOrphanedJobs off", legacy: { reattachOrphanedJobs: false }, expect: (spec) => expect(spec.ref.namespace).toBe("clipjob") },
    {
      name: "model, effort, maxTurnsPerRun, extraArgs",
      legacy: { model: "claude-opus-4-7", effort: "high", maxTurnsPerRun: 1000, extraArgs: ["--verbose"] },
      expect: (spec) => expect(spec.claudeArgs).toEqual(expect.arrayContaining(["--model", "claude-opus-4-7", "--effort", "high", "--max-turns", "1000"])),
    },
    { name: "the older args spelling", legacy: { args: ["--add-dir", "/data"] }, expect: (spec) => expect(spec.claudeArgs.slice(-2)).toEqual(["--add-dir", "/data"]) },
    { name: "dangerouslySkipPermissions off", legacy: { dangerouslySkipPermissions: false }, expect: (spec) => expect(spec.claudeArgs).not.toContain("--dangerously-skip-permissions") },
    {
      name: "imagePullPolicy, serviceAccountName, namespace",
      legacy: { imagePullPolicy: "Always", serviceAccountName: "agents", namespace: "clipjob" },
      expect: (spec) => expect(spec).toMatchObject({ imagePullPolicy: "Always", serviceAccountName: "agents", ref: { namespace: "clipjob" } }),
    },
    {
      name: "env as an object with plain bindings",
      legacy: { env: { FOO: "bar", MODE: { type: "plain", value: "fast" } } },
      expect: (spec) => expect(spec.env).toEqual(expect.arrayContaining([{ name: "FOO", source: { kind: "literal", value: "bar" } }, { name: "MODE", source: { kind: "literal", value: "fast" } }])),
    },
    { name: "secretRef and the removed RTK keys", legacy: { secretRef: "claude-creds", enableRtk: true, rtkMaxOutputBytes: 50000 }, expect: (spec) => expect(spec.image).toMatch(/success$/) },
    { name: "promptTemplate and bootstrapPromptTemplate", legacy: { promptTemplate: "Agent {{agent.name}} go", bootstrapPromptTemplate: "First run." }, expect: (spec) => expect(spec.payload.prompt).toMatch(/^First run\.[\s\S]*Agent Builder go$/) },
  ])("accepts $name", async ({ legacy, expect: check }) => {
    check(await runLegacy(legacy));
  });

  it.each([
    { field: "timeoutSec", value: "soon" },
    { field: "retainJobs", value: "maybe" },
    { field: "maxTurnsPerRun", value: -1 },
    { field: "tolerations", value: "not json" },
    { field: "imagePullPolicy", value: "Sometimes" },
    { field: "resources.limits.memory", value: "lots" },
    { field: "labels", value: "no-equals-sign" },
  ])("refuses $field = $value with config_invalid naming the field", async ({ field, value }) => {
    const run = paperclipContext({ config: { cluster: "simulated", simulatedScenario: "success", [field]: value } });
    const result = await adapter.execute(run.ctx);
    expect(result.errorCode).toBe("config_invalid");
    expect(result.errorMessage).toMatch(new RegExp(`Invalid adapterConfig: .*${field.replaceAll(".", "\\.")}`));
    expect(result.errorMeta?.["fields"]).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringContaining(field) })]));
    expect(run.calls).not.toContain("onDispatch");
  });
});
