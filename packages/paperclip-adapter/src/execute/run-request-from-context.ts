// Paperclip's execution context → core's host-neutral RunRequest.
import { sessionCodec, type RunRequest, type RunWorkspace, type SessionParams, type WakeComment } from "@clipjob/core";
import type { AdapterExecutionContext } from "@paperclipai/adapter-utils";
import { isRecord, nonBlank } from "./context-values.js";

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
    session: context["forceFreshSession"] === true ? null : sessionOf(ctx.runtime),
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
