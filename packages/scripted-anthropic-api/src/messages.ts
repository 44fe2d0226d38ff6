// Renders a scripted turn as the Messages API does: a Message object (non-streaming) or the SSE event
// sequence (message_start, content_block_start/delta/stop per block, message_delta, message_stop).
import type { ErrorTurn, ReplyTurn, TurnUsage } from "./scenario.js";

export interface RenderedUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Ids are per server, sequential, so recorded transcripts differ only where the CLI differs. */
export class IdSource {
  private n = 0;
  next(prefix: string): string {
    this.n += 1;
    return `${prefix}_scripted${String(this.n).padStart(6, "0")}`;
  }
}

function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

function contentChars(turn: ReplyTurn): number {
  let n = 0;
  for (const b of turn.content) {
    if (b.type === "text") n += b.text.length;
    else if (b.type === "thinking") n += b.thinking.length;
    else n += JSON.stringify(b.input).length + b.name.length;
  }
  return n;
}

export function usageFor(turn: ReplyTurn, requestBody: Record<string, unknown>): RenderedUsage {
  const u: TurnUsage = turn.usage ?? {};
  const requestChars = JSON.stringify(requestBody.messages ?? "").length + JSON.stringify(requestBody.system ?? "").length;
  return {
    input_tokens: u.input_tokens ?? estimateTokens(requestChars),
    output_tokens: u.output_tokens ?? estimateTokens(contentChars(turn)),
    cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
  };
}

function stopReasonOf(turn: ReplyTurn): string {
  return turn.stopReason ?? (turn.content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn");
}

function resolvedContent(turn: ReplyTurn, ids: IdSource): Array<Record<string, unknown>> {
  return turn.content.map((b) => {
    if (b.type === "text") return { type: "text", text: b.text };
    if (b.type === "thinking") return { type: "thinking", thinking: b.thinking, signature: b.signature ?? "c2NyaXB0ZWQ=" };
    return { type: "tool_use", id: b.id ?? ids.next("toolu"), name: b.name, input: b.input };
  });
}

/** The non-streaming Message object. */
export function messageObject(turn: ReplyTurn, requestBody: Record<string, unknown>, ids: IdSource): Record<string, unknown> {
  return {
    id: ids.next("msg"),
    type: "message",
    role: "assistant",
    model: turn.model ?? (typeof requestBody.model === "string" ? requestBody.model : "claude-scripted"),
    content: resolvedContent(turn, ids),
    stop_reason: stopReasonOf(turn),
    stop_sequence: null,
    usage: usageFor(turn, requestBody),
  };
}

function chunks(s: string, size: number): string[] {
  if (s.length === 0) return [""];
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/** The SSE event sequence of a streamed Message. */
export function sseEvents(turn: ReplyTurn, requestBody: Record<string, unknown>, ids: IdSource): SseEvent[] {
  const message = messageObject(turn, requestBody, ids);
  const usage = message.usage as RenderedUsage;
  const size = turn.chunkChars && turn.chunkChars > 0 ? turn.chunkChars : 256;
  const events: SseEvent[] = [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
      },
    },
    { event: "ping", data: { type: "ping" } },
  ];
  (message.content as Array<Record<string, unknown>>).forEach((block, index) => {
    if (block.type === "text") {
      events.push({ event: "content_block_start", data: { type: "content_block_start", index, content_block: { type: "text", text: "" } } });
      for (const piece of chunks(block.text as string, size)) {
        events.push({ event: "content_block_delta", data: { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } } });
      }
    } else if (block.type === "thinking") {
      events.push({ event: "content_block_start", data: { type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } } });
      for (const piece of chunks(block.thinking as string, size)) {
        events.push({ event: "content_block_delta", data: { type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: piece } } });
      }
      events.push({ event: "content_block_delta", data: { type: "content_block_delta", index, delta: { type: "signature_delta", signature: block.signature } } });
    } else {
      events.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } },
      });
      for (const piece of chunks(JSON.stringify(block.input), size)) {
        events.push({ event: "content_block_delta", data: { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } } });
      }
    }
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  events.push({
    event: "message_delta",
    data: { type: "message_delta", delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage },
  });
  events.push({ event: "message_stop", data: { type: "message_stop" } });
  return events;
}

export function encodeSse(e: SseEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

const DEFAULT_ERROR_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

export function errorBody(turn: ErrorTurn, requestId: string): unknown {
  if (turn.body !== undefined) return turn.body;
  const type = turn.errorType ?? DEFAULT_ERROR_TYPE[turn.status] ?? (turn.status >= 500 ? "api_error" : "invalid_request_error");
  return { type: "error", error: { type, message: turn.message ?? type.replace(/_/g, " ") }, request_id: requestId };
}

/** The headers of an error turn, subscription-limit headers rendered against `nowMs`. */
export function errorHeaders(turn: ErrorTurn, nowMs: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const s = turn.subscriptionLimit;
  if (s) {
    const reset = String(s.resetsAt ?? Math.floor(nowMs / 1000) + (s.resetsInSeconds ?? 3600));
    headers["anthropic-ratelimit-unified-status"] = "rejected";
    headers["anthropic-ratelimit-unified-reset"] = reset;
    headers["anthropic-ratelimit-unified-representative-claim"] = s.claim;
    headers["anthropic-ratelimit-unified-fallback-percentage"] = "0.5";
    headers["anthropic-ratelimit-unified-overage-status"] = "rejected";
    headers["anthropic-ratelimit-unified-overage-disabled-reason"] = "org_level_disabled";
    const window = s.claim === "five_hour" ? "5h" : s.claim === "overage" ? undefined : "7d";
    if (window) {
      headers[`anthropic-ratelimit-unified-${window}-status`] = "rejected";
      headers[`anthropic-ratelimit-unified-${window}-reset`] = reset;
      headers[`anthropic-ratelimit-unified-${window}-utilization`] = "1.0";
    }
  }
  return { ...headers, ...(turn.headers ?? {}) };
}
