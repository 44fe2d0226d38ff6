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
