import { isClusterError } from "@clipjob/core";
import type { CliIo } from "../cli/cli-io.js";
import { EXIT } from "../cli/exit-codes.js";

/** A port call that failed: say what was being done and the cluster's error code, exit 3. */
export function clusterFailure(io: CliIo, doing: string, error: unknown): number {
  const code = isClusterError(error) ? ` [${error.code}]` : "";
  io.stderr.write(`Failed ${doing}${code}: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.infrastructure;
}
