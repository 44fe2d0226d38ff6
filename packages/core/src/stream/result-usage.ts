import type { TokenUsage } from "./transcript-summary.js";

/**
 * Token usage of a result event. `modelUsage` (per model, camelCase) covers every model the run used,
 * sub-agents included, so it wins when present; `usage` (snake_case) is the main model's only.
 * Cache-creation tokens are billed as input, so they are counted in `inputTokens`.
 */
export function usageFromResult(result: Readonly<Record<string, unknown>>): TokenUsage | null {
  const perModel = objectOrNull(result["modelUsage"]);
  const models = perModel ? Object.values(perModel).map(objectOrNull).filter((m) => m !== null) : [];
  if (models.length > 0) {
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
  const usage = objectOrNull(result["usage"]);
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
