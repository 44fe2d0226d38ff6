// What a scenario is: a script of turns answered by position in the conversation, and the validation
// that turns a JSON scenario (from a file or `PUT /_scenarios/<name>`) into one, naming the bad field.

/** Token usage of one reply, in tokens, as the Messages API reports it. Missing fields are estimated. */
export interface TurnUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/** One content block of a scripted reply. A tool_use without `id` gets a generated `toolu_…` id. */
export type ScriptedBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature?: string }
  | { type: "tool_use"; name: string; input: Record<string, unknown>; id?: string };

/** A normal assistant message, streamed (SSE) or returned as JSON depending on the request's `stream`. */
export interface ReplyTurn {
  kind: "reply";
  content: ScriptedBlock[];
  /** Default: `tool_use` when the content has a tool_use block, else `end_turn`. */
  stopReason?: "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal" | "pause_turn";
  /** Missing fields: input estimated from the request size (4 characters a token), output from the content, cache 0. */
  usage?: TurnUsage;
  /** Default: the request's `model`. */
  model?: string;
  /** Extra response headers (e.g. `anthropic-ratelimit-unified-status: allowed_warning`). */
  headers?: Record<string, string>;
  /** Pause in milliseconds before each SSE event: a slow stream. */
  delayMs?: number;
  /** Text, thinking and tool-input deltas carry at most this many characters (default 256). */
  chunkChars?: number;
  /** Stream only this many SSE events, then destroy the connection: a connection dropped mid-stream. */
  dropAfterEvents?: number;
  /**
   * Stream `afterEvents` SSE events, then hold the stream (a `ping` event every 10 s) until the test opens gate
   * `name` (`POST /_gates/<name>`); then the rest. A stream that reaches an open gate does not stop.
   */
  gate?: { name: string; afterEvents: number };
}

/** Subscription (OAuth) limit: rendered as the `anthropic-ratelimit-unified-*` headers at response time. */
export interface SubscriptionLimit {
  /** The window that is exhausted, as the API names it. */
  claim: "five_hour" | "seven_day" | "seven_day_opus" | "seven_day_sonnet" | "overage";
  /** Reset time, epoch seconds. */
  resetsAt?: number;
  /** Reset time relative to the response, in seconds (used when `resetsAt` is absent; default 3600). */
  resetsInSeconds?: number;
}

/** An HTTP error reply in the Messages API's shape: `{"type":"error","error":{"type","message"},"request_id"}`. */
export interface ErrorTurn {
  kind: "error";
  /** HTTP status, 400–599. */
  status: number;
  /** Default from the status: 400 invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error, 529 overloaded_error, other 5xx api_error. */
  errorType?: string;
  message?: string;
  /** Replaces the whole JSON body when given. */
  body?: unknown;
  /** Extra response headers, e.g. `retry-after`. */
  headers?: Record<string, string>;
  subscriptionLimit?: SubscriptionLimit;
}

/** Close the connection without any response. */
export interface DropTurn {
  kind: "drop";
}

export type Turn = ReplyTurn | ErrorTurn | DropTurn;

/** What the scenario sees of one request when choosing its turn. */
export interface TurnContext {
  /** Number of assistant messages already in the request's conversation (0 for the first call). */
  position: number;
  /** 0 for the first request with this exact conversation, 1 for its first retry, … */
  attempt: number;
  /** The parsed request body. */
  body: Record<string, unknown>;
}

/**
 * A script of turns. `turns[i]` answers the request whose conversation already holds `i` assistant messages
 * (so a tool_result comes back as position 1, a resumed session continues where it stopped). An entry may be
 * a list: attempt `k` of that position (retries of the same conversation) gets entry `min(k, length - 1)`.
 * Positions past the script get its last entry. `respond`, when given (programmatic use only), decides instead.
 */
export interface Scenario {
  description?: string;
  turns: Array<Turn | Turn[]>;
  respond?: (ctx: TurnContext) => Turn;
}

/** A scenario that cannot be served, naming the field. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  readonly code = "scenario_invalid";
}

/** Picks the turn for one request. */
export function turnFor(scenario: Scenario, ctx: TurnContext): Turn {
  if (scenario.respond) return scenario.respond(ctx);
  const entry = scenario.turns[Math.min(ctx.position, scenario.turns.length - 1)]!;
  if (!Array.isArray(entry)) return entry;
  return entry[Math.min(ctx.attempt, entry.length - 1)]!;
}

