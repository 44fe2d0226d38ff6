import type { CliIo } from "../cli/cli-io.js";
import { booleanFlag, CLUSTER_FLAGS, parseCommandArgs } from "../cli/command-args.js";
import { EXIT } from "../cli/exit-codes.js";
import { LOGS_HELP } from "../cli/help-text.js";
import { CompositionRoot } from "../composition/composition-root.js";
import { readJobLog } from "../ops/job-log.js";
import { paint, wantsColour } from "../render/paint.js";
import { TranscriptFormatter } from "../render/transcript-formatter.js";
import { clusterFailure } from "./cluster-failure.js";
import { jobNameProblem, openRealScope } from "./real-scope.js";

const OPTIONS = { ...CLUSTER_FLAGS, follow: { type: "boolean", short: "f" }, raw: { type: "boolean" } } as const;

export async function logsCommand(args: readonly string[], io: CliIo, root: CompositionRoot = new CompositionRoot()): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS);
  if (parsed.ok && booleanFlag(parsed.value, "help")) {
    io.stdout.write(LOGS_HELP);
    return EXIT.ok;
  }
  if (!parsed.ok || parsed.value.positionals.length !== 1) {
    io.stderr.write(`${parsed.ok ? "clipjob logs takes one Job name" : parsed.error}\n${LOGS_HELP}`);
    return EXIT.usage;
  }
  const name = parsed.value.positionals[0]!;
  const problem = jobNameProblem(name);
  if (problem !== null) {
    io.stderr.write(`${problem}\n`);
    return EXIT.usage;
  }
  const real = await openRealScope(root, parsed.value, io);
  if (typeof real === "number") return real;
  const stop = new AbortController();
  const unsubscribe = io.onInterrupt(() => {
    if (stop.signal.aborted) io.exitNow(EXIT.cancelled);
    stop.abort();
  });
  try {
    const result = await readJobLog(
      real.scope.ports,
      { namespace: real.namespace, name },
      { follow: booleanFlag(parsed.value, "follow"), signal: stop.signal, onLine: transcriptPrinter(io, booleanFlag(parsed.value, "raw")) },
    );
    if (!result.ok) {
      io.stderr.write(`${result.error.message}\n`);
      return result.error.code === "cancelled" ? EXIT.cancelled : EXIT.usage;
    }
    return stop.signal.aborted ? EXIT.cancelled : EXIT.ok;
  } catch (error) {
    return clusterFailure(io, `reading the log of Job ${real.namespace}/${name}`, error);
  } finally {
    unsubscribe();
    await real.scope.dispose();
  }
}

/** Formats each log line like `clipjob run` does (events readable, anything else passed through dimmed). */
function transcriptPrinter(io: CliIo, raw: boolean): (line: { text: string }) => void {
  if (raw) return (line) => io.stdout.write(`${line.text}\n`);
  const formatter = new TranscriptFormatter();
  const colour = wantsColour(io.stdout.isTTY === true, io.env);
  return (line) => {
    for (const display of formatter.format("stdout", line.text)) io.stdout.write(`${paint(display, colour)}\n`);
  };
}
