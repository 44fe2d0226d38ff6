// Which adapterConfig keys mean something, so a typo ("timeoutSecs") is caught instead of silently ignored.
// parseConfig itself ignores unknown keys (Paperclip keeps its own in the same object); the runtimes decide
// what an unknown key costs: the CLI refuses it, the plugin warns in the run log.

import { CONFIG_FIELDS } from "./config-schema.js";

/** Every adapterConfig key clipjob reads: each field's key and its aliases (`thinkingEffort`, `args`, …). */
export const CONFIG_KEYS: readonly string[] = CONFIG_FIELDS.flatMap((field) => [field.key, ...field.aliases]);

/**
 * Keys Paperclip (2026.916.1) itself keeps in or adds to an agent's adapterConfig that clipjob does not read:
 * `paperclipSkillSync` (stored, one of its adapter-agnostic keys), `instructionsBundleMode`,
 * `instructionsRootPath` and `instructionsEntryFile` (its managed instructions bundle, written when an agent is
 * created; the bundle's entry file reaches clipjob as `instructionsFilePath`), `paperclipRuntimeSkills` and
 * `paperclipConnectorSkillDigest` (added for each run) and `managedAiConnection` (added when the agent uses a
 * managed AI connection). Its other adapter-agnostic keys (`env`, `promptTemplate`, `cwd`, `timeoutSec`, …)
 * are clipjob's too.
 */
export const PAPERCLIP_CONFIG_KEYS: readonly string[] = [
  "paperclipSkillSync",
  "instructionsBundleMode",
  "instructionsRootPath",
  "instructionsEntryFile",
  "paperclipRuntimeSkills",
  "paperclipConnectorSkillDigest",
  "managedAiConnection",
];

/** Whether Paperclip owns `key`: one of {@link PAPERCLIP_CONFIG_KEYS}, or any `paperclip…` key (its prefix for what it injects). */
export function isPaperclipConfigKey(key: string): boolean {
  return PAPERCLIP_CONFIG_KEYS.includes(key) || /^paperclip[A-Z]/.test(key);
}

export interface UnknownConfigKey {
  readonly key: string;
  /** The known key it most likely misspells, or null when none is close. */
  readonly suggestion: string | null;
}

/** Edit distance between two strings (Levenshtein); the runtimes pass a library's, core has no dependencies. */
export type StringDistance = (a: string, b: string) => number;

/**
 * The keys of `raw` that clipjob does not read (and, with `allowPaperclip`, that Paperclip does not own
 * either), in their order in `raw`, each with the closest key clipjob reads when one is within
 * {@link suggestionLimit} edits (compared case-insensitively, so `timeoutsec` suggests `timeoutSec`), else
 * the object key a dotted path starts in, or the one key the typed one begins or ends.
 */
export function unknownConfigKeys(raw: Readonly<Record<string, unknown>>, options: { readonly allowPaperclip: boolean; readonly distance: StringDistance }): UnknownConfigKey[] {
  return Object.keys(raw)
    .filter((key) => !CONFIG_KEYS.includes(key) && !(options.allowPaperclip && isPaperclipConfigKey(key)))
    .map((key) => ({ key, suggestion: closestConfigKey(key, options.distance) }));
}

/** How many edits a misspelling may be from the key it means: a third of its length, at least 1, at most 3. */
export function suggestionLimit(key: string): number {
  return Math.min(3, Math.max(1, Math.floor(key.length / 3)));
}

/**
 * The key `key` most likely means: the nearest within {@link suggestionLimit} edits; else the key a dotted
 * path starts in (`nodeSelector.pool`, `env.FOO`, `resources.cpu`: the object key that holds it); else the
 * one key that `key` is the start of (`timeout` → `timeoutSec`, at least 4 characters typed), or the end of
 * (`scenario` → `simulatedScenario`, `context` → `kubeContext`, at least 5). Null when none.
 */
function closestConfigKey(key: string, distance: StringDistance): string | null {
  const typed = key.toLowerCase();
  let best: { key: string; edits: number } | null = null;
  for (const candidate of CONFIG_KEYS) {
    const edits = distance(typed, candidate.toLowerCase());
    if (edits <= suggestionLimit(key) && (best === null || edits < best.edits)) best = { key: candidate, edits };
  }
  if (best !== null) return best.key;
  const holder = CONFIG_KEYS.find((candidate) => !candidate.includes(".") && typed.startsWith(`${candidate.toLowerCase()}.`));
  if (holder !== undefined) return holder;
  const completions = typed.length >= 4 ? CONFIG_KEYS.filter((candidate) => !candidate.includes(".") && candidate.toLowerCase().startsWith(typed)) : [];
  if (completions.length === 1) return completions[0]!;
  // The CLI's flags drop a key's qualifier (`--scenario`, `--context`): the one key that ends in it.
  const qualified = typed.length >= 5 ? CONFIG_KEYS.filter((candidate) => !candidate.includes(".") && candidate.toLowerCase().endsWith(typed)) : [];
  return qualified.length === 1 ? qualified[0]! : null;
}

/** "timeoutSecs (did you mean timeoutSec?)", or the key alone. */
export function describeUnknownKey(unknown: UnknownConfigKey): string {
  return unknown.suggestion === null ? unknown.key : `${unknown.key} (did you mean ${unknown.suggestion}?)`;
}
