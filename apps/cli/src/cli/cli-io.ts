/** Where the CLI writes. A terminal stream says so, which turns on colour and the live status line. */
export interface OutputStream {
  write(text: string): void;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** The signals a command treats as the user stopping it. */
export const INTERRUPT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/** How a run names the interrupt in what it prints. */
export function interruptName(signal: InterruptSignal): string {
  return signal === "SIGINT" ? "Ctrl-C" : signal;
}

/** The process as the commands see it; tests can build one in memory. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /**
   * Subscribes to Ctrl-C (SIGINT) and to SIGTERM and SIGHUP (`timeout`, a CI job's kill, a closed terminal),
   * which stop a run the same way: left unhandled they would end the process with its Job, claim and Lease
   * still in the cluster. Returns the unsubscribe.
   */
  onInterrupt(handler: (signal: InterruptSignal) => void): () => void;
  /** Ends the process at once (the second interrupt). */
  exitNow(code: number): void;
  /** Standard input (`--prompt-file -`), read only as far as the command needs. */
  readonly stdin: AsyncIterable<Uint8Array | string>;
}

export function writeLines(out: OutputStream, lines: readonly string[]): void {
  if (lines.length > 0) out.write(`${lines.join("\n")}\n`);
}
