import type { CliIo } from "../cli/cli-io.js";
import { booleanFlag, CLUSTER_FLAGS, parseCommandArgs } from "../cli/command-args.js";
import { EXIT } from "../cli/exit-codes.js";
import { CANCEL_HELP } from "../cli/help-text.js";
import { CompositionRoot } from "../composition/composition-root.js";
import { cancelJob } from "../ops/cancel-job.js";
import { clusterFailure } from "./cluster-failure.js";
import { jobNameProblem, openRealScope } from "./real-scope.js";

export async function cancelCommand(args: readonly string[], io: CliIo, root: CompositionRoot = new CompositionRoot()): Promise<number> {
  const parsed = parseCommandArgs(args, CLUSTER_FLAGS);
  if (parsed.ok && booleanFlag(parsed.value, "help")) {
    io.stdout.write(CANCEL_HELP);
    return EXIT.ok;
  }
  if (!parsed.ok || parsed.value.positionals.length !== 1) {
    io.stderr.write(`${parsed.ok ? "clipjob cancel takes one Job name" : parsed.error}\n${CANCEL_HELP}`);
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
  try {
    const result = await cancelJob(real.scope.ports.cluster, { namespace: real.namespace, name });
    if (!result.ok) {
      io.stderr.write(`${result.error.message}\n`);
      return EXIT.usage;
    }
    io.stdout.write(`Job ${result.value.namespace}/${result.value.name} deleted (was ${result.value.phase}); its pod is stopping; the agent's claim Secret stays until the run holding it releases it or the agent's next run takes it over.\n`);
    return EXIT.ok;
  } catch (error) {
    return clusterFailure(io, `deleting Job ${real.namespace}/${name}`, error);
  } finally {
    await real.scope.dispose();
  }
}
