// The skills snapshot Paperclip shows for a claude_k8s agent, built with adapter-utils'
// own helpers: the company's runtime skills with the agent's desired set (the operational Paperclip skill is
// always kept, as in Paperclip's own Claude adapter), plus skills installed by hand on the shared volume.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { AdapterSkillContext, AdapterSkillSnapshot } from "@paperclipai/adapter-utils";
import {
  buildRuntimeMountedSkillSnapshot,
  readInstalledSkillTargets,
  readPaperclipRuntimeSkillEntries,
  resolveLegacyPaperclipDesiredSkillNames,
} from "@paperclipai/adapter-utils/server-utils";
import { AGENT_HOME } from "@clipjob/core";
import { ADAPTER_TYPE } from "../execute/invocation-meta.js";
import type { BundleDelivery } from "../prompt-bundle/bundle-delivery.js";

/** Where Claude in an agent pod looks for user-installed skills: HOME is the shared volume. */
export const SHARED_SKILLS_HOME = `${AGENT_HOME}/.claude/skills`;

export interface SkillSources {
  /** Directory bundled skills are discovered from when the config names none (adapter-utils' convention). */
  readonly moduleDir: string;
  readonly skillsHome: string;
}

export const DEFAULT_SKILL_SOURCES: SkillSources = {
  moduleDir: dirname(fileURLToPath(import.meta.url)),
  skillsHome: SHARED_SKILLS_HOME,
};

/** What a selected skill's entry says, depending on whether this agent's runs get a prompt bundle. */
export function configuredSkillDetail(delivery: BundleDelivery): string {
  return delivery.deliver
    ? "Materialized into the PVC-backed prompt bundle before each Job run."
    : `Selected for this agent, but its Job runs do not get it (${delivery.note}).`;
}

export async function skillSnapshot(
  ctx: AdapterSkillContext,
  desired: readonly string[] | null,
  delivery: BundleDelivery,
  sources: SkillSources = DEFAULT_SKILL_SOURCES,
): Promise<AdapterSkillSnapshot> {
  // A sync answers with the set it was asked for; the operational skill stays in either way.
  const config = desired ? { ...ctx.config, paperclipSkillSync: { desiredSkills: [...desired] } } : (ctx.config ?? {});
  const available = await readPaperclipRuntimeSkillEntries(config, sources.moduleDir);
  const desiredSkills = resolveLegacyPaperclipDesiredSkillNames(config, available);
  const installed = await readInstalledSkillTargets(sources.skillsHome);
  const runtimeNames = new Set(available.map((entry) => entry.runtimeName));
  const external = new Map([...installed].filter(([name]) => !runtimeNames.has(name)));
  return buildRuntimeMountedSkillSnapshot({
    adapterType: ADAPTER_TYPE,
    availableEntries: available,
    desiredSkills,
    // "ephemeral" is shown as "Applied on next run": true only when runs get the prompt bundle. Otherwise
    // Paperclip's "Tracked only" ("unsupported") is what happens: the selection is kept, nothing reaches Claude.
    mode: delivery.deliver ? "ephemeral" : "unsupported",
    // Selection stays possible (a volume may be set up later); each selected entry says why it is not applied.
    supported: true,
    configuredDetail: configuredSkillDetail(delivery),
    unsupportedDetail: configuredSkillDetail(delivery),
    externalInstalled: external,
    externalLocationLabel: "~/.claude/skills",
    externalDetail: "Installed by hand on the shared /paperclip volume; every agent pod sees it.",
    skillsHome: sources.skillsHome,
  });
}
