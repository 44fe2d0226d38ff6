// Who bills the run and how, as Paperclip's own Claude adapter reports it: Bedrock is metered by AWS; an API
// key the agent can use is metered by Anthropic; otherwise the agent runs on a Claude subscription.
import type { AdapterBillingType } from "@paperclipai/adapter-utils";
import { isRecord, nonBlank } from "./run-request-from-context.js";

export interface Billing {
  readonly biller: "anthropic" | "aws_bedrock";
  readonly billingType: AdapterBillingType;
}

export function usesBedrock(env: Readonly<Record<string, unknown>>): boolean {
  const flag = nonBlank(env["CLAUDE_CODE_USE_BEDROCK"])?.toLowerCase();
  return flag === "1" || flag === "true" || nonBlank(env["ANTHROPIC_BEDROCK_BASE_URL"]) !== null;
}

/**
 * `configEnv` is adapterConfig.env (any accepted form); `hostEnv` the adapter process's env, which agent pods
 * inherit Anthropic and Bedrock settings from.
 */
export function billingOf(configEnv: unknown, hostEnv: Readonly<Record<string, string | undefined>>): Billing {
  const configured = isRecord(configEnv) ? configEnv : {};
  const literal = Object.fromEntries(Object.entries(configured).map(([k, v]) => [k, isRecord(v) ? v["value"] : v]));
  if (usesBedrock({ ...hostEnv, ...literal })) return { biller: "aws_bedrock", billingType: "metered_api" };
  const hasApiKey = Object.hasOwn(configured, "ANTHROPIC_API_KEY") || nonBlank(hostEnv["ANTHROPIC_API_KEY"]) !== null;
  return { biller: "anthropic", billingType: hasApiKey ? "api" : "subscription" };
}
