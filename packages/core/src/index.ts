export * from "./ports/index.js";
export * from "./job/agent-job-spec.js";
export * from "./outcome/error-codes.js";
export * from "./outcome/run-outcome.js";
export * from "./stream/transcript-summary.js";
export * from "./config/clipjob-config.js";
export * from "./run/run-request.js";
export * from "./session/session-params.js";
