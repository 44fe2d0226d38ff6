#!/usr/bin/env node
import { INTERRUPT_SIGNALS, type CliIo, type InterruptSignal } from "./cli/cli-io.js";
import { runCli } from "./main.js";

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  onInterrupt(handler) {
    const listeners = INTERRUPT_SIGNALS.map((signal) => [signal, () => handler(signal)] as [InterruptSignal, () => void]);
    for (const [signal, listener] of listeners) process.on(signal, listener);
    return () => {
      for (const [signal, listener] of listeners) process.off(signal, listener);
    };
  },
  exitNow(code) {
    process.exit(code);
  },
  stdin: process.stdin,
};

let code: number;
try {
  code = await runCli(process.argv.slice(2), io);
} catch (error) {
  // Commands turn every expected failure into an exit code; reaching here is a bug, reported as such.
  process.stderr.write(`clipjob: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  code = 1;
}
// Exit explicitly once stdout has drained: idle keep-alive sockets of a real cluster's client must not hold
// the process open after the answer is printed.
process.stdout.write("", () => process.exit(code));
