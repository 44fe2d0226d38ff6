/** Where the CLI writes. A terminal stream says so, which turns on colour and the live status line. */
export interface OutputStream {
  write(text: string): void;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** The process as the commands see it; tests can build one in memory. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Subscribes to Ctrl-C (SIGINT); returns the unsubscribe. */
  onInterrupt(handler: () => void): () => void;
  /** Ends the process at once (the second Ctrl-C). */
  exitNow(code: number): void;
  /** Standard input (`--prompt-file -`), read only as far as the command needs. */
  readonly stdin: AsyncIterable<Uint8Array | string>;
}

export function writeLines(out: OutputStream, lines: readonly string[]): void {
  if (lines.length > 0) out.write(`${lines.join("\n")}\n`);
}
