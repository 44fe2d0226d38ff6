import { isDnsLabel, isDnsSubdomain } from "@clipjob/core";
import type { CliIo } from "../cli/cli-io.js";
import { stringFlag, type ParsedArgs } from "../cli/command-args.js";
import { EXIT } from "../cli/exit-codes.js";
import { NO_REAL_CLUSTER, realClusterTarget } from "../cli/real-cluster.js";
import type { ClusterScope, CompositionRoot } from "../composition/composition-root.js";

export interface RealScope {
  readonly scope: ClusterScope;
  readonly namespace: string;
}

/** The real-cluster scope of `doctor`, `jobs`, `logs` and `cancel`; an exit code when there is none. */
export async function openRealScope(root: CompositionRoot, args: ParsedArgs, io: CliIo, configNamespace: string | null = null): Promise<RealScope | number> {
  const flags = { kubeconfig: stringFlag(args, "kubeconfig"), context: stringFlag(args, "context"), namespace: stringFlag(args, "namespace") };
  // A name the API server would refuse is the user's to fix: said before any cluster is asked.
  if (flags.namespace !== undefined && !isDnsLabel(flags.namespace)) {
    io.stderr.write(`--namespace ${JSON.stringify(flags.namespace)} is not a valid namespace name (lowercase letters, digits and '-', at most 63 characters)\n`);
    return EXIT.usage;
  }
  const target = realClusterTarget(
    {
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
      ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    },
    io.env,
  );
  if (!target) {
    io.stderr.write(`${NO_REAL_CLUSTER}\n`);
    return EXIT.usage;
  }
  const opened = await root.openScope(target, io.env);
  if (!opened.ok) {
    io.stderr.write(`${opened.error.message}\n`);
    return EXIT.usage;
  }
  const namespace = flags.namespace ?? configNamespace ?? opened.value.defaultNamespace;
  return { scope: opened.value, namespace };
}

/** Why `name` cannot be a Job's name (for `logs` and `cancel`, said before any cluster is asked), or null. */
export function jobNameProblem(name: string): string | null {
  return isDnsSubdomain(name) ? null : `${JSON.stringify(name)} is not a valid Job name (lowercase letters, digits, '-' and '.'); 'clipjob jobs' lists this tool's Jobs`;
}
