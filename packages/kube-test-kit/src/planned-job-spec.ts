// The one Job spec the test suites start from, made by core's planner (planAgentJob) from a minimal run
// request and the default config: whatever the planner puts into every agent Job (command, claude args, env,
// security context, labels) reaches every suite through here. Imports core only (no client-node), so the
// fake cluster's tests can load it cheaply through `@clipjob/kube-test-kit/planned-job-spec`.
import { defaultConfig, NO_HOST_FACTS, planAgentJob, type AgentJobSpec, type ClipjobConfig } from "@clipjob/core";

export interface PlannedJobSpecOptions {
  /** The Job's namespace and name (the planner's hash-based name is replaced: tests name their Jobs). */
  readonly namespace: string;
  readonly name: string;
  readonly image: string;
  /** The prompt, literally (no `{{…}}` placeholders); default "Continue your Paperclip work." */
  readonly prompt?: string;
  /** Config fields over the defaults, e.g. resources or graceSec. */
  readonly config?: Partial<ClipjobConfig>;
}

/** The AgentJobSpec planAgentJob makes for agent "agent-1", run "run-1", with the given name, image and config. */
export function plannedJobSpec({ namespace, name, image, prompt = "Continue your Paperclip work.", config = {} }: PlannedJobSpecOptions): AgentJobSpec {
  const planned = planAgentJob({
    request: { runId: "run-1", agent: { id: "agent-1", companyId: "company-1", name: "Test agent" }, config: {} },
    config: { ...defaultConfig(), namespace, image, promptTemplate: prompt, ...config },
    host: NO_HOST_FACTS,
    defaultNamespace: namespace,
  });
  if (!planned.ok) throw new Error(`plannedJobSpec: the planner refused (${planned.error.code}): ${planned.error.message}`);
  const { notes: _notes, promptMetrics: _metrics, ...spec } = planned.value;
  return { ...spec, ref: { namespace, name } };
}

/**
 * The contract suite's Job: the planned spec with modest resources and a 5 s grace period (the contract's
 * kills need not wait long), running `image`. Every contract driver (fake, kwok, real node) starts from it.
 */
export function contractBaseSpec(namespace: string, name: string, image: string): AgentJobSpec {
  return plannedJobSpec({
    namespace,
    name,
    image,
    prompt: "contract",
    config: { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "1Gi" } }, graceSec: 5 },
  });
}
