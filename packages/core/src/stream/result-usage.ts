import type { TokenUsage } from "./transcript-summary.js";

/** This run's usage and cost as a result event reports them (see TranscriptSummary.usage and costUsd). */
export function runUsageFromResult(result: Readonly<Record<string, unknown>>): { usage: TokenUsage | null; costUsd: number | null } {
  const since = objectOrNull(result["model_usage_since_last_result"]);
  if (since) {
    // Per model, camelCase, every model this run used (sub-agents included). `{}`: this run used none.
    let input = 0;
    let cached = 0;
    let output = 0;
    let creation = 0;
    let cost = 0;
    for (const m of Object.values(since).map(objectOrNull)) {
      if (!m) continue;
      const modelCreation = count(m["cacheCreationInputTokens"]);
      input += count(m["inputTokens"]) + modelCreation;
      cached += count(m["cacheReadInputTokens"]);
      output += count(m["outputTokens"]);
      creation += modelCreation;
      cost += count(m["costUSD"]);
    }
    return { usage: { inputTokens: input, cachedInputTokens: cached, outputTokens: output, cacheCreationInputTokens: creation }, costUsd: cost };
  }
  return { usage: usageFromSnakeCase(result["usage"]), costUsd: null };
}

/**
 * The result's `modelUsage` summed over models: every model, sub-agents included, but for the whole session
 * on `--resume` (the CLI restores it from the session files). Null when absent or empty.
 */
export function sessionUsageFromResult(result: Readonly<Record<string, unknown>>): TokenUsage | null {
  const perModel = objectOrNull(result["modelUsage"]);
  const models = perModel ? Object.values(perModel).map(objectOrNull).filter((m) => m !== null) : [];
  if (models.length === 0) return null;
  let input = 0;
  let cached = 0;
  let output = 0;
  let creation = 0;
  for (const m of models) {
    const modelCreation = count(m["cacheCreationInputTokens"]);
    input += count(m["inputTokens"]) + modelCreation;
    cached += count(m["cacheReadInputTokens"]);
    output += count(m["outputTokens"]);
    creation += modelCreation;
  }
  return { inputTokens: input, cachedInputTokens: cached, outputTokens: output, cacheCreationInputTokens: creation };
}

/**
 * Usage in the Messages API's snake_case shape (a result's or an assistant message's `usage`). Cache-creation
 * tokens are billed as input, so they are counted in `inputTokens`.
 */
export function usageFromSnakeCase(value: unknown): TokenUsage | null {
  const usage = objectOrNull(value);
  if (!usage) return null;
  const creation = count(usage["cache_creation_input_tokens"]);
  return {
    inputTokens: count(usage["input_tokens"]) + creation,
    cachedInputTokens: count(usage["cache_read_input_tokens"]),
    outputTokens: count(usage["output_tokens"]),
    cacheCreationInputTokens: creation,
  };
}

/** Token counts are non-negative finite numbers; anything else (hostile or missing) counts as 0. */
function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

export function objectOrNull(value: unknown): Readonly<Record<string, unknown>> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
