import type { RunPhase } from "@clipjob/core";
import { formatDuration } from "./outcome-summary.js";

export interface RunStatus {
  readonly phase: RunPhase;
  readonly elapsedMs: number;
  /** Since the last transcript line; null before the first. */
  readonly sinceOutputMs: number | null;
  readonly job: string | null;
  readonly simulated: boolean;
}

const PHASE_LABEL: Readonly<Record<RunPhase, string>> = {
  planning: "planning",
  guarding: "checking for other runs",
  submitting: "creating the Job",
  reattaching: "reattaching",
  waiting_for_pod: "waiting for the pod",
  running: "running",
  settling: "settling",
  cleaning_up: "cleaning up",
  done: "done",
};

/** The one-line live status under the transcript (terminals only). */
export function statusText(status: RunStatus, width = 100): string {
  const parts = [
    `${PHASE_LABEL[status.phase]}`,
    `${formatDuration(status.elapsedMs)} elapsed${status.simulated ? " (simulated time)" : ""}`,
    status.sinceOutputMs === null ? "no output yet" : `last output ${Math.floor(status.sinceOutputMs / 1000)}s ago`,
  ];
  if (status.job) parts.push(status.job);
  const text = `⏵ ${parts.join(" · ")}`;
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}