/** Scenario and gate names: they are path segments of the routes. */
export const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkHeaders(v: unknown, where: string): void {
  if (v === undefined) return;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== "string")) {
    throw new ScenarioError(`${where}.headers must be an object of string values`);
  }
}

function checkCount(v: unknown, where: string): void {
  if (v !== undefined && !(typeof v === "number" && Number.isInteger(v) && v >= 0)) {
    throw new ScenarioError(`${where} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
}

function checkTurn(t: unknown, where: string): Turn {
  if (!isObject(t)) throw new ScenarioError(`${where} must be an object with a kind`);
  switch (t.kind) {
    case "reply": {
      if (!Array.isArray(t.content)) throw new ScenarioError(`${where}.content must be an array of blocks`);
      t.content.forEach((b, i) => {
        const w = `${where}.content[${i}]`;
        if (!isObject(b)) throw new ScenarioError(`${w} must be an object`);
        if (b.type === "text" && typeof b.text === "string") return;
        if (b.type === "thinking" && typeof b.thinking === "string") return;
        if (b.type === "tool_use" && typeof b.name === "string" && isObject(b.input)) return;
        throw new ScenarioError(`${w} must be {type:"text",text} | {type:"thinking",thinking} | {type:"tool_use",name,input}`);
      });
      checkHeaders(t.headers, where);
      checkCount(t.delayMs, `${where}.delayMs`);
      checkCount(t.chunkChars, `${where}.chunkChars`);
      checkCount(t.dropAfterEvents, `${where}.dropAfterEvents`);
      if (t.gate !== undefined) {
        if (!isObject(t.gate) || typeof t.gate.name !== "string" || !NAME_PATTERN.test(t.gate.name)) {
          throw new ScenarioError(`${where}.gate.name must match [A-Za-z0-9._-]+, got ${JSON.stringify(isObject(t.gate) ? t.gate.name : t.gate)}`);
        }
        if (t.gate.afterEvents === undefined) throw new ScenarioError(`${where}.gate.afterEvents must be a non-negative integer, got undefined`);
        checkCount(t.gate.afterEvents, `${where}.gate.afterEvents`);
      }
      if (t.usage !== undefined) {
        if (!isObject(t.usage)) throw new ScenarioError(`${where}.usage must be an object`);
        for (const [k, v] of Object.entries(t.usage)) checkCount(v, `${where}.usage.${k}`);
      }
      return t as unknown as ReplyTurn;
    }
    case "error": {
      if (!(typeof t.status === "number" && Number.isInteger(t.status) && t.status >= 400 && t.status <= 599)) {
        throw new ScenarioError(`${where}.status must be an HTTP error status 400–599, got ${JSON.stringify(t.status)}`);
      }
      checkHeaders(t.headers, where);
      if (t.subscriptionLimit !== undefined) {
        const s = t.subscriptionLimit;
        if (!isObject(s) || typeof s.claim !== "string") throw new ScenarioError(`${where}.subscriptionLimit.claim must be a string`);
        checkCount(s.resetsAt, `${where}.subscriptionLimit.resetsAt`);
        checkCount(s.resetsInSeconds, `${where}.subscriptionLimit.resetsInSeconds`);
      }
      return t as unknown as ErrorTurn;
    }
    case "drop":
      return t as unknown as DropTurn;
    default:
      throw new ScenarioError(`${where}.kind must be "reply", "error" or "drop", got ${JSON.stringify(t.kind)}`);
  }
}

/** Validates a scenario given as data; throws ScenarioError naming the first bad field. */
export function parseScenario(v: unknown, name: string): Scenario {
  if (!NAME_PATTERN.test(name)) throw new ScenarioError(`scenario name ${JSON.stringify(name)} must match [A-Za-z0-9._-]+`);
  if (!isObject(v)) throw new ScenarioError(`scenario ${name} must be an object with turns`);
  if (typeof v.respond === "function") return v as unknown as Scenario;
  if (!Array.isArray(v.turns) || v.turns.length === 0) throw new ScenarioError(`scenario ${name}: turns must be a non-empty array`);
  v.turns.forEach((entry, i) => {
    const where = `scenario ${name}: turns[${i}]`;
    if (Array.isArray(entry)) {
      if (entry.length === 0) throw new ScenarioError(`${where} must not be an empty list of attempts`);
      entry.forEach((t, k) => checkTurn(t, `${where}[${k}]`));
    } else checkTurn(entry, where);
  });
  if (v.description !== undefined && typeof v.description !== "string") throw new ScenarioError(`scenario ${name}: description must be a string`);
  return v as unknown as Scenario;
}
