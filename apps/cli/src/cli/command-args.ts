import { parseArgs, type ParseArgsConfig } from "node:util";
import { err, ok, type Result } from "@clipjob/core";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Strict parsing: an unknown or malformed flag is a usage error (exit 2), never silently ignored. */
export function parseCommandArgs(args: readonly string[], options: Options): Result<ParsedArgs, string> {
  try {
    const parsed = parseArgs({ args: [...args], options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    return ok({ values: parsed.values as ParsedArgs["values"], positionals: parsed.positionals });
  } catch (error) {
    return err(error instanceof Error ? error.message : String(error));
  }
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export function listFlag(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  return Array.isArray(value) ? value : [];
}

/** The flags naming a real cluster, shared by every command that talks to one. */
export const CLUSTER_FLAGS = {
  kubeconfig: { type: "string" },
  context: { type: "string" },
  namespace: { type: "string", short: "n" },
} as const satisfies Options;
