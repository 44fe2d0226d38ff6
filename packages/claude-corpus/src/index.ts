// The recorded corpus as data: one entry per fixtures/<name>/ directory written by record.mjs.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** What clipjob must conclude from a recording (fields left out are not asserted). */
export interface ExpectedOutcome {
  readonly status: "succeeded" | "failed" | "cancelled" | "timed_out" | "unknown";
  readonly errorCode: string | null;
  readonly errorFamily?: string | null;
  readonly clearSession?: boolean;
}

export interface CorpusRecording {
  readonly name: string;
  /** The row of the outcome table (issue #12) this recording grounds, or null for plain successes. */
  readonly row: number | string | null;
  /** `claude --version` as recorded, e.g. "2.1.328 (Claude Code)". */
  readonly cliVersion: string;
  /** ISO time the run started: "now" for reset times the CLI printed relative to its clock. */
  readonly recordedAt: string;
  readonly apiScenario: string;
  readonly auth: "api-key" | "oauth";
  readonly argv: readonly string[];
  /** The CLI's environment (credentials replaced by "<fake>"). */
  readonly env: Readonly<Record<string, string>>;
  readonly prompt: string;
  readonly resumeOf: string | null;
  readonly resumedSessionId: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The API requests the run made: url, conversation position, retry attempt, response status or "dropped". */
  readonly requests: readonly { url: string; position: number | null; attempt: number | null; response: number | "dropped" | null }[];
  readonly expect: ExpectedOutcome;
  /** stdout split into lines (no trailing empty line). */
  readonly stdoutLines: readonly string[];
  readonly stderrLines: readonly string[];
}

/** fixtures/ next to this package's src/. */
export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

function lines(text: string): string[] {
  const all = text.split("\n");
  if (all.at(-1) === "") all.pop();
  return all;
}

/** Reads one recording; throws naming the directory when it is incomplete. */
export function loadRecording(name: string): CorpusRecording {
  const dir = join(CORPUS_DIR, name);
  let meta: Omit<CorpusRecording, "stdoutLines" | "stderrLines">;
  try {
    meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as typeof meta;
  } catch (e) {
    throw new Error(`corpus recording ${dir} has no readable meta.json: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    ...meta,
    stdoutLines: lines(readFileSync(join(dir, "stdout.jsonl"), "utf8")),
    stderrLines: lines(readFileSync(join(dir, "stderr.txt"), "utf8")),
  };
}

/** Every recording, in the manifest's order. */
export function loadCorpus(): CorpusRecording[] {
  const manifest = JSON.parse(readFileSync(join(CORPUS_DIR, "manifest.json"), "utf8")) as { entries: string[] };
  return manifest.entries.map(loadRecording);
}

/** Directory names under fixtures/ (to check the manifest lists them all). */
export function recordingDirectories(): string[] {
  return readdirSync(CORPUS_DIR).filter((n) => statSync(join(CORPUS_DIR, n)).isDirectory());
}
export { replayCredentialEnv, replayProgram, type ReplayContainer, type ReplayedTranscript } from "./replay.js";
