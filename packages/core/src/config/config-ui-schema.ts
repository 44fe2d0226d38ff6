import type { ConfigFieldSchema } from "./config-field.js";
import { CONFIG_FIELDS } from "./config-schema.js";

/**
 * The form Paperclip renders for this adapter (`getConfigSchema`). Fields the platform's own agent form
 * already renders (model, effort, instructions, timeouts, prompts, cwd, env, extra args) are left out,
 * as are advanced ones that are documented only.
 */
export function configUiSchema(): { fields: ConfigFieldSchema[] } {
  const fields: ConfigFieldSchema[] = [];
  for (const field of CONFIG_FIELDS) {
    if (field.ui.kind !== "form") continue;
    const shownDefault = uiDefault(field.default);
    fields.push({
      key: field.key,
      label: field.label,
      type: field.ui.type,
      ...(field.ui.options ? { options: field.ui.options } : {}),
      ...(shownDefault === undefined ? {} : { default: shownDefault }),
      hint: field.description,
      group: field.group,
      ...(field.ui.visibleWhen ? { meta: { visibleWhen: field.ui.visibleWhen } } : {}),
    });
  }
  return { fields };
}

/** Form widgets hold scalars; empty maps and lists are shown as an empty field rather than "{}". */
function uiDefault(value: unknown): string | number | boolean | undefined {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined;
}
