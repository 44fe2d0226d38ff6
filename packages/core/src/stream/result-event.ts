import { capJsonStrings, capText } from "./capped-json.js";
import type { ResultEvent } from "./transcript-summary.js";

export interface ResultCaps {
  readonly maxTextChars: number;
  readonly maxJsonChars: number;
}

export function resultEventFrom(event: Readonly<Record<string, unknown>>, caps: ResultCaps): ResultEvent {
  const errors = Array.isArray(event["errors"]) ? event["errors"] : [];
  return {
    subtype: typeof event["subtype"] === "string" ? event["subtype"] : null,
    isError: event["is_error"] === true,
    text: typeof event["result"] === "string" ? capText(event["result"], caps.maxTextChars) : null,
    errors: errors.map(errorText).filter((e) => e !== "").map((e) => capText(e, caps.maxJsonChars)),
    stopReason: typeof event["stop_reason"] === "string" ? event["stop_reason"] : null,
    terminalReason: typeof event["terminal_reason"] === "string" ? event["terminal_reason"] : null,
    apiErrorStatus: finiteOrNull(event["api_error_status"]),
    apiErrorType: typeof event["api_error_type"] === "string" ? event["api_error_type"] : null,
    apiError: typeof event["api_error"] === "string" ? event["api_error"] : null,
    numTurns: typeof event["num_turns"] === "number" && Number.isFinite(event["num_turns"]) ? event["num_turns"] : null,
    sessionId: typeof event["session_id"] === "string" && event["session_id"] !== "" ? event["session_id"] : null,
    json: capJsonStrings(event, caps.maxJsonChars) as Record<string, unknown>,
  };
}

/** An `errors[]` entry as text: the string, else its message / error / code, else its JSON. */
function errorText(entry: unknown): string {
  if (typeof entry === "string") return entry.trim();
  if (entry !== null && typeof entry === "object") {
    const fields = entry as Record<string, unknown>;
    for (const key of ["message", "error", "code"]) {
      const value = fields[key];
      if (typeof value === "string" && value.trim() !== "") return value.trim();
    }
  }
  return entry === undefined ? "" : (JSON.stringify(entry) ?? "");
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
