import type { AgentJobSpec } from "@clipjob/core";
import { plannedJobSpec } from "@clipjob/kube-test-kit/planned-job-spec";
import { simImage } from "../programs/program.js";

/** The planner's Job spec (core's planAgentJob, via kube-test-kit) running the given sim program. */
export function baseSpec(name: string, program = "success", overrides: Partial<AgentJobSpec> = {}): AgentJobSpec {
  return {
    ...plannedJobSpec({
      namespace: "clipjob",
      name,
      image: simImage(program),
      prompt: "Fix the failing test in src/app.ts",
      config: { resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "2Gi" } }, graceSec: 30 },
    }),
    ...overrides,
  };
}
