// Every outcome message, built by pure functions so each wording is tested on its own.

import type { ResultEvent } from "../stream/transcript-summary.js";
import type { JobGoneForensics, PodTermination } from "./run-outcome.js";
import { signalName } from "./signal-name.js";

export const LLM_API_ERROR_MESSAGE =
  "The LLM API returned an empty response (stop_reason null, 0 output tokens): the upstream model API may be degraded or misconfigured";

export function timeoutMessage(timeoutSec: number): string {
  return `Timed out after ${timeoutSec}s`;
}

export function cancelledMessage(reason?: string): string {
  return reason ? `Run cancelled: ${reason}` : "Run cancelled";
}

/** "with exit code 1" / "without an exit code". */
export function exitPhrase(exitCode: number | null): string {
  return exitCode === null ? "without an exit code" : `with exit code ${exitCode}`;
}

/** What the exit code says about a kill: 137 is SIGKILL (in a pod, most often the OOM killer), 143 SIGTERM. */
export function exitCodeHint(exitCode: number | null): string | null {
  if (exitCode === 137) return "SIGKILL, likely OOM-killed";
  if (exitCode === 143) return "SIGTERM";
  return null;
}

/**
 * The pod's own account of how the container ended, appended to generic and truncation messages:
 * " [pod: reason=OOMKilled, signal=SIGKILL, exit 137: SIGKILL, likely OOM-killed]", or "" when it said nothing.
 */
export function podCauseSuffix(termination: PodTermination | null): string {
  if (!termination) return "";
  const parts: string[] = [];
  if (termination.reason) parts.push(`reason=${termination.reason}`);
  if (termination.message) parts.push(`message=${termination.message.trim()}`);
  if (termination.signal !== undefined && termination.signal > 0) parts.push(`signal=${signalName(termination)}`);
  const hint = exitCodeHint(termination.exitCode);
  if (hint) parts.push(`exit ${termination.exitCode}: ${hint}`);
  return parts.length > 0 ? ` [pod: ${parts.join(", ")}]` : "";
}

export interface PartialRunFacts {
  readonly exitCode: number | null;
  /** The model the transcript named (init event or first assistant message). */
  readonly model: string | null;
  readonly firstTextLine: string | null;
  readonly initSeen: boolean;
  /** Claude wrote at least one non-blank line. */
  readonly hasOutput: boolean;
  readonly termination: PodTermination | null;
}

/** Why a run without a result event failed, from most to least specific evidence. */
export function partialRunMessage(facts: PartialRunFacts): string {
  const { exitCode, model, firstTextLine } = facts;
  if (exitCode === 0) return "Claude exited with code 0 but wrote no result event: its output was not valid stream-json";
  const suffix = podCauseSuffix(facts.termination);
  if (firstTextLine !== null) return `Claude exited ${exitPhrase(exitCode)}: ${firstTextLine}${suffix}`;
  if (facts.initSeen && model && exitCode !== null) {
    return (
      `Claude exited right after its init event (model ${model}, exit code ${exitCode}): ` +
      `the model may be unsupported, or the session was rejected before any output${suffix}`
    );
  }
  if (facts.hasOutput && model) {
    return `Claude started (model ${model}) but produced no result: check API credentials, model support and the adapter config${suffix}`;
  }
  return `Claude exited ${exitPhrase(exitCode)} and wrote nothing${suffix}`;
}

export interface TruncationFacts {
  readonly termination: PodTermination | null;
  readonly podPresence: "present" | "gone" | "unknown";
  readonly podPhase?: string;
}

