// Replaying a recording where the suites run it: in a container of the simulated cluster, with the
// credential of the kind the recording was made with.

/** What a replay reads of a recording (a CorpusRecording, or a transcript of the same shape). */
export interface ReplayedTranscript {
  readonly stdoutLines: readonly string[];
  readonly stderrLines: readonly string[];
  /** Null when the CLI was killed. */
  readonly exitCode: number | null;
}

/** What a replay needs of a container (the fake cluster's program context has it). */
export interface ReplayContainer {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Waits `ms` on the container's clock. */
  sleep(ms: number): Promise<void>;
}

/**
 * A container program that prints the recording's stderr, then its stdout a line at a time (5 ms apart on
 * the container's clock), runs `after` (e.g. to stay alive or allocate memory), and exits with the recorded
 * code (1 when the CLI was killed and none was recorded).
 */
export function replayProgram<C extends ReplayContainer>(
  r: ReplayedTranscript,
  after?: (ctx: C) => Promise<void>,
): (ctx: C) => Promise<number> {
  return async (ctx) => {
    for (const line of r.stderrLines) ctx.stderr(line);
    for (const line of r.stdoutLines) {
      ctx.stdout(line);
      await ctx.sleep(5);
    }
    if (after) await after(ctx);
    return r.exitCode ?? 1;
  };
}

/** A test credential of the kind the recording used: an OAuth token (subscription) or an API key. */
export function replayCredentialEnv(r: { readonly auth: "api-key" | "oauth" }): Record<string, string> {
  return r.auth === "oauth" ? { CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-test" } : { ANTHROPIC_API_KEY: "sk-ant-api03-test" };
}
