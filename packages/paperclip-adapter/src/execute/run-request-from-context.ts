// Paperclip's execution context → core's host-neutral RunRequest, top to bottom: what execute reads from the
// context (readRunContext), reading the loosely typed JSON, the request itself (task, wake, workspace,
// session), the PAPERCLIP_* run-context env the agent gets, and the config's env with the server machine's
// own entries dropped. Mapping the outcome back is result-from-outcome.ts.

import { sessionCodec, type RunRequest, type RunWorkspace, type SessionParams, type WakeComment } from "@clipjob/core";
import type { AdapterExecutionContext } from "@paperclipai/adapter-utils";
import {
  applyPaperclipWorkspaceEnv,
  buildPaperclipEnv,
  isForbiddenConfigEnvKey,
  isPaperclipRuntimeEnvKey,
  readPaperclipIssueWorkModeFromContext,
  stringifyPaperclipWakePayload,
} from "@paperclipai/adapter-utils/server-utils";

// ---- what execute reads from the context, once --------------------------------------------------

export interface RunContext {
  /** ctx.context when it is an object, else `{}`. */
  readonly context: Readonly<Record<string, unknown>>;
  /** ctx.config (the resolved adapterConfig) when it is an object, else `{}`. */
  readonly rawConfig: Readonly<Record<string, unknown>>;
  /** The PAPERCLIP_* run-context env the agent gets. */
  readonly hostEnv: Readonly<Record<string, string>>;
  /** rawConfig with the server machine's own env entries dropped, and why. */
  readonly sanitized: SanitizedConfig;
  readonly workspace: RunWorkspace | null;
  /** The session to resume: null on `forceFreshSession` or when the runtime has none. */
  readonly resumedSession: SessionParams | null;
}

export function readRunContext(ctx: Pick<AdapterExecutionContext, "runId" | "agent" | "runtime" | "context" | "config">): RunContext {
  const context = isRecord(ctx.context) ? ctx.context : {};
  const rawConfig = isRecord(ctx.config) ? ctx.config : {};
  const hostEnv = buildRunContextEnv({ runId: ctx.runId, agent: ctx.agent, context });
  return {
    context,
    rawConfig,
    hostEnv,
    sanitized: sanitizeConfigEnv(rawConfig, ctx.agent.adapterConfig, hostEnv),
    workspace: workspaceOf(context),
    resumedSession: resumedSessionOf(context, ctx.runtime),
  };
}

