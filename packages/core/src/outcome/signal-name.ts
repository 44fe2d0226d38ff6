import type { PodTermination } from "./run-outcome.js";

const SIGNALS: Readonly<Record<number, string>> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  6: "SIGABRT",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  15: "SIGTERM",
};

/**
 * The signal that ended the container: the kubelet's own report, else read from a shell-style exit code
 * (128 + n — 137 is SIGKILL, 143 SIGTERM). Null when neither says.
 */
export function signalName(termination: PodTermination | null): string | null {
  if (!termination) return null;
  if (termination.signal !== undefined && termination.signal > 0) return SIGNALS[termination.signal] ?? `SIG${termination.signal}`;
  const code = termination.exitCode;
  return code !== null && code > 128 ? (SIGNALS[code - 128] ?? null) : null;
}
