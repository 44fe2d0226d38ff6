// Short constructors for the turns scenarios are written from.
import type { ErrorTurn, ReplyTurn, ScriptedBlock, SubscriptionLimit, TurnUsage } from "./scenario.js";

/** A reply with one text block. */
export function textReply(text: string, extra: Partial<Omit<ReplyTurn, "kind" | "content">> = {}): ReplyTurn {
  return { kind: "reply", content: [{ type: "text", text }], ...extra };
}

/** A reply asking the CLI to run one Bash command (stop reason `tool_use`). */
export function bashReply(command: string, extra: Partial<Omit<ReplyTurn, "kind" | "content">> = {}): ReplyTurn {
  return { kind: "reply", content: [{ type: "tool_use", name: "Bash", input: { command, description: "Run a command" } }], ...extra };
}

/** A reply of arbitrary blocks. */
export function reply(content: ScriptedBlock[], usage?: TurnUsage): ReplyTurn {
  return usage ? { kind: "reply", content, usage } : { kind: "reply", content };
}

/** An HTTP error in the Messages API's shape. */
export function apiError(status: number, message?: string, headers?: Record<string, string>): ErrorTurn {
  const t: ErrorTurn = { kind: "error", status };
  if (message !== undefined) t.message = message;
  if (headers) t.headers = headers;
  return t;
}

/** A 429 with the subscription-limit headers of an exhausted window. */
export function subscriptionLimitError(limit: SubscriptionLimit): ErrorTurn {
  return { kind: "error", status: 429, message: "This request would exceed your account's rate limit. Please try again later.", subscriptionLimit: limit };
}