// ---- reading Paperclip's JSON: never trust a shape ----------------------------------------------

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Trimmed text, or null when the value is not a non-blank string. */
export function nonBlank(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

// ---- the run request ----------------------------------------------------------------------------

export interface RequestInput {
  readonly ctx: Pick<AdapterExecutionContext, "runId" | "agent" | "runtime" | "context" | "authToken">;
  /** adapterConfig as the run should see it (host-local env dropped, simulated image filled in). */
  readonly config: Record<string, unknown>;
  readonly hostEnv: Readonly<Record<string, string>>;
}

export function runRequestFromContext({ ctx, config, hostEnv }: RequestInput): RunRequest {
  const context = isRecord(ctx.context) ? ctx.context : {};
  const workspace = workspaceOf(context);
  const taskId = nonBlank(context["taskId"]) ?? nonBlank(context["issueId"]);
  const wake = wakeOf(context);
  return {
    runId: ctx.runId,
    agent: { id: ctx.agent.id, companyId: ctx.agent.companyId, name: ctx.agent.name },
    config,
    taskId,
    ...(wake ? { wake } : {}),
    sessionHandoffMarkdown: nonBlank(context["paperclipSessionHandoffMarkdown"]),
    taskMarkdown: nonBlank(context["paperclipTaskMarkdown"]),
    workspace,
    session: resumedSessionOf(context, ctx.runtime),
    runToken: nonBlank(ctx.authToken),
    hostEnv,
    templateData: context,
  };
}

/**
 * `sessionParams` for task-keyed wakes; wakes without a task key only carry the legacy `sessionId`
 * (Paperclip's own Claude adapter reads `sessionParams.sessionId ?? sessionId` the same way).
 */
export function sessionOf(runtime: AdapterExecutionContext["runtime"] | undefined): SessionParams | null {
  const params = sessionCodec.deserialize(runtime?.sessionParams);
  if (params) return params;
  const sessionId = nonBlank(runtime?.sessionId);
  return sessionId ? { sessionId } : null;
}

function resumedSessionOf(context: Readonly<Record<string, unknown>>, runtime: AdapterExecutionContext["runtime"] | undefined): SessionParams | null {
  return context["forceFreshSession"] === true ? null : sessionOf(runtime);
}

export function workspaceOf(context: Readonly<Record<string, unknown>>): RunWorkspace | null {
  const raw = context["paperclipWorkspace"];
  if (!isRecord(raw)) return null;
  const fields = {
    cwd: nonBlank(raw["cwd"]),
    source: nonBlank(raw["source"]),
    strategy: nonBlank(raw["strategy"]),
    workspaceId: nonBlank(raw["workspaceId"]),
    repoUrl: nonBlank(raw["repoUrl"]),
    repoRef: nonBlank(raw["repoRef"]),
    branchName: nonBlank(raw["branchName"]),
    worktreePath: nonBlank(raw["worktreePath"]),
    agentHome: nonBlank(raw["agentHome"]),
  };
  const present = Object.entries(fields).filter(([, v]) => v !== null);
  return present.length > 0 ? (Object.fromEntries(present) as RunWorkspace) : null;
}

function wakeOf(context: Readonly<Record<string, unknown>>): RunRequest["wake"] | null {
  const wake = isRecord(context["paperclipWake"]) ? context["paperclipWake"] : {};
  const reason = nonBlank(wake["reason"]) ?? nonBlank(context["wakeReason"]);
  const comments: WakeComment[] = [];
  if (Array.isArray(wake["comments"])) {
    for (const raw of wake["comments"]) {
      if (!isRecord(raw)) continue;
      const body = typeof raw["body"] === "string" ? raw["body"] : "";
      if (body.trim() === "") continue;
      const id = nonBlank(raw["id"]);
      const author = isRecord(raw["author"]) ? (nonBlank(raw["author"]["name"]) ?? nonBlank(raw["author"]["id"])) : nonBlank(raw["author"]);
      comments.push({ body, ...(id ? { id } : {}), ...(author ? { author } : {}) });
    }
  }
  if (reason === null && comments.length === 0) return null;
  return { reason, comments };
}

// ---- the run-context env ------------------------------------------------------------------------

// The PAPERCLIP_* run context every Paperclip adapter gives its agent, built with
// adapter-utils' own helpers so the names and formats stay Paperclip's. PAPERCLIP_API_KEY is not here: the
// run token travels as `runToken`, through the Job's payload Secret, never as a literal.
export interface RunContextInput {
  readonly runId: string;
  readonly agent: { readonly id: string; readonly companyId: string };
  readonly context: Readonly<Record<string, unknown>>;
}

export function buildRunContextEnv({ runId, agent, context }: RunContextInput): Record<string, string> {
  const env: Record<string, string> = { ...buildPaperclipEnv(agent), PAPERCLIP_RUN_ID: runId };
  const set = (name: string, value: string | null | undefined): void => {
    if (value) env[name] = value;
  };
  set("PAPERCLIP_TASK_ID", nonBlank(context["taskId"]) ?? nonBlank(context["issueId"]));
  set("PAPERCLIP_ISSUE_WORK_MODE", readPaperclipIssueWorkModeFromContext(context));
  set("PAPERCLIP_WAKE_REASON", nonBlank(context["wakeReason"]));
  set("PAPERCLIP_WAKE_COMMENT_ID", nonBlank(context["wakeCommentId"]) ?? nonBlank(context["commentId"]));
  set("PAPERCLIP_APPROVAL_ID", nonBlank(context["approvalId"]));
  set("PAPERCLIP_APPROVAL_STATUS", nonBlank(context["approvalStatus"]));
  const linked = Array.isArray(context["issueIds"]) ? context["issueIds"].map(nonBlank).filter((id): id is string => id !== null) : [];
  set("PAPERCLIP_LINKED_ISSUE_IDS", linked.join(","));
  set("PAPERCLIP_WAKE_PAYLOAD_JSON", stringifyPaperclipWakePayload(context["paperclipWake"]));
  const workspace = workspaceOf(context) ?? {};
  applyPaperclipWorkspaceEnv(env, {
    workspaceCwd: workspace.cwd ?? null,
    workspaceSource: workspace.source ?? null,
    workspaceStrategy: workspace.strategy ?? null,
    workspaceId: workspace.workspaceId ?? null,
    workspaceRepoUrl: workspace.repoUrl ?? null,
    workspaceRepoRef: workspace.repoRef ?? null,
    workspaceBranch: workspace.branchName ?? null,
    workspaceWorktreePath: workspace.worktreePath ?? null,
    agentHome: workspace.agentHome ?? null,
  });
  setJsonArray(env, "PAPERCLIP_WORKSPACES_JSON", context["paperclipWorkspaces"]);
  setJsonArray(env, "PAPERCLIP_RUNTIME_SERVICE_INTENTS_JSON", context["paperclipRuntimeServiceIntents"]);
  setJsonArray(env, "PAPERCLIP_RUNTIME_SERVICES_JSON", context["paperclipRuntimeServices"]);
  set("PAPERCLIP_RUNTIME_PRIMARY_URL", nonBlank(context["paperclipRuntimePrimaryUrl"]));
  delete env["PAPERCLIP_API_KEY"];
  return env;
}

function setJsonArray(env: Record<string, string>, name: string, value: unknown): void {
  if (Array.isArray(value) && value.length > 0) env[name] = JSON.stringify(value);
}

// ---- the config's env ---------------------------------------------------------------------------

// Paperclip resolves adapterConfig before execute and adds env of its own to it: scratch and temp dirs,
// GitHub and runner-network settings, all paths and policies of the *server's* machine. In an agent pod
// those paths do not exist, so they are dropped unless the agent's stored config sets them itself. The
// run-context PAPERCLIP_* keys the run sets win over config (as in Paperclip's own adapters), and
// PAPERCLIP_API_KEY never comes from config: the run token is its only source.
const HOST_LOCAL_ENV = /^(TMPDIR|TEMP|TMP|GH_CONFIG_DIR|PAPERCLIP_(RUN_|TASK_)?SCRATCH_DIR|PAPERCLIP_TMPDIR|PAPERCLIP_GITHUB_\w+|PAPERCLIP_RUNNER_NETWORK_\w+|PAPERCLIP_GIT_METADATA_ROOTS)$/;

export interface SanitizedConfig {
  readonly config: Record<string, unknown>;
  /** What was dropped and why, for the invocation notes. */
  readonly notes: readonly string[];
}

export function sanitizeConfigEnv(
  config: Readonly<Record<string, unknown>>,
  storedConfig: unknown,
  runContextEnv: Readonly<Record<string, string>>,
): SanitizedConfig {
  const env = config["env"];
  if (!isRecord(env)) return { config: { ...config }, notes: [] };
  const stored = isRecord(storedConfig) && isRecord(storedConfig["env"]) ? storedConfig["env"] : {};
  const kept: Record<string, unknown> = {};
  const hostLocal: string[] = [];
  const notes: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (isForbiddenConfigEnvKey(name)) {
      notes.push(`config env ${name} ignored: the run token is the only source of it`);
    } else if (isPaperclipRuntimeEnvKey(name) && name in runContextEnv) {
      notes.push(`config env ${name} ignored: the run sets it`);
    } else if (HOST_LOCAL_ENV.test(name) && !Object.hasOwn(stored, name)) {
      hostLocal.push(name);
    } else {
      kept[name] = value;
    }
  }
  if (hostLocal.length > 0) notes.push(`host-local env not passed to the pod: ${hostLocal.sort().join(", ")}`);
  return { config: { ...config, env: kept }, notes };
}