/** Why the output stopped, as far as the pod tells. */
export function truncationCause(facts: TruncationFacts): string {
  const t = facts.termination;
  if (t) {
    const parts = [t.exitCode === null ? "no exit code" : `exit code ${t.exitCode}`];
    const hint = exitCodeHint(t.exitCode);
    if (hint) parts[0] += ` (${hint})`;
    if (t.signal !== undefined && t.signal > 0) parts.push(`signal ${signalName(t)}`);
    if (t.reason) parts.push(`reason=${t.reason}`);
    if (t.message) parts.push(`message=${t.message.trim()}`);
    return parts.join(", ");
  }
  if (facts.podPresence === "gone") {
    return "the pod is gone (evicted, preempted or deleted) before its exit could be read";
  }
  if (facts.podPresence === "present") {
    return (
      `the container's terminated state was not observable yet (pod phase=${facts.podPhase ?? "unknown"}): ` +
      "the kubelet had not reported it within the retry window, so the exit cause is unknown"
    );
  }
  return "the pod's state could not be read, so the exit cause is unknown";
}

export function truncationMessage(input: { readonly model: string | null; readonly cause: string }): string {
  return (
    `Claude's run was cut off mid-stream (model ${input.model ?? "unknown"}): the assistant had produced ` +
    `content but no result event arrived; ${input.cause}`
  );
}

/**
 * The Job vanished before it reported a terminal condition; every forensic fact goes in the message.
 * `resultSeen`: Claude had already written its result, only the exit code is missing.
 */
export function jobGoneMessage(f: JobGoneForensics, resultSeen = false): string {
  const conditions =
    f.lastJobConditions.length === 0
      ? "none observed"
      : f.lastJobConditions.map((c) => `${c.type}=${c.status}${c.reason ? `(${c.reason})` : ""}`).join(", ");
  const facts = [
    `detected via ${f.detectedVia}`,
    `job ${f.namespace}/${f.job}`,
    ...(f.secondsSincePodRunning === null ? [] : [`${f.secondsSincePodRunning}s after the pod started running`]),
    `${f.pollsSeen} polls and ${f.watchEventsSeen} watch events seen`,
    `last Job conditions: ${conditions}`,
    `stdout ${f.stdoutBytes} bytes in ${f.stdoutNonEmptyLines} non-empty lines`,
  ];
  const what = resultSeen
    ? "Claude wrote its result, but the Kubernetes Job was deleted (externally or by its TTL) before its exit code could be read"
    : "The Kubernetes Job was deleted (externally or by its TTL) before Claude finished";
  return `${what} [${facts.join("; ")}]`;
}

/** "Claude run failed: subtype=error_during_execution: <detail>", or null when the result says nothing. */
export function describeClaudeFailure(result: ResultEvent): string | null {
  const detail = result.text?.trim() || result.errors[0] || null;
  const subtype = result.subtype && result.subtype !== "success" ? `subtype=${result.subtype}` : null;
  if (!subtype && !detail) return null;
  return ["Claude run failed", subtype, detail].filter((p) => p !== null).join(": ");
}

export function unreachableMessage(job: { namespace: string; name: string } | null, detail: string): string {
  const where = job ? `Job ${job.namespace}/${job.name} is kept` : "the Job, if any, is kept";
  return `The cluster stayed unreachable, so the run's outcome is unknown (${detail}); ${where} and was not deleted`;
}

export function stateMismatchMessage(job: { namespace: string; name: string } | null, detail: string): string {
  const which = job ? `Job ${job.namespace}/${job.name}` : "The Job";
  return `${which} did not reach a terminal state after its log ended (${detail}); it is kept for inspection`;
}

export function shutdownMessage(job: { namespace: string; name: string } | null): string {
  const which = job ? `Job ${job.namespace}/${job.name}` : "the Job";
  return `The host is shutting down: ${which} keeps running and the next run for this agent will reattach to it`;
}

/** The notice for a place where the transcript may be missing lines (see TranscriptGap). */
export function transcriptGapMessage(gap: { readonly reason: "rotated" | "partial_line"; readonly after: string | null; readonly before: string }): string {
  const span = gap.after === null ? `before ${gap.before}` : `between ${gap.after} and ${gap.before}`;
  const cause =
    gap.reason === "rotated"
      ? "the kubelet rotated the container log while the log stream was being reopened, and serves only the current file"
      : "the log the kubelet served began inside a line whose start it no longer holds";
  return `Transcript gap: lines ${span} may be missing (${cause}); the transcript is not exact there.`;
}
