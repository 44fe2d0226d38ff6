import type { TranscriptSummary } from "../stream/transcript-summary.js";
import type { ErrorCode } from "./error-codes.js";
import type { RunFacts } from "./run-facts.js";
import type { GarbledLine, JobDisposition, JobGoneForensics, PodTermination, TranscriptGap } from "./run-outcome.js";

/** How the run stopped waiting. Classification turns this plus the transcript into a RunOutcome. */
export type RunEnding =
  /** The Job reached a terminal condition and the log was drained. */
  | { readonly kind: "job_finished"; readonly jobCondition: "Complete" | "Failed"; readonly jobReason?: string }
  /** The Job failed with DeadlineExceeded, or the adapter's own deadline (timeoutSec + graceSec) passed. */
  | { readonly kind: "deadline"; readonly timeoutSec: number }
  /** Explicit cancel: the Job was deleted on purpose. */
  | { readonly kind: "cancelled"; readonly reason?: string }
  /** The Job vanished before reporting a terminal condition. */
  | { readonly kind: "job_gone"; readonly forensics: JobGoneForensics }
  /** The pod hit a state that can never recover (image pull, unschedulable, eviction, node loss…). */
  | { readonly kind: "pod_fatal"; readonly code: ErrorCode; readonly message: string }
  /** The cluster stayed unreachable past the bound; the Job is kept and its outcome is unknown. */
  | { readonly kind: "unreachable"; readonly detail: string }
  /** The log ended and the Job is still not terminal after the grace bound (never guessed as timeout). */
  | { readonly kind: "state_mismatch"; readonly detail: string }
  /** Host shutdown: the Job is kept for the next run to reattach. */
  | { readonly kind: "shutdown" }
  /**
   * This process was judged gone (its Lease went unrenewed for its duration) and another process took over the
   * agent's claim, and with it the Job: the run stops supervising and leaves the Job to `by`.
   */
  | { readonly kind: "taken_over"; readonly by: string };

export interface ClassifyInput {
  readonly transcript: TranscriptSummary;
  /** The claude container's terminated state, when the kubelet reported it. */
  readonly termination: PodTermination | null;
  /** Whether the pod still existed when termination was looked up (for truncation causes). */
  readonly podPresence: "present" | "gone" | "unknown";
  readonly podPhase?: string;
  readonly ending: RunEnding;
  readonly job: JobDisposition | null;
  /** The model from config, used when the transcript never said. */
  readonly configuredModel: string | null;
  /** The session the run tried to resume, if any. */
  readonly resumedSessionId: string | null;
  /** Last output lines (capped) for messages and resultJson when there is no result event. */
  readonly tail: readonly string[];
  /** The time `now()` when classification happens, to resolve relative reset times ("in 5 minutes"). */
  readonly nowMs: number;
  readonly durationMs: number;
  /** Where the log follower may have missed lines (empty or absent: the transcript is exact). */
  readonly transcriptGaps?: readonly TranscriptGap[];
  readonly garbledLines?: readonly GarbledLine[];
  /** The pod's memory limit, API endpoint and credential sources, for messages (none when unknown). */
  readonly facts?: RunFacts;
}
