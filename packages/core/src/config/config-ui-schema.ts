import type { ConfigFieldSchema } from "./config-field.js";
import { CONFIG_FIELDS } from "./config-schema.js";

/**
 * The form Paperclip renders for this adapter (`getConfigSchema`). Fields Paperclip 2026.916.1's own agent
 * form already renders for an external adapter (Model, Thinking effort, Command, Extra args, Environment
 * variables, Instructions) are left out, as are advanced ones that are documented only. That form ignores
 * `group` and places a field by its key (timeouts and grace in Run Policy, the rest in Configuration), so
 * the order here groups them, and `meta.visibleWhen` hides Kubernetes-only fields while Cluster is Simulated.
 */
export function configUiSchema(): { fields: ConfigFieldSchema[] } {
  const fields: ConfigFieldSchema[] = [];
  // The mode switch first: everything below depends on it.
  const ordered = [...CONFIG_FIELDS.filter((f) => FIRST.includes(f.key)), ...CONFIG_FIELDS.filter((f) => !FIRST.includes(f.key))];
  for (const field of ordered) {
    if (field.ui.kind !== "form") continue;
    const shownDefault = uiDefault(field.default);
    fields.push({
      key: field.key,
      label: field.label,
      type: field.ui.type,
      ...(field.ui.options ? { options: field.ui.options } : {}),
      ...(shownDefault === undefined ? {} : { default: shownDefault }),
      hint: field.hint ?? field.description,
      group: field.group,
      ...(field.ui.visibleWhen ? { meta: { visibleWhen: field.ui.visibleWhen } } : {}),
    });
  }
  return { fields };
}

const FIRST: readonly string[] = ["cluster", "simulatedScenario"];

/** Form widgets hold scalars; empty maps and lists are shown as an empty field rather than "{}". */
function uiDefault(value: unknown): string | number | boolean | undefined {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined;
}
