// Paperclip hands the adapter the agent's whole adapterConfig, its own keys included, and never checks
// ours: a typo such as `timeoutSecs` would be dropped without a word. It is not a reason to fail a
// heartbeat (the run can go ahead on the defaults), so it becomes a warning in the run log.
import { distance } from "fastest-levenshtein";
import { unknownConfigKeys } from "@clipjob/core";

/**
 * One warning per adapterConfig key that neither clipjob nor Paperclip reads, with the clipjob key it
 * most likely misspells; none for Paperclip's own keys (`paperclipSkillSync`, `managedAiConnection`, …).
 */
export function unknownConfigKeyWarnings(config: Readonly<Record<string, unknown>>): string[] {
  return unknownConfigKeys(config, { allowPaperclip: true, distance }).map(
    (u) => `adapterConfig key ${JSON.stringify(u.key)} is not one clipjob or Paperclip reads, so it is ignored${u.suggestion !== null ? `; did you mean ${JSON.stringify(u.suggestion)}?` : ""}`,
  );
}
