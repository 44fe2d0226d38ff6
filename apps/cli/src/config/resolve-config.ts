// Everything a command needs from the config sources, validated by core's parseConfig so the CLI accepts
// exactly what Paperclip accepts, with the same field-named errors.

import { distance } from "fastest-levenshtein";
import { err, isPaperclipConfigKey, ok, parseConfig, unknownConfigKeys, type ClipjobConfig, type Result } from "@clipjob/core";
import { layerConfig, type ConfigFlags } from "./config-layers.js";
import { readConfigFile } from "./config-file.js";

export interface ConfigSources {
  readonly configFile?: string;
  readonly sets: readonly string[];
  readonly flags: ConfigFlags;
  readonly cwd: string;
}

export interface ResolvedConfig {
  /** What the run receives as adapterConfig (it validates again, as Paperclip's would). */
  readonly raw: Record<string, unknown>;
  readonly config: ClipjobConfig;
}

/** Usage problems as printable lines: one per offending field. */
export type ConfigProblem = { readonly lines: readonly string[] };

export function resolveConfig(sources: ConfigSources): Result<ResolvedConfig, ConfigProblem> {
  let file: unknown;
  if (sources.configFile !== undefined) {
    const read = readConfigFile(sources.configFile, sources.cwd);
    if (!read.ok) return err({ lines: [read.error] });
    file = read.value;
  }
  const layered = layerConfig({ ...(file !== undefined ? { file } : {}), sets: sources.sets, flags: sources.flags });
  if (!layered.ok) return err({ lines: [layered.error.message] });
  const unknown = unknownKeyLines(file, sources.sets);
  if (unknown.length > 0) return err({ lines: ["Unknown configuration key (config_unknown_key):", ...unknown] });
  const parsed = parseConfig(layered.value);
  if (!parsed.ok) {
    return err({ lines: ["Invalid configuration (config_invalid):", ...parsed.error.fields.map((f) => `  ${f.field}: ${f.problem}`)] });
  }
  return ok({ raw: layered.value, config: parsed.value });
}

/**
 * One line per key nobody reads, with the key it most likely misspells. A `--config` file may hold
 * Paperclip's own keys (an agent's adapterConfig copied from Paperclip); `--set` may not, since the CLI
 * passes them to nothing.
 */
function unknownKeyLines(file: unknown, sets: readonly string[]): string[] {
  const line = (source: string) => (u: { key: string; suggestion: string | null }) =>
    `  ${shownKey(u.key)} (${source}): clipjob reads no such key${
      u.suggestion !== null
        ? `; did you mean ${u.suggestion}?`
        : source === "--set" && isPaperclipConfigKey(u.key)
          ? "; it is Paperclip's own key, which only a --config file (an adapterConfig copied from Paperclip) may hold"
          : ""
    }`;
  const fileKeys = typeof file === "object" && file !== null ? unknownConfigKeys(file as Record<string, unknown>, { allowPaperclip: true, distance }) : [];
  const setKeys = Object.fromEntries(sets.map((assignment) => [assignment.slice(0, assignment.indexOf("=")).trim(), true]));
  return [...fileKeys.map(line("--config")), ...unknownConfigKeys(setKeys, { allowPaperclip: false, distance }).map(line("--set"))];
}

/**
 * A key as the user can recognise it: plain keys as written, any other (empty, spaces, control characters
 * that would otherwise reach the terminal) as a JSON string.
 */
function shownKey(key: string): string {
  return /^[\w.-]+$/.test(key) ? key : JSON.stringify(key);
}
