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
  if (exitCode === 0) {
    if (firstTextLine !== null) return `Claude exited with code 0 without a result event; the only text it printed: ${firstTextLine}`;
    if (facts.hasOutput) return "Claude exited with code 0 without writing its result event (its stream-json output stops before the result)";
    return "Claude exited with code 0 and wrote nothing";
  }
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

export function truncationMessage(input: { readonly model: string | null; readonly cause: string; readonly memoryLimit?: string | null }): string {
  const oom = input.memoryLimit && /OOMKilled/.test(input.cause) ? ` (memory limit ${input.memoryLimit}: raise resources.limits.memory)` : "";
  return (
    `Claude's run was cut off mid-stream (model ${input.model ?? "unknown"}): the assistant had produced ` +
    `content but no result event arrived; ${input.cause}${oom}`
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

export function takenOverMessage(job: { namespace: string; name: string } | null, by: string): string {
  const which = job ? `Job ${job.namespace}/${job.name}` : "the Job";
  return `Run taken over: this process was judged gone (its Lease went unrenewed for its whole duration) and ${by} took over the agent's claim; this run stopped supervising and left ${which} to it`;
}

/** The notice for a place where the transcript may be missing lines (see TranscriptGap). */
export function transcriptGapMessage(gap: { readonly reason: "rotated" | "partial_line" | "unread"; readonly after: string | null; readonly before: string | null }): string {
  const span =
    gap.before === null ? (gap.after === null ? "at the end of the log" : `after ${gap.after}, to the end of the log,`) : gap.after === null ? `before ${gap.before}` : `between ${gap.after} and ${gap.before}`;
  const cause =
    gap.reason === "rotated"
      ? "the kubelet rotated the container log while the log stream was being reopened, and serves only the current file"
      : gap.reason === "unread"
        ? "the log stream kept failing after the Job finished, until the run stopped waiting for it"
        : "the log the kubelet served began inside a line whose start it no longer holds";
  return `Transcript gap: lines ${span} may be missing (${cause}); the transcript is not exact there.`;
}

/** A run whose log ended at a gap (k8s_log_incomplete): its end was rotated away, or never read, so Claude's result is unknown. */
export function logIncompleteMessage(r: { readonly reason: "rotated" | "partial_line" | "unread"; readonly after: string | null; readonly exitCode: number | null }): string {
  const where = r.after === null ? "the container's log" : `the container's log after ${r.after}`;
  const exit = r.exitCode === null ? "" : ` The container exited ${exitPhrase(r.exitCode)}.`;
  const how =
    r.reason === "unread"
      ? `The log stream kept failing after the Job finished: ${where} was never read before the run stopped waiting for it, so Claude's result is unknown.${exit} Check what failed the log stream (API server, kubelet, proxy).`
      : `The kubelet rotated the container's log while the log stream was down: ${where} was gone before it could be read, so Claude's result is unknown.${exit} Raise the kubelet's containerLogMaxSize, and check what cut the log stream.`;
  return how;
}

/** The notice for a line garbled by the other stream's records (see GarbledLine); starts with its code. */
export function garbledLineMessage(g: { readonly reason: "broken_event" | "event_tail" | "buried_event"; readonly line: number; readonly offset: number }): string {
  const what =
    g.reason === "broken_event"
      ? "starts like a stream-json event but does not parse: the kubelet joined a record of the other stream into it"
      : g.reason === "event_tail"
        ? "is the rest of a stream-json event the kubelet split around a record of the other stream"
        : "holds a stream-json event the kubelet served inside a long line of the other stream";
  return `transcript_garbled: line ${g.line} (byte ${g.offset}) ${what}; it is kept as text, not read as an event, and the transcript is not exact there.`;
}

// ---- Claude's API failures: said in words, with what to do, never with raw protocol text -----------------

/**
 * The CLI's own failure text made fit for a user: a JSON error body becomes its message, an epoch after
 * `|` is dropped, sentences telling the user to run `/login` or `--model` (impossible in a pod) are cut,
 * whitespace is collapsed and the result capped at 300 characters. Empty when nothing is left.
 */
export function plainDetail(text: string | null | undefined): string {
  if (!text) return "";
  let t = text.replace(/\{[^\n]*\}/g, (blob) => {
    try {
      const parsed = JSON.parse(blob) as { error?: { message?: unknown }; message?: unknown };
      const message = parsed.error?.message ?? parsed.message;
      return typeof message === "string" ? message : "";
    } catch {
      return "";
    }
  });
  t = t.replace(/\|\s*\d{9,13}\b/g, "");
  t = t
    .split(/(?<=[.!?·])\s+|\n+/)
    .filter((sentence) => !/\/login\b|\bclaude (?:setup-token|login)\b|\brun --model\b|--model to pick/i.test(sentence))
    .join(" ");
  t = t.replace(/\s+/g, " ").replace(/\s*·\s*$/, "").trim();
  return t.length > 300 ? `${t.slice(0, 299)}…` : t;
}

/** "in 1 h 58 min", "in 3 d 2 h", "in 4 min", "in under a minute", "now" (already past). */
export function relativeTime(targetMs: number, nowMs: number): string {
  const ms = targetMs - nowMs;
  if (ms <= 0) return "now";
  if (ms < 60_000) return "in under a minute";
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return `in ${d} d${h > 0 ? ` ${h} h` : ""}`;
  if (h > 0) return `in ${h} h${m > 0 ? ` ${m} min` : ""}`;
  return `in ${m} min`;
}

/** "2026-11-30 02:53 UTC (in 1 h 58 min)". */
export function resetTimeInWords(iso: string, nowMs: number): string {
  const ms = Date.parse(iso);
  const utc = new Date(ms).toISOString().replace("T", " ").slice(0, 16);
  return `${utc} UTC (${relativeTime(ms, nowMs)})`;
}

const LIMIT_NAMES: Readonly<Record<string, string>> = {
  five_hour: "5-hour",
  seven_day: "weekly",
  seven_day_opus: "weekly Opus",
  seven_day_sonnet: "weekly Sonnet",
  overage: "extra-usage",
};

/** A usage limit or quota, with its reset time in UTC and relative to now. */
export function providerQuotaMessage(input: { rateLimitType: string | null; retryNotBefore: string | null; nowMs: number; detail: string }): string {
  const which = input.rateLimitType ? (LIMIT_NAMES[input.rateLimitType] ?? input.rateLimitType.replace(/_/g, " ")) : null;
  const what = which ? `Claude's ${which} usage limit is reached` : "Claude's usage limit or API quota is exhausted";
  const when = input.retryNotBefore
    ? `; it resets ${resetTimeInWords(input.retryNotBefore, input.nowMs)}, and runs before then fail the same way`
    : "; it did not say when it resets";
  const detail = input.detail && !/limit/i.test(input.detail) ? ` (${input.detail})` : "";
  return `${what}${when}${detail}. Wait for the reset, or raise the plan's or the API key's limit.`;
}

/** "HTTP 401 authentication_error", "HTTP 529 overloaded_error", "overloaded_error", or "" when neither is known. */
export function httpPhrase(status: number | null, errorType: string | null): string {
  if (status === null) return errorType ?? "";
  return `HTTP ${status}${errorType ? ` ${errorType}` : ""}`;
}

/** " (HTTP 401 authentication_error: invalid x-api-key)", " (invalid x-api-key)", or "". */
function parenthesised(phrase: string, detail: string): string {
  const inner = [phrase, detail].filter((p) => p !== "").join(": ");
  return inner ? ` (${inner})` : "";
}

/** Where the credential comes from, in words; what to refresh. */
export function credentialAdvice(credentials: readonly { name: string; from: string }[], envFromSecrets: readonly string[]): string {
  if (credentials.length > 0) {
    const list = credentials.map((c) => `${c.name} (from ${c.from})`).join("; ");
    return `Refresh the credential the agent's pod gets: ${list}.`;
  }
  if (envFromSecrets.length > 0) {
    return `Refresh the Anthropic credential (ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN) in the Secret the pod imports: ${envFromSecrets.join(", ")}.`;
  }
  return "No credential is bound to the agent: set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN in the agent's env (adapterConfig.env, by secretKeyRef to a Secret).";
}

export function authRequiredMessage(input: { status: number | null; errorType: string | null; detail: string; advice: string }): string {
  return `Anthropic refused Claude's credential${parenthesised(httpPhrase(input.status, input.errorType), input.detail)}. ${input.advice}`;
}

export function accessDeniedMessage(input: { status: number | null; errorType: string | null; detail: string; model: string | null; advice: string }): string {
  const model = input.model ? ` for model ${input.model}` : "";
  return (
    `Anthropic accepted Claude's credential but refused access${model}${parenthesised(httpPhrase(input.status, input.errorType), input.detail)}. ` +
    `Use a model this credential's organization may use, or grant the access. ${input.advice}`
  );
}

export function modelUnavailableMessage(input: { model: string | null; status: number | null; errorType: string | null }): string {
  const model = input.model ? `model ${input.model}` : "the configured model";
  return (
    `Claude cannot use ${model}${parenthesised(httpPhrase(input.status, input.errorType), "")}: it does not exist, or this credential has no access to it. ` +
    "Pick another model in the agent's `model` setting."
  );
}

/** "127.0.0.1:8080" from a base URL; "api.anthropic.com" when the pod uses Anthropic's own API. */
export function apiHostOf(baseUrl: string | null, text: string): string {
  if (baseUrl) {
    try {
      return new URL(baseUrl).host;
    } catch {
      return baseUrl;
    }
  }
  const gateway = /inference gateway \(([^)\s]+)\)/i.exec(text);
  return gateway ? gateway[1]! : "api.anthropic.com";
}

function retriesPhrase(retries: number): string {
  return retries === 0 ? "" : ` after ${retries} ${retries === 1 ? "retry" : "retries"}`;
}

/** The first sentence of a detail, without its final period (the CLI appends advice meant for a terminal). */
export function firstSentence(detail: string): string {
  return detail.split(/(?<=[a-z0-9)])\.\s+(?=[A-Z])/)[0]!.replace(/[.\s]+$/, "");
}

