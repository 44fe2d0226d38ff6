// Stable error codes. The predecessor's codes keep their exact spelling (drop-in: Paperclip dashboards and
// users' alerting key on them); new codes follow the same style. Never rename a code: add one.

export const ERROR_CODES = [
  // Input and configuration
  "config_invalid",
  "k8s_agent_id_invalid",
  "k8s_payload_too_large",
  // Guard
  "k8s_concurrency_guard_unreachable",
  "k8s_concurrent_run_blocked",
  "k8s_orphan_task_unknown",
  "k8s_orphan_session_mismatch",
  // Submit
  "k8s_prompt_secret_create_failed",
  "k8s_job_create_failed",
  "k8s_permission_denied",
  /** The API server rejected the credentials (HTTP 401: a wrong, expired or revoked token or certificate). */
  "k8s_credentials_rejected",
  /** The API server's TLS certificate is not trusted by the kubeconfig's CA (or expired, or names another host). */
  "k8s_certificate_untrusted",
  // Start
  "k8s_pod_schedule_failed",
  "k8s_pod_unschedulable",
  "k8s_image_pull_failed",
  "k8s_init_container_failed",
  "k8s_container_config_error",
  /** The agent image cannot run the Job's command: no `sh` (StartError, exit 128) or no `claude` on its PATH (exit 127). */
  "k8s_agent_image_invalid",
  /**
   * HOME (/paperclip), the working directory or /tmp is not writable by the agent's user: the container
   * command stops before Claude (exit 78), which would otherwise save no session and say nothing.
   */
  "k8s_agent_workspace_not_writable",
  "k8s_pod_reattach_failed",
  // Running and settling
  "k8s_pod_evicted",
  "k8s_pod_lost",
  "k8s_job_deleted_externally",
  /**
   * The end of the container's log was never read: the kubelet rotated it away while the log stream was down
   * (it serves only the current file), or the log stream kept failing until the run's grace ran out after the
   * Job finished. Claude's result is unknown.
   */
  "k8s_log_incomplete",
  "k8s_job_state_mismatch",
  "k8s_outcome_unknown",
  /** Host shutdown: the run stopped waiting, the Job keeps running and the next run reattaches it. */
  "k8s_job_kept_for_reattach",
  "timeout",
  "cancelled",
  // Claude
  "session_unavailable",
  "claude_auth_required",
  /** The credential is valid but may not do this (HTTP 403 permission_error). */
  "claude_access_denied",
  /** The model does not exist or the credential cannot use it (HTTP 404 not_found_error, `model_not_found`). */
  "claude_model_unavailable",
  "provider_quota",
  "claude_transient_upstream",
  /** Anthropic's API (ANTHROPIC_BASE_URL) could not be reached at all: connection refused, DNS, no route. */
  "claude_upstream_unreachable",
  "max_turns_exhausted",
  /** The conversation no longer fits the context and compaction failed (`terminal_reason: prompt_too_long`); the session is cleared. */
  "claude_prompt_too_long",
  "llm_api_error",
  "claude_truncated",
  "claude_failed",
  "claude_no_result",
  // Bugs: an exception nobody classified. Never expected; always reported with its message.
  "adapter_internal_error",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The retry families a host acts on (Paperclip's `errorFamily`): a transient upstream failure (retry soon)
 * or a provider quota (retry after `retryNotBefore`). Other outcomes have none.
 */
export type ErrorFamily = "transient_upstream" | "provider_quota";

/** What kind of thing went wrong, for every code: who has to act, and whether waiting helps. */
export type CodeFamily =
  /** The request or configuration is wrong; retrying changes nothing. */
  | "input"
  /** Another run of the agent is in the way. */
  | "concurrency"
  /** The cluster refused or lost the run. */
  | "cluster"
  /** The agent image or model setting cannot work; the configuration has to change. */
  | "configuration"
  /** The pod ran out of memory or was cut off. */
  | "resources"
  /** Nobody knows yet how the run ended. */
  | "outcome_unknown"
  | "deadline"
  | "cancelled"
  /** The Claude session cannot continue; it is cleared and the next run starts fresh. */
  | "session"
  /** Claude's credential is missing, expired or lacks access. */
  | "auth"
  /** A usage limit or quota; waiting until it resets helps. */
  | "provider_quota"
  /** Anthropic's API failed or could not be reached; a later retry will likely work. */
  | "transient_upstream"
  /** Claude itself failed. */
  | "claude"
  /** A bug in clipjob. */
  | "internal";

/** The family of every code (one entry per code: adding a code fails the typecheck until it has one). */
export const CODE_FAMILIES: Readonly<Record<ErrorCode, CodeFamily>> = {
  config_invalid: "input",
  k8s_agent_id_invalid: "input",
  k8s_payload_too_large: "input",
  k8s_concurrency_guard_unreachable: "cluster",
  k8s_concurrent_run_blocked: "concurrency",
  k8s_orphan_task_unknown: "concurrency",
  k8s_orphan_session_mismatch: "concurrency",
  k8s_prompt_secret_create_failed: "cluster",
  k8s_job_create_failed: "cluster",
  k8s_permission_denied: "cluster",
  k8s_credentials_rejected: "configuration",
  k8s_certificate_untrusted: "configuration",
  k8s_pod_schedule_failed: "cluster",
  k8s_pod_unschedulable: "cluster",
  k8s_image_pull_failed: "configuration",
  k8s_init_container_failed: "cluster",
  k8s_container_config_error: "configuration",
  k8s_agent_image_invalid: "configuration",
  k8s_agent_workspace_not_writable: "configuration",
  k8s_pod_reattach_failed: "cluster",
  k8s_pod_evicted: "resources",
  k8s_pod_lost: "cluster",
  k8s_job_deleted_externally: "cluster",
  k8s_log_incomplete: "cluster",
  k8s_job_state_mismatch: "outcome_unknown",
  k8s_outcome_unknown: "outcome_unknown",
  k8s_job_kept_for_reattach: "outcome_unknown",
  timeout: "deadline",
  cancelled: "cancelled",
  session_unavailable: "session",
  claude_auth_required: "auth",
  claude_access_denied: "auth",
  claude_model_unavailable: "configuration",
  provider_quota: "provider_quota",
  claude_transient_upstream: "transient_upstream",
  claude_upstream_unreachable: "transient_upstream",
  max_turns_exhausted: "session",
  claude_prompt_too_long: "session",
  llm_api_error: "transient_upstream",
  claude_truncated: "resources",
  claude_failed: "claude",
  claude_no_result: "claude",
  adapter_internal_error: "internal",
};

/** Broad outcome classes; the CLI maps them to exit codes and Paperclip to run statuses. */
export type OutcomeStatus = "succeeded" | "failed" | "cancelled" | "timed_out" | "unknown";
