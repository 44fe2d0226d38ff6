// What Paperclip stores between runs. Reads camelCase and the snake_case (and older `workdir`/`folder`)
// spellings the predecessor accepted, trims every value and drops empty ones; writes camelCase only.

import type { SessionParams } from "./session-params.js";

type Field = Exclude<keyof SessionParams, "sessionId">;

const ALIASES: Readonly<Record<keyof SessionParams, readonly string[]>> = {
  sessionId: ["sessionId", "session_id"],
  cwd: ["cwd", "workdir", "folder"],
  workspaceId: ["workspaceId", "workspace_id"],
  repoUrl: ["repoUrl", "repo_url"],
  repoRef: ["repoRef", "repo_ref"],
  promptBundleKey: ["promptBundleKey", "prompt_bundle_key"],
  lastJobName: ["lastJobName", "last_job_name"],
};

const OPTIONAL_FIELDS: readonly Field[] = ["cwd", "workspaceId", "repoUrl", "repoRef", "promptBundleKey", "lastJobName"];

export interface SessionCodec {
  deserialize(raw: unknown): SessionParams | null;
  serialize(params: unknown): Record<string, unknown> | null;
  getDisplayId(params: unknown): string | null;
}

function isRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw);
}

/** The first alias holding non-blank text, trimmed. */
function read(raw: Record<string, unknown>, field: keyof SessionParams): string | undefined {
  for (const key of ALIASES[field]) {
    const value = raw[key];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return undefined;
}

function normalise(raw: unknown): SessionParams | null {
  if (!isRecord(raw)) return null;
  const sessionId = read(raw, "sessionId");
  if (sessionId === undefined) return null;
  const params: { -readonly [K in keyof SessionParams]: SessionParams[K] } = { sessionId };
  for (const field of OPTIONAL_FIELDS) {
    const value = read(raw, field);
    if (value !== undefined) params[field] = value;
  }
  return params;
}

export const sessionCodec: SessionCodec = {
  deserialize: normalise,
  serialize: (params) => {
    const normalised = normalise(params);
    return normalised === null ? null : { ...normalised };
  },
  getDisplayId: (params) => (isRecord(params) ? (read(params, "sessionId") ?? null) : null),
};
