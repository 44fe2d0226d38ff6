// The PAPERCLIP_* run context every Paperclip adapter gives its agent (predecessor §2.7, layer 2), built with
// adapter-utils' own helpers so the names and formats stay Paperclip's. PAPERCLIP_API_KEY is not here: the
// run token travels as `runToken`, through the Job's payload Secret, never as a literal.
import { applyPaperclipWorkspaceEnv, buildPaperclipEnv, readPaperclipIssueWorkModeFromContext, stringifyPaperclipWakePayload } from "@paperclipai/adapter-utils/server-utils";
import { isRecord, nonBlank } from "./context-values.js";
import { workspaceOf } from "./run-request-from-context.js";

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
