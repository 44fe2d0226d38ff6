import { describe, expect, it } from "vitest";
import { paperclipContext } from "../testing/paperclip-context.js";
import { sanitizeConfigEnv, buildRunContextEnv, runRequestFromContext } from "./run-request-from-context.js";

const request = (options: Parameters<typeof paperclipContext>[0]) => {
  const { ctx } = paperclipContext(options);
  return runRequestFromContext({ ctx, config: ctx.config, hostEnv: {} });
};

describe("context → RunRequest", () => {
  it("maps an issue wake: task, wake comments, handoff, task markdown, workspace, token", () => {
    const r = request({
      runId: "run-1",
      agentId: "agent-9",
      authToken: "jwt",
      context: {
        taskId: "issue-1",
        issueId: "issue-2",
        wakeReason: "issue_commented",
        paperclipWake: { reason: "issue_commented", comments: [{ id: "c1", body: "Please also add tests", author: { type: "user", id: "u1" } }, { body: "   " }] },
        paperclipSessionHandoffMarkdown: "## Handoff\nwhere we were",
        paperclipTaskMarkdown: "# Fix the bug",
        paperclipWorkspace: { cwd: "/w/repo", source: "project_primary", strategy: "git_worktree", workspaceId: "ws", repoUrl: "https://git/x", repoRef: "main", branchName: "fix", worktreePath: "/w/wt", agentHome: "/home/a" },
      },
    });
    expect(r).toMatchObject({
      runId: "run-1",
      agent: { id: "agent-9", companyId: "company-1", name: "Builder" },
      taskId: "issue-1",
      wake: { reason: "issue_commented", comments: [{ id: "c1", body: "Please also add tests", author: "u1" }] },
      sessionHandoffMarkdown: "## Handoff\nwhere we were",
      taskMarkdown: "# Fix the bug",
      workspace: { cwd: "/w/repo", source: "project_primary", strategy: "git_worktree", workspaceId: "ws", repoUrl: "https://git/x", repoRef: "main", branchName: "fix", worktreePath: "/w/wt", agentHome: "/home/a" },
      runToken: "jwt",
      session: null,
    });
  });

  it.each([
    { name: "taskId", context: { taskId: "t" }, expected: "t" },
    { name: "issueId when there is no taskId", context: { issueId: "i" }, expected: "i" },
    { name: "nothing for a plain wake", context: {}, expected: null },
  ])("takes the task from $name", ({ context, expected }) => {
    expect(request({ context }).taskId).toBe(expected);
  });

  it.each([
    { name: "sessionParams on task wakes", runtime: { sessionId: "legacy", sessionParams: { sessionId: "s-task", cwd: "/w", lastJobName: "ac-1" } }, context: {}, expected: { sessionId: "s-task", cwd: "/w", lastJobName: "ac-1" } },
    { name: "the legacy sessionId on plain wakes", runtime: { sessionId: "s-agent", sessionParams: null }, context: {}, expected: { sessionId: "s-agent" } },
    { name: "the snake_case params of the predecessor", runtime: { sessionParams: { session_id: "s-old", workdir: "/w" } }, context: {}, expected: { sessionId: "s-old", cwd: "/w" } },
    { name: "no session when the host forces a fresh one", runtime: { sessionId: "s-agent" }, context: { forceFreshSession: true }, expected: null },
    { name: "no session at all", runtime: {}, context: {}, expected: null },
  ])("resumes $name", ({ runtime, context, expected }) => {
    expect(request({ runtime, context }).session).toEqual(expected);
  });

  it("takes the wake reason from the context when the wake payload has none", () => {
    expect(request({ context: { wakeReason: "manual wake", paperclipWake: {} } }).wake).toEqual({ reason: "manual wake", comments: [] });
    expect(request({ context: { wakeReason: "", paperclipWake: {} } }).wake).toBeUndefined();
  });
});

