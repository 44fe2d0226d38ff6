// The models the agent form offers. On a Paperclip server the list is claude_local's own catalogue (its
// static list, Anthropic's /v1/models when an API key is set, Bedrock ids on Bedrock hosts), taken from the
// `@paperclipai/adapter-claude-local` package the server itself runs, through that package's published
// exports: the same list on the same server, and new models arrive with a Paperclip upgrade. Off a Paperclip
// server (tests, the CLI) the plugin's own short list is the fallback. The env is read when asked, so a
// host reconfigured for Bedrock lists Bedrock ids without a restart.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { AdapterModel } from "@paperclipai/adapter-utils";
import { usesBedrock } from "../execute/result-from-outcome.js";

export const DIRECT_MODELS: readonly AdapterModel[] = [
  { id: "claude-opus-4-7", label: "Claude Opus 4.7" },
  { id: "claude-opus-4-6", label: "Claude Opus 4.6" },
  { id: "claude-sonnet-4-6", label: "Claude Sonnet 4.6" },
  { id: "claude-haiku-4-6", label: "Claude Haiku 4.6" },
  { id: "claude-sonnet-4-5-20250929", label: "Claude Sonnet 4.5" },
  { id: "claude-haiku-4-5-20251001", label: "Claude Haiku 4.5" },
];

export const BEDROCK_MODELS: readonly AdapterModel[] = [
  { id: "us.anthropic.claude-opus-4-7", label: "Bedrock Opus 4.7" },
  { id: "us.anthropic.claude-opus-4-6-v1", label: "Bedrock Opus 4.6" },
  { id: "us.anthropic.claude-sonnet-4-6", label: "Bedrock Sonnet 4.6" },
  { id: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", label: "Bedrock Sonnet 4.5" },
  { id: "us.anthropic.claude-haiku-4-5-20251001-v1:0", label: "Bedrock Haiku 4.5" },
];

/** The fallback list, off a Paperclip server. */
export function modelsFor(env: Readonly<Record<string, string | undefined>>): AdapterModel[] {
  return (usesBedrock(env) ? BEDROCK_MODELS : DIRECT_MODELS).map((m) => ({ ...m }));
}

/** claude_local's model catalogue, as its package exports it. */
export interface ClaudeModelCatalogue {
  /** The package directory it was loaded from. */
  readonly packageDir: string;
  /** Its static list (`models` of the package root). */
  readonly models: readonly AdapterModel[];
  /** `listClaudeModels` of `./server`: discovery with a 60 s cache, or the static list. */
  list(): Promise<AdapterModel[]>;
  /** `refreshClaudeModels` of `./server`: discovery past the cache. */
  refresh(): Promise<AdapterModel[]>;
}

export const CLAUDE_LOCAL_PACKAGE = "@paperclipai/adapter-claude-local";

/**
 * Finds the claude_local package of the Paperclip server this process runs, the way Node resolves it for
 * the server: the `node_modules` directories above the server's entry script (`process.argv[1]`, symlinks
 * resolved). Loads it through its `exports` (import condition); the server has already loaded the same
 * files, so nothing new is evaluated. Null when there is none (not inside Paperclip) or it does not have the
 * expected exports.
 */
export async function hostClaudeCatalogue(entryScript: string | undefined): Promise<ClaudeModelCatalogue | null> {
  const packageDir = findPackageAbove(entryScript, CLAUDE_LOCAL_PACKAGE);
  if (packageDir === null) return null;
  try {
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { exports?: Record<string, unknown> };
    const root = exportTarget(manifest.exports, ".");
    const server = exportTarget(manifest.exports, "./server");
    if (root === null || server === null) return null;
    const [rootModule, serverModule] = (await Promise.all([import(pathToFileURL(join(packageDir, root)).href), import(pathToFileURL(join(packageDir, server)).href)])) as [
      { models?: unknown },
      { listClaudeModels?: unknown; refreshClaudeModels?: unknown },
    ];
    const { models } = rootModule;
    const { listClaudeModels, refreshClaudeModels } = serverModule;
    if (!Array.isArray(models) || typeof listClaudeModels !== "function" || typeof refreshClaudeModels !== "function") return null;
    return {
      packageDir,
      models: models as AdapterModel[],
      list: () => (listClaudeModels as () => Promise<AdapterModel[]>)(),
      refresh: () => (refreshClaudeModels as () => Promise<AdapterModel[]>)(),
    };
  } catch {
    return null;
  }
}

function findPackageAbove(entryScript: string | undefined, name: string): string | null {
  if (!entryScript || !existsSync(entryScript)) return null;
  let dir = dirname(realpathSync(entryScript));
  for (;;) {
    const candidate = join(dir, "node_modules", ...name.split("/"));
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The file an `exports` entry maps to for `import`: a string, or `{ import }` / `{ default }`. */
function exportTarget(exportsField: Record<string, unknown> | undefined, subpath: string): string | null {
  const entry = exportsField?.[subpath];
  if (typeof entry === "string") return entry;
  if (entry && typeof entry === "object") {
    const e = entry as Record<string, unknown>;
    const target = e["import"] ?? e["default"];
    if (typeof target === "string") return target;
  }
  return null;
}
