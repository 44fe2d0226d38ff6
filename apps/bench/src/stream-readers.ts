// The stream-json readers the parser bench puts side by side. Each reads a whole transcript held in a Buffer
// and returns how many lines it handled (so the work cannot be optimised away and counts can be compared).

import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createLineDecoder, createTranscriptReducer } from "@clipjob/core";

export const CHUNK_BYTES = 64 * 1024;

export interface StreamReader {
  readonly id: string;
  readonly label: string;
  read(buffer: Buffer): number;
}

/** A reader that could not be loaded here, and why (shown in its row). */
export interface MissingReader {
  readonly id: string;
  readonly label: string;
  readonly unavailable: string;
}

/** The floor a naive reader pays: the whole text at once, split, JSON.parse of every line. */
export const bareJsonParse: StreamReader = {
  id: "bare",
  label: "bare `toString` + `split` + `JSON.parse`",
  read(buffer) {
    let lines = 0;
    for (const line of buffer.toString("utf8").split("\n")) {
      if (line === "") continue;
      JSON.parse(line);
      lines++;
    }
    return lines;
  },
};

/** Our reader as a run uses it: bytes in 64 KiB chunks → line decoder → reducer, one push per line. */
export const clipjobReader: StreamReader = {
  id: "clipjob",
  label: "clipjob (decoder in 64 KiB chunks → reducer)",
  read(buffer) {
    const decoder = createLineDecoder();
    const reducer = createTranscriptReducer();
    // Each line goes straight to the reducer with the byte length the decoder already knows.
    for (let offset = 0; offset < buffer.length; offset += CHUNK_BYTES) decoder.feed(buffer.subarray(offset, offset + CHUNK_BYTES), reducer.push);
    decoder.finish(reducer.push);
    const summary = reducer.summary();
    if (summary.result === null) throw new Error("the clipjob reader missed the result event");
    if (summary.bytes !== buffer.length) throw new Error(`the clipjob reader counted ${summary.bytes} bytes of ${buffer.length}`);
    return summary.nonEmptyLines;
  },
};

type WholeStringParser = (stdout: string) => { readonly resultJson?: unknown; readonly sessionId?: unknown };

/** A parser that takes the whole transcript as one string, timed with the `toString` it needs. */
function wholeString(id: string, label: string, parse: WholeStringParser): StreamReader {
  return {
    id,
    label,
    read(buffer) {
      const parsed = parse(buffer.toString("utf8"));
      if (parsed.resultJson === null || parsed.resultJson === undefined) throw new Error(`${label} missed the result event`);
      return 1;
    },
  };
}

export const PAPERCLIP_VERSION = "2026.916.1";

/** Where `pnpm test:paperclip` installs Paperclip (apps/e2e/paperclip/provision.mjs). */
function paperclipServerDir(): string {
  const home = resolve(process.env["CLIPJOB_PAPERCLIP_HOME"] || join(homedir(), ".cache", "clipjob", `paperclip-${PAPERCLIP_VERSION}`));
  return join(home, "server");
}

/**
 * Paperclip's own `claude_local` stdout parser, `parseClaudeStreamJson` from the `./server` export of
 * `@paperclipai/adapter-claude-local` as installed with `paperclipai@2026.916.1` (used as published).
 */
export async function loadPaperclipParser(): Promise<StreamReader | MissingReader> {
  const id = "paperclip";
  const label = `Paperclip \`claude_local\` \`parseClaudeStreamJson\` (${PAPERCLIP_VERSION}, whole string)`;
  const pkgDir = join(paperclipServerDir(), "node_modules", "@paperclipai", "adapter-claude-local");
  const pkgJson = join(pkgDir, "package.json");
  if (!existsSync(pkgJson)) {
    return { id, label, unavailable: `not installed here (${pkgDir} is missing; \`pnpm test:paperclip\` installs paperclipai@${PAPERCLIP_VERSION} there)` };
  }
  try {
    const pkg = JSON.parse(readFileSync(pkgJson, "utf8")) as { version?: string; exports?: Record<string, { import?: string }> };
    if (pkg.version !== PAPERCLIP_VERSION) return { id, label, unavailable: `installed version is ${pkg.version ?? "unknown"}, not ${PAPERCLIP_VERSION}` };
    const entry = pkg.exports?.["./server"]?.import;
    if (!entry) return { id, label, unavailable: "the package has no `./server` export" };
    const mod = (await import(pathToFileURL(join(pkgDir, entry)).href)) as { parseClaudeStreamJson?: WholeStringParser };
    if (typeof mod.parseClaudeStreamJson !== "function") return { id, label, unavailable: "`./server` does not export `parseClaudeStreamJson`" };
    return wholeString(id, label, mod.parseClaudeStreamJson);
  } catch (error) {
    return { id, label, unavailable: `failed to load: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export const PREDECESSOR_PACKAGE = "paperclip-adapter-claude-k8s";

/**
 * The predecessor's `parseClaudeStreamJson` (its `./server` export), if the package is installed as
 * published. It is not on the npm registry (`npm view paperclip-adapter-claude-k8s` answers E404), so this
 * normally reports why it is missing rather than measuring a copy.
 */
export async function loadPredecessorParser(): Promise<StreamReader | MissingReader> {
  const id = "predecessor";
  const label = `the predecessor \`${PREDECESSOR_PACKAGE}\` \`parseClaudeStreamJson\` (whole string)`;
  const specifier = `${PREDECESSOR_PACKAGE}/server`;
  try {
    const mod = (await import(specifier)) as { parseClaudeStreamJson?: WholeStringParser };
    if (typeof mod.parseClaudeStreamJson !== "function") return { id, label, unavailable: "`./server` does not export `parseClaudeStreamJson`" };
    return wholeString(id, label, mod.parseClaudeStreamJson);
  } catch {
    return { id, label, unavailable: `not measured: \`${PREDECESSOR_PACKAGE}\` is not on the npm registry (\`npm view\` answers E404), so it cannot be installed as published` };
  }
}
