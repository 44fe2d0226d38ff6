export * from "./agent-locks.js";
export * from "./pod-state.js";
export * from "./progress.js";
export * from "./run-agent-job.js";
export * from "./run-request.js";
