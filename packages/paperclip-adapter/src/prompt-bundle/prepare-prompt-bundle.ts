// The content-addressed prompt bundle: the agent's skills as symlinks under
// `.claude/skills/` and its instructions as `agent-instructions.md`, in a directory named by a SHA-256 of
// everything in it. Equal inputs share one directory across runs and agents; changed inputs get a new one,
// so a running Job never sees its bundle change. Writes are atomic (temp + rename), so concurrent runs of
// the same company can race to create the same bundle and both end up with a complete one.
import { createHash } from "node:crypto";
import { access, mkdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { PromptBundleRef } from "@clipjob/core";
import { ok, type Result } from "@clipjob/core";
import {
  ensurePaperclipSkillSymlink,
  readPaperclipRuntimeSkillEntries,
  resolveLegacyPaperclipDesiredSkillNames,
  type PaperclipSkillEntry,
} from "@paperclipai/adapter-utils/server-utils";
import { checkPathSegment, type PathSegmentError } from "./path-segment.js";
import { hashSkillTree } from "./skill-tree-hash.js";

const KEY_HEADER = "paperclip-claude-prompt-bundle:v1";
export const BUNDLE_INSTRUCTIONS_FILE = "agent-instructions.md";

export interface BundleInput {
  /** Paperclip's instance root on the shared volume (see bundleDelivery). */
  readonly instanceRoot: string;
  readonly companyId: string;
  /** adapterConfig: the runtime skills and the agent's skill selection. */
  readonly config: Record<string, unknown>;
  /** Read on the server; null when the agent has none. */
  readonly instructionsFilePath: string | null;
  /** Where adapter-utils discovers bundled skills when the config names none. */
  readonly moduleDir: string;
}

export interface PreparedBundle {
  readonly key: string;
  readonly ref: PromptBundleRef;
  /** runtimeNames of the skills linked into the bundle. */
  readonly skills: readonly string[];
  /** The configured instructions file could not be read on the server (so the pod cannot rely on it either). */
  readonly instructionsUnreadable: boolean;
  /** Parts left out (unreadable instructions, a skill that could not be linked); the rest still applies. */
  readonly warnings: readonly string[];
}

export interface BundleWriteError {
  readonly code: "prompt_bundle_write_failed";
  readonly message: string;
}

export type PromptBundleError = PathSegmentError | BundleWriteError;

export async function preparePromptBundle(input: BundleInput): Promise<Result<PreparedBundle, PromptBundleError>> {
  const company = checkPathSegment("companyId", input.companyId);
  if (!company.ok) return company;
  const warnings: string[] = [];

  const instructions = await readInstructions(input.instructionsFilePath, warnings);
  const skills = await selectedSkills(input.config, input.moduleDir, warnings);
  const key = await bundleKey(instructions, skills);
  const rootDir = join(input.instanceRoot, "companies", input.companyId, "claude-prompt-cache", key);
  const skillsDir = join(rootDir, ".claude", "skills");
  try {
    await mkdir(skillsDir, { recursive: true });
  } catch (error) {
    return { ok: false, error: { code: "prompt_bundle_write_failed", message: `Cannot create the prompt bundle ${rootDir}: ${describe(error)}` } };
  }

  const linked: string[] = [];
  for (const skill of skills) {
    try {
      await ensurePaperclipSkillSymlink(skill.source, join(skillsDir, skill.runtimeName), atomicSymlink);
      linked.push(skill.runtimeName);
    } catch (error) {
      warnings.push(`skill ${skill.key} not linked into the prompt bundle: ${describe(error)}`);
    }
  }

  let instructionsFilePath: string | null = null;
  if (instructions !== null) {
    const target = join(rootDir, BUNDLE_INSTRUCTIONS_FILE);
    try {
      await writeOnce(target, instructions);
      instructionsFilePath = target;
    } catch (error) {
      warnings.push(`instructions not written to the prompt bundle: ${describe(error)}`);
    }
  }
  const instructionsUnreadable = input.instructionsFilePath !== null && instructions === null;
  return ok({ key, ref: { rootDir, instructionsFilePath }, skills: linked, instructionsUnreadable, warnings });
}

async function readInstructions(path: string | null, warnings: string[]): Promise<string | null> {
  if (path === null) return null;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    warnings.push(`instructions file ${path} could not be read, so this run has no agent instructions: ${describe(error)}`);
    return null;
  }
  // Claude reads the bundle's copy, so relative references in it would otherwise resolve from the bundle.
  const dir = dirname(path);
  return [
    text.trimEnd(),
    "",
    `These instructions were loaded from ${path}. Resolve relative file references in them from ${dir}/; ` +
      `sibling files such as ./HEARTBEAT.md, ./SOUL.md and ./TOOLS.md live there too.`,
    "",
  ].join("\n");
}

async function selectedSkills(config: Record<string, unknown>, moduleDir: string, warnings: string[]): Promise<PaperclipSkillEntry[]> {
  const available = await readPaperclipRuntimeSkillEntries(config, moduleDir);
  const desired = new Set(resolveLegacyPaperclipDesiredSkillNames(config, available));
  const selected: PaperclipSkillEntry[] = [];
  for (const entry of available) {
    if (!desired.has(entry.key) || entry.sourceStatus === "missing") continue;
    const name = checkPathSegment("skill runtimeName", entry.runtimeName);
    if (!name.ok) warnings.push(`skill ${entry.key} skipped: ${name.error.message}`);
    else selected.push(entry);
  }
  return selected.sort((a, b) => (a.runtimeName < b.runtimeName ? -1 : a.runtimeName > b.runtimeName ? 1 : 0));
}

async function bundleKey(instructions: string | null, skills: readonly PaperclipSkillEntry[]): Promise<string> {
  const hash = createHash("sha256");
  const part = (text: string): void => {
    hash.update(text);
    hash.update("\u0000");
  };
  part(KEY_HEADER);
  part(instructions === null ? "instructions:none" : `instructions:${instructions}`);
  for (const skill of skills) {
    part(`skill:${skill.key}:${skill.runtimeName}`);
    part(await hashSkillTree(skill.source));
  }
  return hash.digest("hex");
}

function tempPath(target: string): string {
  return `${target}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/** rename() replaces an existing link atomically, so a concurrent creator never makes this fail. */
async function atomicSymlink(source: string, target: string): Promise<void> {
  const temp = tempPath(target);
  try {
    await symlink(source, temp);
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
}

/** The bundle is content-addressed: an existing file already holds these bytes. */
async function writeOnce(target: string, content: string): Promise<void> {
  if (await access(target).then(() => true, () => false)) return;
  const temp = tempPath(target);
  try {
    await writeFile(temp, content, "utf8");
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
