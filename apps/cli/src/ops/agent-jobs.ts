// `clipjob jobs`: this tool's Jobs in a namespace, with enough state to spot a run nobody is watching.

import { ADAPTER_TYPE, LABEL_ADAPTER_TYPE, LABEL_AGENT_ID, LABEL_RUN_ID, LABEL_TASK_ID, type ClusterPort, type JobSnapshot } from "@clipjob/core";

/** `Suspended`: created suspended and never resumed (a submit that did not finish); it never runs. */
export type AgentJobPhase = "Running" | "Suspended" | "Complete" | "Failed" | "Deleting";

export interface AgentJobRow {
  readonly namespace: string;
  readonly name: string;
  readonly runId: string | null;
  readonly agentId: string | null;
  readonly taskId: string | null;
  readonly phase: AgentJobPhase;
  readonly ageSeconds: number;
  /**
   * A live Job whose run is not supervised by this process. The CLI supervises nothing it did not start,
   * so every live Job is an orphan *candidate*: its host may still be watching it from elsewhere.
   */
  readonly orphanCandidate: boolean;
}

export interface ListAgentJobsInput {
  readonly cluster: ClusterPort;
  readonly namespace: string;
  readonly nowMs: number;
  /** Run ids this process is supervising right now (empty for the CLI's `jobs` command). */
  readonly supervisedRunIds?: ReadonlySet<string>;
}

/** Newest first. */
export async function listAgentJobs(input: ListAgentJobsInput): Promise<AgentJobRow[]> {
  const jobs = await input.cluster.listJobs(input.namespace, { [LABEL_ADAPTER_TYPE]: ADAPTER_TYPE });
  const supervised = input.supervisedRunIds ?? new Set<string>();
  return jobs
    .map((job) => toRow(job, input.nowMs, supervised))
    .sort((a, b) => a.ageSeconds - b.ageSeconds || a.name.localeCompare(b.name));
}

export function jobPhase(job: JobSnapshot): AgentJobPhase {
  if (job.deletionTimestamp) return "Deleting";
  const isTrue = (type: string) => job.conditions.some((c) => c.type === type && c.status === "True");
  if (isTrue("Complete")) return "Complete";
  if (isTrue("Failed")) return "Failed";
  if (job.suspended) return "Suspended";
  return "Running";
}

function toRow(job: JobSnapshot, nowMs: number, supervised: ReadonlySet<string>): AgentJobRow {
  const phase = jobPhase(job);
  const runId = job.labels[LABEL_RUN_ID] ?? null;
  const created = Date.parse(job.creationTimestamp);
  return {
    namespace: job.ref.namespace,
    name: job.ref.name,
    runId,
    agentId: job.labels[LABEL_AGENT_ID] ?? null,
    taskId: job.labels[LABEL_TASK_ID] ?? null,
    phase,
    ageSeconds: Number.isFinite(created) ? Math.max(0, Math.floor((nowMs - created) / 1000)) : 0,
    orphanCandidate: phase === "Running" && (runId === null || !supervised.has(runId)),
  };
}
