export * from "./agent-locks.js";
export { AGENT_LEASE_TIMING, AgentLeases, leaseVerdict, type LeaseClaimed, type LeaseClaimResult, type LeaseTiming, type LeaseVerdict } from "./agent-lease.js";
export * from "./pod-state.js";
export * from "./progress.js";
export * from "./run-agent-job.js";
export { runDependencies } from "./run-dependencies.js";
export * from "./run-request.js";
export { decideRun, RUN_RULES, type DecideConfig, type RunDecision, type RunEffect } from "./decide-run.js";
export type { ObservedRun, ForensicCounters } from "./observed-run.js";
