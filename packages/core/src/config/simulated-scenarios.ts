/**
 * The scripted Claude behaviours of the simulated cluster a user can pick (`simulatedScenario`). The fake
 * cluster's programs are keyed by these names (a test there keeps both equal); its contract-only `script`
 * program is not offered. A leaf module: the config type and the config schema both need it.
 */
export const SIMULATED_SCENARIOS = [
  "success",
  "silent-then-success",
  "stderr-noise",
  "huge-output",
  "hang-after-result",
  "auth-required",
  "rate-limited",
  "max-turns",
  "stale-session",
  "empty-response",
  "init-only",
  "truncated",
  "oom",
  "claude-missing",
  "no-shell",
] as const;
export type SimulatedScenario = (typeof SIMULATED_SCENARIOS)[number];
