import type { TokenUsage } from "../stream/transcript-summary.js";
import type { ErrorCode, ErrorFamily, OutcomeStatus } from "./error-codes.js";

/** The claude container's terminated state as the kubelet reported it. */
export interface PodTermination {
  readonly exitCode: number | null;
  readonly signal?: number;
  readonly reason?: string;
  readonly message?: string;
}

export type JobGoneDetection = "watch-deleted" | "get-404" | "relist-missing" | "pod-gone" | "deletion-timestamp";

/** Everything known about a Job that disappeared before it reported a terminal condition. */
export interface JobGoneForensics {
  readonly detectedVia: JobGoneDetection;
  readonly job: string;
  readonly namespace: string;
  /** Seconds between the pod starting to run and the disappearance, when both are known. */
  readonly secondsSincePodRunning: number | null;
  readonly pollsSeen: number;
  readonly watchEventsSeen: number;
  readonly lastJobConditions: readonly { readonly type: string; readonly status: string; readonly reason?: string }[];
  readonly stdoutBytes: number;
  readonly stdoutNonEmptyLines: number;
}

export interface JobDisposition {
  readonly namespace: string;
  readonly name: string;
  /** The Job was adopted from an earlier run rather than created. */
  readonly reattached: boolean;
  /** Left in the cluster (retainJobs, shutdown, outcome unknown, state mismatch, taken over by another process). */
  readonly kept: boolean;
  readonly keptBecause?: "retain" | "shutdown" | "outcome_unknown" | "state_mismatch" | "delete_failed" | "taken_over";
}

/**
 * A place in the transcript where lines may be missing: the log stream had to be reopened and the kubelet no
 * longer served what followed the last line read (it rotated the container's log file meanwhile), the log
 * it served began inside a line, or (`unread`, always at the end) the log stream kept failing until the run's
 * grace after the Job finished ran out.
 */
export interface TranscriptGap {
  readonly reason: "rotated" | "partial_line" | "unread";
  /** Kubelet timestamp of the last line read before the gap; null when none had been. */
  readonly after: string | null;
  /** Kubelet timestamp of the first line read after it; null when none was (the log ended there: its end may be missing). */
  readonly before: string | null;
}

/**
 * A transcript line that is not what the container wrote: the kubelet's log reader keeps one "the previous
 * record ended a line" flag for stdout and stderr together, so a record of one stream that arrives while a
 * long line (written as 16 KiB `P` records) of the other is open is joined into that line. Such a line is
 * counted as text, never read as an event.
 */
export interface GarbledLine {
  /**
   * `broken_event`: starts like a stream-json event (`{"type":`) but does not parse as one (another
   * record was joined into it); `event_tail`: the rest of a broken event, served as its own line;
   * `buried_event`: an event served inside a long line of the other stream (the event is lost to the
   * outcome).
   */
  readonly reason: "broken_event" | "event_tail" | "buried_event";
  /** 1-based number of the line among the lines read (blank ones included). */
  readonly line: number;
  /** UTF-8 byte offset of the line's start in the transcript as read (each line plus its newline). */
  readonly offset: number;
}

export interface RunOutcome {
  readonly status: OutcomeStatus;
  readonly errorCode: ErrorCode | null;
  readonly errorMessage: string | null;
  readonly errorFamily: ErrorFamily | null;
  /** ISO time before which a retry is pointless (quota and rate limits that say when they reset). */
  readonly retryNotBefore: string | null;
  readonly errorMeta: Readonly<Record<string, unknown>> | null;
  readonly exitCode: number | null;
  /** Signal name when the container was killed by one (e.g. "SIGKILL"). */
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly sessionId: string | null;
  /** The stored session is unusable (stale, or Claude hit max turns): the host should drop it. */
  readonly clearSession: boolean;
  readonly model: string | null;
  readonly usage: TokenUsage | null;
  readonly costUsd: number | null;
  readonly summary: string;
  /** The final result event (capped), or `{ tail }` with the last output lines when there was none. */
  readonly resultJson: Readonly<Record<string, unknown>> | null;
  readonly job: JobDisposition | null;
  readonly durationMs: number;
  /** Where the transcript may be missing lines (at most the first 20). Absent when it is exact. */
  readonly transcriptGaps?: readonly TranscriptGap[];
  /** Lines that were garbled by the other stream's records (at most the first 20). Absent when none were. */
  readonly garbledLines?: readonly GarbledLine[];
}
