export * from "./error-codes.js";
export * from "./run-outcome.js";
export * from "./classify-input.js";
export { classifyOutcome } from "./classify-outcome.js";
export { failureOutcome, statusForCode } from "./failure-outcome.js";
export * from "./messages.js";
export * from "./claude-failure-kinds.js";
export { parseRetryNotBefore } from "./retry-time.js";
export { signalName } from "./signal-name.js";
