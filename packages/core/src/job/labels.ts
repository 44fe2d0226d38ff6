// The label vocabulary of agent Jobs. Keys and values are the predecessor's, so the guard of a drop-in
// upgrade still finds the Jobs the old adapter left running, and the old adapter's selector finds ours.

import type { LabelSelector } from "../ports/cluster-objects.js";

export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const LABEL_COMPONENT = "app.kubernetes.io/component";
export const LABEL_AGENT_ID = "paperclip.io/agent-id";
export const LABEL_ADAPTER_TYPE = "paperclip.io/adapter-type";
export const LABEL_RUN_ID = "paperclip.io/run-id";
export const LABEL_COMPANY_ID = "paperclip.io/company-id";
export const LABEL_TASK_ID = "paperclip.io/task-id";
export const LABEL_SESSION_ID = "paperclip.io/session-id";

export const MANAGED_BY_VALUE = "paperclip";
export const COMPONENT_VALUE = "agent-job";
export const ADAPTER_TYPE = "claude_k8s";

export const ANNOTATION_ADAPTER_TYPE = "paperclip.io/adapter-type";
export const ANNOTATION_AGENT_NAME = "paperclip.io/agent-name";
/**
 * Who started the Job, in words (`clipjob CLI, pid 4242 on build-7`, `Paperclip, pid 1 on paperclip-0`): the
 * guard names it when the Job blocks another run, so a person can tell whether that process still lives.
 */
export const ANNOTATION_STARTED_BY = "clipjob.dev/started-by";
/** The most of {@link ANNOTATION_STARTED_BY}'s value written, and read back into a message (UTF-16 code units). */
export const MAX_STARTED_BY_CHARS = 256;

/**
 * Label key prefixes user labels may not use: ours, the predecessor's, and the ones Kubernetes reserves
 * (a subdomain of a reserved prefix is reserved too, e.g. `node.kubernetes.io`).
 */
export const RESERVED_LABEL_PREFIXES = ["paperclip.io", "app.kubernetes.io", "clipjob.dev", "kubernetes.io", "k8s.io"] as const;

export function isReservedLabelKey(key: string): boolean {
  const slash = key.indexOf("/");
  if (slash === -1) return false;
  const prefix = key.slice(0, slash).toLowerCase();
  return RESERVED_LABEL_PREFIXES.some((r) => prefix === r || prefix.endsWith(`.${r}`));
}

/**
 * The predecessor's label-value sanitiser, kept byte-for-byte compatible (its Jobs carry values made by
 * it): delete every character outside `[A-Za-z0-9._-]`, cut to `max`, trim non-alphanumerics at both
 * ends. `null` when nothing is left.
 */
export function sanitizeLabelValue(value: string, max = 63): string | null {
  const kept = value.replace(/[^A-Za-z0-9._-]/g, "").slice(0, Math.max(0, Math.min(max, 63)));
  const trimmed = kept.replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
  return trimmed === "" ? null : trimmed;
}

/** The selector the guard lists an agent's Jobs with; `null` when the agent id has no label form. */
export function guardSelector(agentId: string): LabelSelector | null {
  const agent = sanitizeLabelValue(agentId);
  return agent === null ? null : { [LABEL_AGENT_ID]: agent, [LABEL_ADAPTER_TYPE]: ADAPTER_TYPE };
}

export interface RunIdentity {
  readonly runId: string;
  readonly taskId: string | null;
  readonly sessionId: string | null;
}

/**
 * The identity labels of a run. Ids that sanitise to nothing are left out (and named in `skipped`): the
 * Job still runs, it just cannot be matched on that label.
 */
export function identityLabels(
  agentLabel: string,
  companyId: string,
  identity: RunIdentity,
): { labels: Record<string, string>; skipped: string[] } {
  const labels: Record<string, string> = {
    [LABEL_MANAGED_BY]: MANAGED_BY_VALUE,
    [LABEL_COMPONENT]: COMPONENT_VALUE,
    [LABEL_AGENT_ID]: agentLabel,
    [LABEL_ADAPTER_TYPE]: ADAPTER_TYPE,
  };
  const skipped: string[] = [];
  const optional: [string, string | null][] = [
    [LABEL_RUN_ID, identity.runId],
    [LABEL_COMPANY_ID, companyId],
    [LABEL_TASK_ID, identity.taskId],
    [LABEL_SESSION_ID, identity.sessionId],
  ];
  for (const [key, raw] of optional) {
    if (raw === null || raw.trim() === "") continue;
    const value = sanitizeLabelValue(raw);
    if (value === null) skipped.push(key);
    else labels[key] = value;
  }
  return { labels, skipped };
}

/**
 * The merge patch that makes an adopted Job belong to this run, so the next guard does not see it as an
 * orphan. The session label is only set when this run knows its session (a missing label is fine: merge
 * patches, unlike the predecessor's JSON-patch `replace`, do not fail on it).
 */
export function relabelForRun(identity: Pick<RunIdentity, "runId" | "sessionId">): Record<string, string | null> {
  const patch: Record<string, string | null> = { [LABEL_RUN_ID]: sanitizeLabelValue(identity.runId) };
  const session = identity.sessionId === null ? null : sanitizeLabelValue(identity.sessionId);
  if (session !== null) patch[LABEL_SESSION_ID] = session;
  return patch;
}