describe("run-context env", () => {
  it("sets Paperclip's run context, never the API key", () => {
    const env = buildRunContextEnv({
      runId: "run-1",
      agent: { id: "agent-1", companyId: "co-1" },
      context: {
        issueId: "issue-1",
        wakeReason: "issue_assigned",
        commentId: "c-9",
        approvalId: "ap-1",
        approvalStatus: "approved",
        issueIds: ["i-1", " ", "i-2"],
        paperclipWake: { reason: "issue_assigned", comments: [{ body: "go" }] },
        paperclipWorkspace: { cwd: "/w", source: "project_primary", workspaceId: "ws", repoUrl: "u", repoRef: "r", branchName: "b", worktreePath: "/wt", agentHome: "/h" },
        paperclipWorkspaces: [{ cwd: "/w" }],
        paperclipRuntimePrimaryUrl: "http://svc",
      },
    });
    expect(env).toMatchObject({
      PAPERCLIP_AGENT_ID: "agent-1",
      PAPERCLIP_COMPANY_ID: "co-1",
      PAPERCLIP_RUN_ID: "run-1",
      PAPERCLIP_TASK_ID: "issue-1",
      PAPERCLIP_WAKE_REASON: "issue_assigned",
      PAPERCLIP_WAKE_COMMENT_ID: "c-9",
      PAPERCLIP_APPROVAL_ID: "ap-1",
      PAPERCLIP_APPROVAL_STATUS: "approved",
      PAPERCLIP_LINKED_ISSUE_IDS: "i-1,i-2",
      PAPERCLIP_WORKSPACE_CWD: "/w",
      PAPERCLIP_WORKSPACE_SOURCE: "project_primary",
      PAPERCLIP_WORKSPACE_ID: "ws",
      PAPERCLIP_WORKSPACE_REPO_URL: "u",
      PAPERCLIP_WORKSPACE_REPO_REF: "r",
      PAPERCLIP_WORKSPACE_BRANCH: "b",
      PAPERCLIP_WORKSPACE_WORKTREE_PATH: "/wt",
      AGENT_HOME: "/h",
      PAPERCLIP_WORKSPACES_JSON: '[{"cwd":"/w"}]',
      PAPERCLIP_RUNTIME_PRIMARY_URL: "http://svc",
    });
    expect(JSON.parse(env["PAPERCLIP_WAKE_PAYLOAD_JSON"]!)).toMatchObject({ reason: "issue_assigned" });
    expect(env["PAPERCLIP_API_URL"]).toMatch(/^http/);
    expect(env).not.toHaveProperty("PAPERCLIP_API_KEY");
  });
});

describe("config env from the host", () => {
  it("drops the server's local paths and Paperclip-owned keys, keeps the user's settings", () => {
    const resolved = {
      env: {
        FOO: "bar",
        TMPDIR: "/srv/tmp/run-1",
        PAPERCLIP_RUN_SCRATCH_DIR: "/srv/tmp/run-1",
        GH_CONFIG_DIR: "/srv/gh",
        PAPERCLIP_GITHUB_AUTH_MODE: "host",
        PAPERCLIP_RUNNER_NETWORK_ACCESS: "enabled",
        PAPERCLIP_API_KEY: "stolen",
        PAPERCLIP_RUN_ID: "other-run",
        TMP: "/data/tmp",
      },
      model: "claude-opus-4-7",
    };
    const stored = { env: { FOO: { type: "plain", value: "bar" }, TMP: { type: "plain", value: "/data/tmp" } } };
    const { config, notes } = sanitizeConfigEnv(resolved, stored, { PAPERCLIP_RUN_ID: "run-1" });
    expect(config).toEqual({ env: { FOO: "bar", TMP: "/data/tmp" }, model: "claude-opus-4-7" });
    expect(notes.join("\n")).toMatch(/GH_CONFIG_DIR, PAPERCLIP_GITHUB_AUTH_MODE, PAPERCLIP_RUNNER_NETWORK_ACCESS, PAPERCLIP_RUN_SCRATCH_DIR, TMPDIR/);
  });

  it("leaves an env given as JSON text to the config parser", () => {
    expect(sanitizeConfigEnv({ env: '{"A":"1"}' }, {}, {}).config).toEqual({ env: '{"A":"1"}' });
  });
});
