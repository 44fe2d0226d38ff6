// What Paperclip records as the run's `adapter.invoke` event: the planned Job, as a person debugging it
// needs to see it. Secret values never appear: Secret-backed env is shown as its reference, and literals
// whose names look sensitive are masked by adapter-utils' redaction.
import type { AgentJobSpec, EnvSource } from "@clipjob/core";
import type { AdapterInvocationMeta } from "@paperclipai/adapter-utils";
import { redactEnvForLogs } from "@paperclipai/adapter-utils/server-utils";

export const ADAPTER_TYPE = "claude_k8s";

export interface MetaInput {
  readonly spec: AgentJobSpec;
  readonly promptMetrics: Readonly<Record<string, number>>;
  readonly timeoutSec: number;
  readonly reattachOrphanedJobs: boolean;
  readonly simulatedScenario: string | null;
  readonly extraNotes: readonly string[];
}

export function invocationMeta({ spec, promptMetrics, timeoutSec, reattachOrphanedJobs, simulatedScenario, extraNotes }: MetaInput): AdapterInvocationMeta {
  const notes = [
    ...(simulatedScenario !== null ? [`EVALUATION MODE: simulated cluster, scenario "${simulatedScenario}" (no real Kubernetes, no real Claude)`] : []),
    `image: ${spec.image}`,
    `namespace: ${spec.ref.namespace}`,
    `timeout: ${timeoutSec > 0 ? `${timeoutSec}s` : "none"}`,
    `reattach orphaned Jobs: ${reattachOrphanedJobs ? "yes" : "no"}`,
    ...(spec.notes ?? []),
    ...extraNotes,
  ];
  return {
    adapterType: ADAPTER_TYPE,
    command: `kubectl job/${spec.ref.name}`,
    cwd: spec.workingDir,
    commandArgs: [...spec.claudeArgs],
    commandNotes: notes,
    env: redactEnvForLogs(Object.fromEntries(spec.env.map((v) => [v.name, describeSource(v.source)]))),
    prompt: spec.payload.prompt,
    promptMetrics: { ...promptMetrics },
  };
}

function describeSource(source: EnvSource): string {
  switch (source.kind) {
    case "literal":
      return source.value;
    case "secretKey":
      return `<secret ${source.secretName}/${source.key}>`;
    case "configMapKey":
      return `<configmap ${source.configMapName}/${source.key}>`;
    case "field":
      return `<field ${source.fieldPath}>`;
    case "payload":
      return `<run payload ${source.key}>`;
  }
}
