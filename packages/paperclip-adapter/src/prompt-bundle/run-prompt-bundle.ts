// The prompt bundle of one run (or the answer to "would runs get one?" for the skills snapshot): decide from
// the run's cluster and host pod, then prepare it. Never fails the run: without a bundle Claude still runs,
// only without the agent's skills, and the notes say why.
import { parseConfig, type ClipjobConfig, type HostFacts, type PromptBundleRef } from "@clipjob/core";
import type { AdapterRoot, RunScope } from "../composition/adapter-root.js";
import { bundleDelivery, type BundleDelivery, type PromptBundleHome } from "./bundle-delivery.js";
import { preparePromptBundle } from "./prepare-prompt-bundle.js";

export interface PromptBundleSources {
  readonly home: PromptBundleHome;
  /** Where adapter-utils discovers bundled skills when the config names none. */
  readonly moduleDir: string;
}

export async function deliveryForScope(scope: RunScope, config: Pick<ClipjobConfig, "namespace">, home: PromptBundleHome): Promise<BundleDelivery> {
  const simulated = scope.simulation !== null;
  const host = simulated ? null : await describeHost(scope);
  return bundleDelivery({ simulated, host, configNamespace: config.namespace, home });
}

export interface RunBundle {
  readonly ref: PromptBundleRef | null;
  readonly key: string | null;
  /** For the run's invocation meta. */
  readonly notes: readonly string[];
  /** For the run log: something the operator should fix. */
  readonly warnings: readonly string[];
  /** The instructions file is unreadable: Claude must not be pointed at it (it would refuse to start). */
  readonly dropInstructions: boolean;
}

export interface RunBundleInput {
  readonly scope: RunScope;
  readonly config: Pick<ClipjobConfig, "namespace" | "instructionsFilePath">;
  readonly rawConfig: Record<string, unknown>;
  readonly companyId: string;
  readonly sources: PromptBundleSources;
}

export async function promptBundleForRun({ scope, config, rawConfig, companyId, sources }: RunBundleInput): Promise<RunBundle> {
  const delivery = await deliveryForScope(scope, config, sources.home);
  if (!delivery.deliver) return { ref: null, key: null, notes: [delivery.note], warnings: [], dropInstructions: false };
  const prepared = await preparePromptBundle({
    instanceRoot: delivery.instanceRoot,
    companyId,
    config: rawConfig,
    instructionsFilePath: config.instructionsFilePath,
    moduleDir: sources.moduleDir,
  });
  if (!prepared.ok) {
    const warning = `skills not delivered: ${prepared.error.code}: ${prepared.error.message}`;
    return { ref: null, key: null, notes: [warning], warnings: [warning], dropInstructions: false };
  }
  const { key, ref, skills, warnings, instructionsUnreadable } = prepared.value;
  const notes = [`prompt bundle: ${ref.rootDir}`, `skills delivered (${skills.length}): ${skills.length > 0 ? skills.join(", ") : "none"}`, ...warnings];
  return { ref, key, notes, warnings, dropInstructions: instructionsUnreadable };
}

/** Introspection failing is core's to report (it warns and inherits nothing); here it only means no volume. */
async function describeHost(scope: RunScope): Promise<HostFacts | null> {
  try {
    return await scope.ports.host.describeHost();
  } catch {
    return null;
  }
}

/**
 * Would runs with this adapterConfig get a bundle? For the skills snapshot, which has no run. Only the
 * fields that choose the cluster are read, so an unrelated config problem does not hide the answer.
 */
export async function deliveryForConfig(root: AdapterRoot, rawConfig: Record<string, unknown>, home: PromptBundleHome): Promise<BundleDelivery> {
  const target = Object.fromEntries(TARGET_FIELDS.filter((field) => field in rawConfig).map((field) => [field, rawConfig[field]]));
  const parsed = parseConfig(target);
  if (!parsed.ok) return { deliver: false, note: `skills not delivered: ${parsed.error.message}` };
  const opened = await root.openScope(parsed.value);
  if (!opened.ok) return { deliver: false, note: `skills not delivered: ${opened.error.message}` };
  return deliveryForScope(opened.value, parsed.value, home);
}

const TARGET_FIELDS = ["cluster", "kubeconfig", "kubeContext", "namespace"] as const;
