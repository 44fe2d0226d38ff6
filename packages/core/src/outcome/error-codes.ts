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
  // Start
  "k8s_pod_schedule_failed",
  "k8s_pod_unschedulable",
  "k8s_image_pull_failed",
  "k8s_init_container_failed",
  "k8s_container_config_error",
  "k8s_pod_reattach_failed",
  // Running and settling
  "k8s_pod_evicted",
  "k8s_pod_lost",
  "k8s_job_deleted_externally",
  "k8s_job_state_mismatch",
  "k8s_outcome_unknown",
  /** Host shutdown: the run stopped waiting, the Job keeps running and the next run reattaches it. */
  "k8s_job_kept_for_reattach",
  "timeout",
  "cancelled",
  // Claude
  "session_unavailable",
  "claude_auth_required",
  "provider_quota",
  "claude_transient_upstream",
  "max_turns_exhausted",
  "llm_api_error",
  "claude_truncated",
  "claude_failed",
  "claude_no_result",
  // Bugs: an exception nobody classified. Never expected; always reported with its message.
  "adapter_internal_error",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorFamily = "transient_upstream" | "provider_quota";

/** Broad outcome classes; the CLI maps them to exit codes and Paperclip to run statuses. */
export type OutcomeStatus = "succeeded" | "failed" | "cancelled" | "timed_out" | "unknown";