export function transientUpstreamMessage(input: { status: number | null; errorType: string | null; detail: string; retries: number; host: string; dropped: boolean }): string {
  const what = input.dropped
    ? `The connection to Anthropic's API at ${input.host} dropped`
    : `Anthropic's API at ${input.host} failed${parenthesised(httpPhrase(input.status, input.errorType), "")}`;
  const detail = input.detail ? `: ${firstSentence(input.detail)}` : "";
  return `${what}${retriesPhrase(input.retries)}${detail}. This is usually temporary; a later run will likely succeed.`;
}

export function upstreamUnreachableMessage(input: { host: string; detail: string; retries: number }): string {
  const detail = input.detail ? ` (${firstSentence(input.detail)})` : "";
  return (
    `Claude could not reach Anthropic's API at ${input.host}${retriesPhrase(input.retries)}${detail}. ` +
    "Check ANTHROPIC_BASE_URL and that the agent's pod may connect to it (network policy, proxy, DNS)."
  );
}

export function promptTooLongMessage(compaction: string | null): string {
  const compacted = compaction === "failed" ? ", and compacting it failed" : "";
  return (
    `Claude's conversation no longer fits the model's context window (prompt too long${compacted}). ` +
    "The session is cleared, so the next run starts a fresh one."
  );
}

