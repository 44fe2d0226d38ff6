import { err, ok, type ClusterPort, type ObjectRef, type Result } from "@clipjob/core";
import { jobPhase, type AgentJobPhase } from "./agent-jobs.js";

export interface CancelledJob {
  readonly namespace: string;
  readonly name: string;
  /** The phase it had when it was deleted. */
  readonly phase: AgentJobPhase;
}

export type CancelJobError = { readonly code: "job_not_found"; readonly message: string };

/**
 * `clipjob cancel <job>`: deletes the Job in the background; its pod gets SIGTERM. The agent's claim Secret
 * (the payload, owner of the Job) stays: the run holding it releases it, or the agent's next run takes it over.
 * The read first turns "no such Job" into an answer instead of an error.
 */
export async function cancelJob(cluster: ClusterPort, job: ObjectRef): Promise<Result<CancelledJob, CancelJobError>> {
  const found = await cluster.getJob(job);
  if (!found) return err({ code: "job_not_found", message: `Job ${job.namespace}/${job.name} not found` });
  const deleted = await cluster.deleteJob(found.ref, "Background");
  if (!deleted) return err({ code: "job_not_found", message: `Job ${job.namespace}/${job.name} was already gone` });
  return ok({ namespace: found.ref.namespace, name: found.ref.name, phase: jobPhase(found) });
}
