import type { PromptBundleRef } from "../job/prompt-bundle-ref.js";
import type { SessionParams } from "../session/session-params.js";

export interface WakeComment {
  readonly id?: string;
  readonly body: string;
  readonly author?: string;
}

export interface RunWorkspace {
  readonly cwd?: string;
  readonly source?: string;
  readonly strategy?: string;
  readonly workspaceId?: string;
  readonly repoUrl?: string;
  readonly repoRef?: string;
  readonly branchName?: string;
  readonly worktreePath?: string;
  readonly agentHome?: string;
}

/** The host-neutral description of one heartbeat run. Paperclip's execute and the CLI both build one. */
export interface RunRequest {
  readonly runId: string;
  readonly agent: { readonly id: string; readonly companyId: string; readonly name: string };
  /** Raw adapterConfig, validated by the run (bad input becomes `config_invalid`, never an exception). */
  readonly config: unknown;
  readonly taskId?: string | null;
  readonly wake?: { readonly reason?: string | null; readonly comments?: readonly WakeComment[]; readonly payloadJson?: string | null };
  readonly sessionHandoffMarkdown?: string | null;
  /** Task text the host wants Claude to see (e.g. the issue markdown). */
  readonly taskMarkdown?: string | null;
  readonly workspace?: RunWorkspace | null;
  /** The session to resume, if any (`sessionParams.sessionId ?? runtime.sessionId` on Paperclip). */
  readonly session?: SessionParams | null;
  /** Paperclip's run-scoped API token; reaches the pod only through the payload Secret. */
  readonly runToken?: string | null;
  /**
   * Env the host computed for this run (PAPERCLIP_* run context). Layered under `config.env`; the env
   * policy still filters it.
   */
  readonly hostEnv?: Readonly<Record<string, string>>;
  /** Extra data for `{{…}}` prompt templates (e.g. Paperclip's context object). */
  readonly templateData?: Readonly<Record<string, unknown>>;
  /** The skills + instructions bundle the host prepared on the shared volume (`--add-dir`), if any. */
  readonly promptBundle?: PromptBundleRef | null;
  /**
   * The PersistentVolumeClaim (in the Job's namespace) to mount at `/paperclip`, Claude's HOME and session
   * store. Absent: the host pod's own `/paperclip` claim when the Job runs in the host's namespace, else none.
   */
  readonly workspaceClaim?: string | null;
  /** The process supervising this run, in words (at most 256 characters kept); stored on the Job as `clipjob.dev/started-by`. */
  readonly startedBy?: string | null;
}
