/** What a run stores for the next one; the codec round-trips every field. */
export interface SessionParams {
  readonly sessionId: string;
  readonly cwd?: string;
  readonly workspaceId?: string;
  readonly repoUrl?: string;
  readonly repoRef?: string;
  readonly promptBundleKey?: string;
  /** The Job that ran this session last (for reattach forensics and display). */
  readonly lastJobName?: string;
}
