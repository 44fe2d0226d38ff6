import type { ErrorCode, RunOutcome } from "@clipjob/core";

/** The process exit codes of `clipjob`, documented in the README and `clipjob --help`. */
export const EXIT = {
  ok: 0,
  runFailed: 1,
  usage: 2,
  infrastructure: 3,
  outcomeUnknown: 4,
  cancelled: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

// One entry per code, so adding a code to core fails the typecheck here until someone decides its exit.
const EXIT_FOR_CODE: Readonly<Record<ErrorCode, ExitCode>> = {
  config_invalid: EXIT.usage,
  k8s_agent_id_invalid: EXIT.usage,
  // The prompt was refused for its size: the user's input, not the cluster, has to change.
  k8s_payload_too_large: EXIT.usage,
  k8s_concurrency_guard_unreachable: EXIT.infrastructure,
  k8s_concurrent_run_blocked: EXIT.infrastructure,
  k8s_orphan_task_unknown: EXIT.infrastructure,
  k8s_orphan_session_mismatch: EXIT.infrastructure,
  k8s_prompt_secret_create_failed: EXIT.infrastructure,
  k8s_job_create_failed: EXIT.infrastructure,
  k8s_permission_denied: EXIT.infrastructure,
  k8s_credentials_rejected: EXIT.infrastructure,
  k8s_certificate_untrusted: EXIT.infrastructure,
  k8s_pod_schedule_failed: EXIT.infrastructure,
  k8s_pod_unschedulable: EXIT.infrastructure,
  k8s_image_pull_failed: EXIT.infrastructure,
  k8s_init_container_failed: EXIT.infrastructure,
  k8s_container_config_error: EXIT.infrastructure,
  // The image cannot run the command: the configuration (image) has to change, like a pull failure.
  k8s_agent_image_invalid: EXIT.infrastructure,
  k8s_agent_workspace_not_writable: EXIT.infrastructure,
  k8s_pod_reattach_failed: EXIT.infrastructure,
  k8s_pod_evicted: EXIT.infrastructure,
  k8s_pod_lost: EXIT.infrastructure,
  k8s_job_deleted_externally: EXIT.infrastructure,
  k8s_log_incomplete: EXIT.infrastructure,
  k8s_job_state_mismatch: EXIT.outcomeUnknown,
  k8s_outcome_unknown: EXIT.outcomeUnknown,
  k8s_job_kept_for_reattach: EXIT.outcomeUnknown,
  timeout: EXIT.runFailed,
  cancelled: EXIT.cancelled,
  session_unavailable: EXIT.runFailed,
  claude_auth_required: EXIT.runFailed,
  claude_access_denied: EXIT.runFailed,
  claude_model_unavailable: EXIT.runFailed,
  provider_quota: EXIT.runFailed,
  claude_transient_upstream: EXIT.runFailed,
  claude_upstream_unreachable: EXIT.runFailed,
  max_turns_exhausted: EXIT.runFailed,
  claude_prompt_too_long: EXIT.runFailed,
  llm_api_error: EXIT.runFailed,
  claude_truncated: EXIT.runFailed,
  claude_failed: EXIT.runFailed,
  claude_no_result: EXIT.runFailed,
  adapter_internal_error: EXIT.runFailed,
};

export function exitCodeForOutcome(outcome: Pick<RunOutcome, "status" | "errorCode">): ExitCode {
  if (outcome.status === "succeeded") return EXIT.ok;
  if (outcome.errorCode !== null) return EXIT_FOR_CODE[outcome.errorCode];
  if (outcome.status === "cancelled") return EXIT.cancelled;
  if (outcome.status === "unknown") return EXIT.outcomeUnknown;
  return EXIT.runFailed;
}
