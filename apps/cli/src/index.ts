// The CLI as a library: the command entry point and the port-level operations behind the commands, for
// embedding and tests.
export { runCli } from "./main.js";
export type { CliIo, OutputStream } from "./cli/cli-io.js";
export { EXIT, exitCodeForOutcome, type ExitCode } from "./cli/exit-codes.js";
export { CompositionRoot, ClusterScope } from "./composition/composition-root.js";
export type { ClusterTarget } from "./composition/cluster-target.js";
export { checkEnvironment, type CheckStatus, type EnvironmentCheck, type EnvironmentCheckInput, type EnvironmentReport } from "./ops/environment-checks.js";
export { listAgentJobs, jobPhase, type AgentJobPhase, type AgentJobRow, type ListAgentJobsInput } from "./ops/agent-jobs.js";
export { readJobLog, type JobLogDependencies, type JobLogError, type JobLogOptions, type JobLogRead } from "./ops/job-log.js";
export { cancelJob, type CancelJobError, type CancelledJob } from "./ops/cancel-job.js";
export { TranscriptFormatter } from "./render/transcript-formatter.js";
export { EmbeddedSimulation, type SimulationSpeed } from "./simulation/embedded-simulation.js";
