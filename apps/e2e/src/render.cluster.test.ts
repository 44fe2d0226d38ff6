// Every manifest the renderer produces for realistic adapterConfigs is accepted by a real API server:
// created with dryRun=All as the adapter ServiceAccount, so schema, defaulting, validation, admission and
// RBAC all run, and nothing is stored.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NO_HOST_FACTS, parseConfig, planAgentJob, type RunRequest } from "@clipjob/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderJob, renderPayloadSecret } from "@clipjob/k8s-infra";
import { startE2eControlPlane, type ControlPlane } from "./e2e-control-plane.js";

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startE2eControlPlane(mkdtempSync(join(tmpdir(), "clipjob-render-")));
});
afterAll(async () => {
  await cp?.stop();
});

const request = (config: Record<string, unknown>, extra: Partial<RunRequest> = {}): RunRequest => ({
  runId: "run-7d1f",
  agent: { id: "agent-7f3a", companyId: "company-1", name: "Builder" },
  taskId: "task-42",
  config: { image: "ghcr.io/example/paperclip:1.4.2", namespace: cp.namespace, ...config },
  wake: { reason: "comment", comments: [{ body: "please — look at 日本語 too", author: "ada" }] },
  ...extra,
});

const CASES: { name: string; config: Record<string, unknown>; extra?: Partial<RunRequest> }[] = [
  { name: "the defaults", config: {} },
  {
    name: "resources nested and as dotted keys",
    config: { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } }, "resources.limits.cpu": "2", "resources.requests.ephemeral-storage": "1Gi" },
  },
  {
    name: "tolerations as JSON text",
    config: { tolerations: '[{"key":"dedicated","operator":"Equal","value":"agents","effect":"NoSchedule"},{"operator":"Exists","effect":"NoExecute","tolerationSeconds":60}]' },
  },
  { name: "nodeSelector as key=value lines", config: { nodeSelector: "# agents only\nkubernetes.io/arch=amd64\nclipjob.dev/pool=agents\n" } },
  { name: "extra labels", config: { labels: "team=platform\ncost-center=r-and-d" } },
  { name: "env with a secretKeyRef and a literal", config: { env: { ANTHROPIC_API_KEY: { secretKeyRef: { name: "anthropic", key: "api-key" } }, LOG_LEVEL: "debug" } } },
  { name: "a run token, which only the payload Secret carries", config: {}, extra: { runToken: "eyJhbGciOiJIUzI1NiJ9.run.token" } },
];

describe("rendered manifests on a real API server (dryRun=All, as the adapter)", () => {
  it.each(CASES)("$name: the Job and its payload Secret are accepted", async ({ config, extra }) => {
    const parsed = parseConfig(request(config).config);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    const planned = planAgentJob({ request: request(config, extra), config: parsed.value, host: NO_HOST_FACTS, defaultNamespace: cp.namespace });
    if (!planned.ok) throw new Error(JSON.stringify(planned.error));
    const spec = planned.value;
    const dryRun = { dryRun: "All" };
    const job = await cp.adapter.post(`/apis/batch/v1/namespaces/${cp.namespace}/jobs`, renderJob(spec), dryRun);
    expect(job.metadata.name).toBe(spec.ref.name);
    expect(job.metadata.uid).toBeTruthy();
    const secret = await cp.adapter.post(`/api/v1/namespaces/${cp.namespace}/secrets`, renderPayloadSecret(spec, { namespace: cp.namespace, name: spec.ref.name, uid: job.metadata.uid }), dryRun);
    expect(Object.keys(secret.data ?? secret.stringData ?? {})).toContain("prompt");
    if (extra?.runToken) expect(JSON.stringify(job)).not.toContain(extra.runToken);
  });
});
