import type { RunObserver, RunOutcome } from "@clipjob/core";

/** How `clipjob run` shows a run: readable (HumanRunView) or one JSON object per line (JsonRunView). */
export interface RunView extends RunObserver {
  /** A message of the CLI itself (cancelling, cluster clean-up). */
  message(text: string, style?: "plain" | "warn" | "error"): void;
  /** The outcome, last; `epilogue` lines say what is left in the cluster. */
  finish(outcome: RunOutcome, exitCode: number, epilogue: readonly string[], extra?: Readonly<Record<string, unknown>>): void;
  /** Stops anything live (the status line) without printing an outcome. */
  close(): void;
}
