import type { ClipjobConfig } from "../config/clipjob-config.js";
import { PAYLOAD_MOUNT_PATH } from "./agent-job-spec.js";
import type { PromptBundleRef } from "./prompt-bundle-ref.js";

export interface ClaudeArgsInput {
  readonly config: Pick<ClipjobConfig, "dangerouslySkipPermissions" | "model" | "effort" | "maxTurnsPerRun" | "instructionsFilePath" | "extraArgs">;
  readonly resumeSessionId: string | null;
  readonly bundle?: PromptBundleRef | null;
}

/** Claude's argv, in the predecessor's order (users' `extraArgs` come last so they can override). */
export function buildClaudeArgs({ config, resumeSessionId, bundle }: ClaudeArgsInput): string[] {
  const args = ["--print", "-", "--output-format", "stream-json", "--verbose"];
  if (resumeSessionId !== null) args.push("--resume", resumeSessionId);
  if (config.dangerouslySkipPermissions) args.push("--dangerously-skip-permissions");
  if (config.model) args.push("--model", config.model);
  if (config.effort) args.push("--effort", config.effort);
  if (config.maxTurnsPerRun > 0) args.push("--max-turns", String(config.maxTurnsPerRun));
  // A resumed session already carries its system prompt; appending it again would duplicate it.
  const instructions = bundle?.instructionsFilePath || config.instructionsFilePath;
  if (resumeSessionId === null && instructions) args.push("--append-system-prompt-file", instructions);
  if (bundle?.rootDir) args.push("--add-dir", bundle.rootDir);
  args.push(...config.extraArgs);
  return args;
}

/**
 * Exit code of the container command when a directory Claude must write to is not writable (BSD
 * `EX_CONFIG`): Claude would otherwise save no session and say nothing (a hostPath or NFS volume whose root
 * is `root 0755`, where the kubelet applies no `fsGroup`).
 */
export const NOT_WRITABLE_EXIT_CODE = 78;
/** The line the container command writes to stderr before exiting with NOT_WRITABLE_EXIT_CODE; `$d` is the directory. */
export const NOT_WRITABLE_MARKER = "clipjob: not writable:";

/**
 * The container argv. The shell first checks that HOME (Claude's sessions), the working directory and /tmp
 * are writable — if one is not, it says which on stderr and exits NOT_WRITABLE_EXIT_CODE — then redirects
 * the prompt file to stdin and `exec`s Claude, so the container's exit code is Claude's own (no pipe to
 * lose it in). The arguments travel as positional parameters (`$0 $@`), never spliced into the script, so
 * no quoting can break or inject anything. `executable` is config `command` (Paperclip's generic Command
 * field): `claude` or a path inside the image.
 */
export function agentCommand(claudeArgs: readonly string[], executable = "claude"): string[] {
  const preflight = `for d in "$HOME" "$PWD" /tmp; do if [ ! -w "$d" ]; then echo "${NOT_WRITABLE_MARKER} $d" >&2; exit ${NOT_WRITABLE_EXIT_CODE}; fi; done`;
  return ["sh", "-c", `${preflight}; exec "$0" "$@" < ${PAYLOAD_MOUNT_PATH}/prompt`, executable, ...claudeArgs];
}