/** The agent image cannot run the Job's command. `missing`: the executable it lacks, when known. */
export function agentImageMessage(input: { missing: string | null; exitCode: number | null; detail: string }): string {
  const what =
    input.missing === "sh"
      ? "the agent image has no `sh`, which the Job's command runs Claude with"
      : input.missing
        ? `the agent image has no \`${input.missing}\` on its PATH`
        : "the agent image cannot run the Job's command";
  const detail = input.detail ? `: ${input.detail}` : "";
  return `Claude never started: ${what} (exit code ${input.exitCode ?? "unknown"}${detail}). Use an image that provides \`sh\`, bash and \`claude\` on its PATH.`;
}

/**
 * The container command stopped before Claude because `dir` is not writable by the agent's user.
 * `runAsUser` is the Job's uid (null when the image decides).
 */
export function notWritableMessage(dir: string, runAsUser: number | null): string {
  const who = runAsUser === null ? "the agent's user" : `uid ${runAsUser}`;
  return (
    `Claude never started: ${dir} is not writable by ${who}. Claude keeps its sessions under HOME (/paperclip) and ` +
    `writes to its working directory and /tmp; without them it would save no session and say nothing. A hostPath or ` +
    `NFS volume gets no fsGroup from the kubelet: make its root owned by (or group-writable for) ${who}; an image must ` +
    `make these directories writable for the user it runs as.`
  );
}

export function oomBeforeOutputMessage(memoryLimit: string | null): string {
  const limit = memoryLimit ? `its memory limit of ${memoryLimit}` : "its memory limit";
  return `Claude was OOM-killed before it wrote anything: the container exceeded ${limit}. Raise resources.limits.memory.`;
}
