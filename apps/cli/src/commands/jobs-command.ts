import { writeLines, type CliIo } from "../cli/cli-io.js";
import { booleanFlag, CLUSTER_FLAGS, parseCommandArgs } from "../cli/command-args.js";
import { EXIT } from "../cli/exit-codes.js";
import { JOBS_HELP } from "../cli/help-text.js";
import { CompositionRoot } from "../composition/composition-root.js";
import { listAgentJobs } from "../ops/agent-jobs.js";
import { jobTable } from "../render/job-table.js";
import { clusterFailure } from "./cluster-failure.js";
import { openRealScope } from "./real-scope.js";

const OPTIONS = { ...CLUSTER_FLAGS, json: { type: "boolean" } } as const;

export async function jobsCommand(args: readonly string[], io: CliIo, root: CompositionRoot = new CompositionRoot()): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS);
  if (!parsed.ok || parsed.value.positionals.length > 0) {
    io.stderr.write(`${parsed.ok ? "clipjob jobs takes no arguments" : parsed.error}\n${JOBS_HELP}`);
    return EXIT.usage;
  }
  if (booleanFlag(parsed.value, "help")) {
    io.stdout.write(JOBS_HELP);
    return EXIT.ok;
  }
  const real = await openRealScope(root, parsed.value, io);
  if (typeof real === "number") return real;
  try {
    const rows = await listAgentJobs({ cluster: real.scope.ports.cluster, namespace: real.namespace, nowMs: real.scope.ports.clock.now() });
    if (booleanFlag(parsed.value, "json")) io.stdout.write(`${JSON.stringify(rows)}\n`);
    else if (rows.length === 0) io.stdout.write(`No clipjob Jobs in namespace ${real.namespace}.\n`);
    else writeLines(io.stdout, jobTable(rows));
    return EXIT.ok;
  } catch (error) {
    return clusterFailure(io, `listing Jobs in ${real.namespace}`, error);
  } finally {
    await real.scope.dispose();
  }
}
