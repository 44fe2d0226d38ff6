import type { ClipjobConfig } from "./clipjob-config.js";
import type { FieldResult } from "./field-parsers.js";

/** One field of Paperclip's agent form, as `getConfigSchema` serves it. */
export interface ConfigFieldSchema {
  readonly key: string;
  readonly label: string;
  readonly type: "text" | "select" | "toggle" | "number" | "textarea" | "combobox";
  readonly options?: readonly { readonly label: string; readonly value: string; readonly group?: string }[];
  readonly default?: unknown;
  readonly hint?: string;
  readonly group?: string;
  readonly meta?: { readonly visibleWhen?: { readonly key: string; readonly values: readonly string[] } };
}

export type ConfigGroup = "Claude" | "Kubernetes" | "Lifecycle";

/**
 * How a field appears in Paperclip's form: rendered by this adapter's schema (`form`), rendered by the
 * platform's own agent form (`platform`), or not in any form (`none`: advanced, documented only).
 */
export type FieldUi =
  | {
      readonly kind: "form";
      readonly type: ConfigFieldSchema["type"];
      readonly options?: ConfigFieldSchema["options"];
      readonly visibleWhen?: { readonly key: string; readonly values: readonly string[] };
    }
  | {
      readonly kind: "platform";
      /** The label Paperclip 2026.916.1's own agent form shows for it. */
      readonly label: string;
    }
  | { readonly kind: "none" };

export type ConfigDraft = { -readonly [K in keyof ClipjobConfig]: ClipjobConfig[K] };

/**
 * One adapterConfig key: its parser, where its value lands in `ClipjobConfig`, its default and the words
 * the UI and the docs show. `CONFIG_FIELDS` is the single source for all four.
 */
export interface ConfigField {
  readonly key: string;
  /** Legacy spellings still accepted; the key itself wins when both are present. */
  readonly aliases: readonly string[];
  /** The accepted forms, for the reference docs. */
  readonly type: string;
  readonly default: unknown;
  /** How the docs show the default when the parsed value is not what a user would write. */
  readonly docDefault?: string;
  readonly label: string;
  /** Markdown for the reference docs; may name keys. */
  readonly description: string;
  /** Plain text under the field in the form (`form` fields only): no markup, names only what the form shows. */
  readonly hint?: string;
  readonly group: ConfigGroup;
  readonly ui: FieldUi;
  readonly parse: (raw: unknown) => FieldResult<unknown>;
  readonly apply: (draft: ConfigDraft, value: unknown) => void;
}

export interface FieldSpec<T> {
  readonly key: string;
  readonly aliases?: readonly string[];
  readonly type: string;
  readonly default: T;
  readonly docDefault?: string;
  readonly label: string;
  readonly description: string;
  readonly hint?: string;
  readonly group: ConfigGroup;
  readonly ui: FieldUi;
  readonly parse: (raw: unknown) => FieldResult<T>;
  readonly apply: (draft: ConfigDraft, value: T) => void;
}

/** Ties a parser's output type to the setter that stores it; the table itself is heterogeneous. */
export function defineField<T>(spec: FieldSpec<T>): ConfigField {
  return { ...spec, aliases: spec.aliases ?? [], apply: spec.apply as (draft: ConfigDraft, value: unknown) => void };
}

export function setTo<K extends keyof ConfigDraft>(key: K): (draft: ConfigDraft, value: ConfigDraft[K]) => void {
  return (draft, value) => {
    draft[key] = value;
  };
}
