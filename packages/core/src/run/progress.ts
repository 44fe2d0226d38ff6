import type { AgentJobSpec } from "../job/agent-job-spec.js";
import type { PodPhase } from "../ports/cluster-objects.js";

export type RunPhase =
  | "planning"
  | "guarding"
  | "submitting"
  | "reattaching"
  | "waiting_for_pod"
  | "running"
  | "settling"
  | "cleaning_up"
  | "done";

export type ProgressEvent =
  | { readonly type: "phase"; readonly phase: RunPhase; readonly atMs: number }
  /** A pod status change worth showing (phase, init/main container states), once per change. */
  | { readonly type: "pod"; readonly pod: string; readonly phase: PodPhase; readonly detail: string; readonly atMs: number }
  /** Claude is alive but silent: emitted every keepalive interval without output. */
  | { readonly type: "keepalive"; readonly job: string; readonly secondsSinceOutput: number; readonly atMs: number }
  | { readonly type: "notice"; readonly level: "info" | "warn"; readonly message: string; readonly atMs: number };

export interface JobStarted {
  readonly namespace: string;
  readonly name: string;
  readonly reattached: boolean;
  /** The plan that created it (absent when adopting an orphan: its spec belongs to an earlier run). */
  readonly spec: AgentJobSpec | null;
}

/** Everything a run reports while it runs. Every callback is optional; a throwing callback never breaks the run. */
export interface RunObserver {
  /** The planned Job before anything is created (Paperclip's onMeta). */
  onPlan?(spec: AgentJobSpec, promptMetrics: Readonly<Record<string, number>>): void | Promise<void>;
  /** The Job exists (created or adopted): the run crossed the dispatch boundary. */
  onJob?(job: JobStarted): void | Promise<void>;
  /** One raw transcript line: stream-json events as stdout, anything else (Claude's stderr, noise) as stderr. */
  onLine?(stream: "stdout" | "stderr", line: string): void | Promise<void>;
  onProgress?(event: ProgressEvent): void | Promise<void>;
}
