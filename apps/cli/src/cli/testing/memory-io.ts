import type { CliIo, InterruptSignal, OutputStream } from "../cli-io.js";

export interface MemoryIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
  /** Delivers Ctrl-C (or another interrupt signal) to the subscribed handlers, as the process would. */
  interrupt(signal?: InterruptSignal): void;
  readonly exits: number[];
}

/** A CliIo in memory: output captured, Ctrl-C on demand, no terminal, no cluster in the environment. */
export function memoryIo(env: NodeJS.ProcessEnv = { NO_COLOR: "1" }, stdin = ""): MemoryIo {
  let stdout = "";
  let stderr = "";
  const handlers = new Set<(signal: InterruptSignal) => void>();
  const exits: number[] = [];
  const stream = (append: (text: string) => void): OutputStream => ({ write: append, isTTY: false });
  return {
    stdout: stream((t) => (stdout += t)),
    stderr: stream((t) => (stderr += t)),
    env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    exitNow: (code) => void exits.push(code),
    stdin: (async function* () {
      yield stdin;
    })(),
    out: () => stdout,
    err: () => stderr,
    interrupt: (signal = "SIGINT") => {
      for (const h of [...handlers]) h(signal);
    },
    exits,
  };
}
