// The models the agent form offers: Anthropic's ids directly, or Bedrock's inference-profile ids when the
// host is set up for Bedrock (predecessor §6.3). The env is read when asked, so a host reconfigured for
// Bedrock lists Bedrock ids without a restart.
import type { AdapterModel } from "@paperclipai/adapter-utils";
import { usesBedrock } from "../execute/billing.js";

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

export function modelsFor(env: Readonly<Record<string, string | undefined>>): AdapterModel[] {
  return (usesBedrock(env) ? BEDROCK_MODELS : DIRECT_MODELS).map((m) => ({ ...m }));
}
