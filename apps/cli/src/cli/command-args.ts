import { parseArgs, type ParseArgsConfig } from "node:util";
import { err, ok, type Result } from "@clipjob/core";
import { distance } from "fastest-levenshtein";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Strict parsing: an unknown or malformed flag is a usage error (exit 2), never silently ignored. An unknown
 * flag is named with the flag it most likely misspells; a single-value flag given twice with different values
 * (`--config a.json --config b.json`) is refused rather than letting the last one silently win.
 */
export function parseCommandArgs(args: readonly string[], options: Options): Result<ParsedArgs, string> {
  const all: Options = { ...options, help: { type: "boolean", short: "h" } };
  const unknown = unknownFlag(args, all);
  if (unknown !== null) return err(unknown);
  try {
    const parsed = parseArgs({ args: [...args], options: all, allowPositionals: true, strict: true, tokens: true });
    const seen = new Map<string, string>();
    for (const token of parsed.tokens) {
      if (token.kind !== "option" || all[token.name]?.multiple === true || token.value === undefined) continue;
      const before = seen.get(token.name);
      if (before !== undefined && before !== token.value) {
        return err(`--${token.name} was given twice (${JSON.stringify(before)}, then ${JSON.stringify(token.value)}); give it once.`);
      }
      seen.set(token.name, token.value);
    }
    return ok({ values: parsed.values as ParsedArgs["values"], positionals: parsed.positionals });
  } catch (error) {
    return err(error instanceof Error ? error.message : String(error));
  }
}

/** "Unknown option '--agnet-id'; did you mean --agent-id?" for the first flag `options` lacks, or null. */
function unknownFlag(args: readonly string[], options: Options): string | null {
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  const token = tokens.find((t) => t.kind === "option" && !(t.name in options) && !Object.values(options).some((o) => o.short === t.name));
  if (token?.kind !== "option") return null;
  const names = Object.keys(options);
  const given = token.name.toLowerCase();
  let best: { name: string; edits: number } | null = null;
  for (const name of names) {
    const edits = distance(given, name.toLowerCase());
    if (edits <= Math.min(3, Math.max(1, Math.floor(given.length / 3))) && (best === null || edits < best.edits)) best = { name, edits };
  }
  return `Unknown option '${token.rawName}'${best !== null ? `; did you mean --${best.name}?` : ""} (an argument starting with '-' goes after '--')`;
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
