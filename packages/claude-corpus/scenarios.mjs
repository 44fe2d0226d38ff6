// The recorded corpus: each entry is one run of the real `claude` CLI against the scripted Anthropic API,
// and the outcome clipjob must conclude from it. `row` is the row of the outcome table in issue #12 that the
// recording grounds (see README.md). Read by record.mjs (to record) and by the corpus tests (to assert).

/** The CLI release the fixtures were recorded with; changing it re-records in CI. */
export const CLI_VERSION = "2.1.328";

const succeeded = { status: "succeeded", errorCode: null };

/** Scenarios the recorder adds to the scripted API's built-in ones. */
export const EXTRA_API_SCENARIOS = {
  "text-then-prompt-too-long": {
    description: "text on the first call; every later call: 400 prompt is too long",
    turns: [
      { kind: "reply", content: [{ type: "text", text: "First answer." }], usage: { input_tokens: 20, cache_creation_input_tokens: 3000, cache_read_input_tokens: 0, output_tokens: 12 } },
      { kind: "error", status: 400, message: "prompt is too long: 212345 tokens > 200000 maximum" },
    ],
  },
  "oauth-expired-401": {
    description: "401 authentication_error: OAuth token has expired",
    turns: [{ kind: "error", status: 401, message: "OAuth token has expired. Please obtain a new token or refresh your existing token." }],
  },
  "server-500-then-text": {
    description: "500 on the first attempt, then text",
    turns: [[{ kind: "error", status: 500, message: "Internal server error" }, { kind: "reply", content: [{ type: "text", text: "Answer after a retry." }] }]],
  },
};

/**
 * name: fixture directory; api: scenario of the scripted API (or "closed-port": nothing listens);
 * args: extra CLI arguments; auth: "api-key" (default) or "oauth" (a fake CLAUDE_CODE_OAUTH_TOKEN);
 * resumeOf: the earlier entry whose session this run resumes (same HOME and cwd);
 * resumeMissing: resume a session id that never existed; expect: the outcome clipjob must conclude.
 */
export const CORPUS = [
  { name: "success-text", row: null, api: "text", expect: succeeded },
  { name: "success-thinking", row: null, api: "thinking-text", expect: succeeded },
  { name: "success-bash-echo", row: null, api: "bash-echo", expect: succeeded },
  { name: "success-bash-huge-line", row: null, api: "bash-huge-line", expect: succeeded },
  { name: "success-cache-usage", row: 1, api: "cache-usage", expect: succeeded },
  { name: "resume-first", row: 1, api: "resume-text", expect: succeeded },
  { name: "resume-second", row: 1, api: "resume-text", resumeOf: "resume-first", expect: succeeded },
  { name: "resume-missing-session", row: null, api: "text", resumeMissing: true, expect: { status: "failed", errorCode: "session_unavailable", clearSession: true } },
  { name: "max-turns", row: null, api: "max-turns", args: ["--max-turns", "2"], expect: { status: "failed", errorCode: "max_turns_exhausted", clearSession: true } },
  { name: "prompt-too-long", row: 2, api: "prompt-too-long", expect: { status: "failed", errorCode: "claude_prompt_too_long", clearSession: true } },
  { name: "prompt-too-long-resume-first", row: 2, api: "text-then-prompt-too-long", expect: succeeded },
  {
    name: "prompt-too-long-resume-second",
    row: 2,
    api: "text-then-prompt-too-long",
    resumeOf: "prompt-too-long-resume-first",
    expect: { status: "failed", errorCode: "claude_prompt_too_long", clearSession: true },
  },
  { name: "api-500", row: 3, api: "server-500", expect: { status: "failed", errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" } },
  { name: "api-529", row: 3, api: "overloaded-529", expect: { status: "failed", errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" } },
  { name: "api-429", row: 3, api: "rate-limit-429", expect: { status: "failed", errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" } },
  { name: "connection-dropped-mid-stream", row: 3, api: "drop-mid-stream", expect: { status: "failed", errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" } },
  { name: "connection-reset", row: 3, api: "drop-before-response", expect: { status: "failed", errorCode: "claude_transient_upstream", errorFamily: "transient_upstream" } },
  { name: "api-500-then-success", row: 12, api: "server-500-then-text", expect: succeeded },
  { name: "api-429-then-success", row: 12, api: "rate-limit-then-text", expect: succeeded },
  { name: "subscription-five-hour", row: 4, api: "subscription-five-hour", auth: "oauth", expect: { status: "failed", errorCode: "provider_quota", errorFamily: "provider_quota" } },
  { name: "subscription-weekly", row: 4, api: "subscription-weekly", auth: "oauth", expect: { status: "failed", errorCode: "provider_quota", errorFamily: "provider_quota" } },
  { name: "oauth-expired", row: 5, api: "oauth-expired-401", auth: "oauth", expect: { status: "failed", errorCode: "claude_auth_required", errorFamily: null } },
  { name: "api-401", row: 5, api: "auth-401", expect: { status: "failed", errorCode: "claude_auth_required", errorFamily: null } },
  { name: "api-403", row: 6, api: "forbidden-403", expect: { status: "failed", errorCode: "claude_access_denied", errorFamily: null } },
  {
    name: "api-404-unknown-model",
    row: 7,
    api: "unknown-model-404",
    args: ["--model", "claude-nonexistent-model"],
    expect: { status: "failed", errorCode: "claude_model_unavailable", errorFamily: null },
  },
  {
    name: "connection-refused",
    row: "11c",
    api: "closed-port",
    expect: { status: "failed", errorCode: "claude_upstream_unreachable", errorFamily: "transient_upstream" },
  },
];
