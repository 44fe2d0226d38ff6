import { writeLines, type CliIo } from "../cli/cli-io.js";
import { booleanFlag, CLUSTER_FLAGS, listFlag, parseCommandArgs, stringFlag } from "../cli/command-args.js";
import { EXIT } from "../cli/exit-codes.js";
import { DOCTOR_HELP } from "../cli/help-text.js";
import { CompositionRoot } from "../composition/composition-root.js";
import { resolveConfig } from "../config/resolve-config.js";
import { checkEnvironment } from "../ops/environment-checks.js";
import { doctorReport } from "../render/doctor-report.js";
import { wantsColour } from "../render/paint.js";
import { openRealScope } from "./real-scope.js";

const OPTIONS = { ...CLUSTER_FLAGS, config: { type: "string" }, set: { type: "string", multiple: true }, json: { type: "boolean" } } as const;

export async function doctorCommand(args: readonly string[], io: CliIo, root: CompositionRoot = new CompositionRoot()): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS);
  if (!parsed.ok || parsed.value.positionals.length > 0) {
    io.stderr.write(`${parsed.ok ? "clipjob doctor takes no arguments" : parsed.error}\n${DOCTOR_HELP}`);
    return EXIT.usage;
  }
  if (booleanFlag(parsed.value, "help")) {
    io.stdout.write(DOCTOR_HELP);
    return EXIT.ok;
  }
  const configFile = stringFlag(parsed.value, "config");
  const resolved = resolveConfig({ ...(configFile !== undefined ? { configFile } : {}), sets: listFlag(parsed.value, "set"), flags: { cluster: "kubernetes" }, cwd: io.cwd });
  if (!resolved.ok) {
    writeLines(io.stderr, resolved.error.lines);
    return EXIT.usage;
  }
  const real = await openRealScope(root, parsed.value, io, resolved.value.config.namespace);
  if (typeof real === "number") return real;
  try {
    const report = await checkEnvironment({
      access: real.scope.ports.access,
      host: real.scope.ports.host,
      namespace: real.namespace,
      secretRef: resolved.value.config.secretRef,
    });
    if (booleanFlag(parsed.value, "json")) io.stdout.write(`${JSON.stringify(report)}\n`);
    else writeLines(io.stdout, doctorReport(report, wantsColour(io.stdout.isTTY === true, io.env)));
    return report.status === "fail" ? EXIT.infrastructure : EXIT.ok;
  } finally {
    await real.scope.dispose();
  }
}
