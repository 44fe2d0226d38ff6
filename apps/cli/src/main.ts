import type { CliIo } from "./cli/cli-io.js";
import { EXIT } from "./cli/exit-codes.js";
import { MAIN_HELP } from "./cli/help-text.js";
import { cancelCommand } from "./commands/cancel-command.js";
import { doctorCommand } from "./commands/doctor-command.js";
import { jobsCommand } from "./commands/jobs-command.js";
import { logsCommand } from "./commands/logs-command.js";
import { runCommand } from "./commands/run-command.js";
import { scenariosCommand } from "./commands/scenarios-command.js";

const COMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIo) => number | Promise<number>>> = {
  run: runCommand,
  scenarios: scenariosCommand,
  doctor: doctorCommand,
  jobs: jobsCommand,
  logs: logsCommand,
  cancel: cancelCommand,
};

/** `clipjob <command> …`; resolves with the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr.write(MAIN_HELP);
    return EXIT.usage;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    const topic = rest[0];
    if (topic !== undefined && Object.hasOwn(COMMANDS, topic)) return COMMANDS[topic]!(["--help"], io);
    io.stdout.write(MAIN_HELP);
    return EXIT.ok;
  }
  const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!handler) {
    io.stderr.write(`Unknown command ${JSON.stringify(command)}.\n\n${MAIN_HELP}`);
    return EXIT.usage;
  }
  return handler(rest, io);
}
