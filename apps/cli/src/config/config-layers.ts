// adapterConfig for a CLI run, from three layers (later wins): a JSON file, `--set key=value` pairs, and
// the dedicated flags. Values stay as given: core's parseConfig accepts text for numbers, booleans, lists
// and JSON objects, and its errors name the adapterConfig key the user wrote.

import { err, ok, type Result } from "@clipjob/core";

export interface ConfigFlags {
  readonly cluster?: string;
  readonly scenario?: string;
  readonly namespace?: string;
  readonly image?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
}

export interface ConfigLayers {
  /** The parsed `--config` file, if one was given. */
  readonly file?: unknown;
  readonly sets: readonly string[];
  readonly flags: ConfigFlags;
}

export interface ConfigUsageError {
  readonly message: string;
}

/** The raw adapterConfig; the cluster defaults to the embedded simulation unless a kubeconfig is named. */
export function layerConfig(layers: ConfigLayers): Result<Record<string, unknown>, ConfigUsageError> {
  if (layers.file !== undefined && (typeof layers.file !== "object" || layers.file === null || Array.isArray(layers.file))) {
    return err({ message: "--config: the file must hold a JSON object (the adapterConfig)" });
  }
  const raw: Record<string, unknown> = { ...((layers.file as Record<string, unknown> | undefined) ?? {}) };
  for (const assignment of layers.sets) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) return err({ message: `--set ${JSON.stringify(assignment)}: expected key=value` });
    raw[assignment.slice(0, eq).trim()] = assignment.slice(eq + 1);
  }
  const { flags } = layers;
  const flagged: [string, string | undefined][] = [
    ["cluster", flags.cluster],
    ["simulatedScenario", flags.scenario],
    ["namespace", flags.namespace],
    ["image", flags.image],
    ["kubeconfig", flags.kubeconfig],
    ["kubeContext", flags.context],
  ];
  for (const [key, value] of flagged) if (value !== undefined) raw[key] = value;
  if (isUnset(raw["cluster"])) raw["cluster"] = isUnset(raw["kubeconfig"]) && isUnset(raw["kubeContext"]) ? "simulated" : "kubernetes";
  return ok(raw);
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}
