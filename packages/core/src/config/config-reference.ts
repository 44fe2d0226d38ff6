import { CONFIG_FIELDS } from "./config-schema.js";

/** A markdown table of every adapterConfig key, for the READMEs. */
export function configReferenceMarkdown(): string {
  const rows = CONFIG_FIELDS.map((f) => {
    const aliases = f.aliases.length > 0 ? ` Also accepted as ${f.aliases.map((a) => `\`${a}\``).join(", ")}.` : "";
    const where = f.ui.kind === "platform" ? ` Paperclip's agent form: ${f.ui.label}.` : f.ui.kind === "none" ? " Not in the form: set it through the API." : "";
    return `| \`${f.key}\` | ${cell(f.type)} | ${cell(f.docDefault ?? formatDefault(f.default))} | ${cell(f.description + aliases + where)} |`;
  });
  return ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |", ...rows].join("\n") + "\n";
}

function formatDefault(value: unknown): string {
  if (value === null || value === undefined) return "unset";
  if (typeof value === "string") return value === "" ? '`""`' : `\`${value}\``;
  return `\`${JSON.stringify(value)}\``;
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
