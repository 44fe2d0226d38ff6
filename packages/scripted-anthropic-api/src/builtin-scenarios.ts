// The scenarios every server knows, so a standalone process (agent pods on a real node) and the recorded
// corpus share one vocabulary. Each is described in the package README.
import type { Scenario } from "./scenario.js";
import { apiError, bashReply, reply, subscriptionLimitError, textReply } from "./turns.js";

/** A 20 KiB single line: larger than one read of a log stream, smaller than any payload limit. */
const HUGE_LINE_COMMAND = "head -c 20480 /dev/zero | tr '\\0' x; echo";

export const builtinScenarios: Record<string, Scenario> = {
  text: {
    description: "One text reply: `Hello from the scripted API.`",
    turns: [textReply("Hello from the scripted API.")],
  },
  "resume-text": {
    description: "Every call answers with text; usage with cache tokens, so a resumed session has growing session totals",
    turns: [
      textReply("First answer.", { usage: { input_tokens: 13, cache_creation_input_tokens: 1500, cache_read_input_tokens: 25000, output_tokens: 42 } }),
      textReply("Second answer.", { usage: { input_tokens: 13, cache_creation_input_tokens: 1500, cache_read_input_tokens: 25000, output_tokens: 42 } }),
    ],
  },
  "cache-usage": {
    description: "A text reply whose usage has cache creation and cache read tokens",
    turns: [textReply("Cached answer.", { usage: { input_tokens: 7, cache_creation_input_tokens: 2048, cache_read_input_tokens: 30000, output_tokens: 21 } })],
  },
  "thinking-text": {
    description: "A thinking block, then text",
    turns: [reply([{ type: "thinking", thinking: "Let me think about it.", signature: "c2lnbmF0dXJl" }, { type: "text", text: "Thought it through." }])],
  },
  "bash-echo": {
    description: "tool_use Bash `echo hi`, then text after the tool_result",
    turns: [bashReply("echo hi"), textReply("The command printed hi.")],
  },
  "bash-huge-line": {
    description: "tool_use Bash printing a 20 KiB line, then text",
    turns: [bashReply(HUGE_LINE_COMMAND), textReply("Printed a long line.")],
  },
  "max-turns": {
    description: "tool_use Bash `echo again` forever (run with --max-turns)",
    turns: [bashReply("echo again")],
  },
  "auth-401": {
    description: "401 authentication_error on every call",
    turns: [apiError(401, "invalid x-api-key")],
  },
  "forbidden-403": {
    description: "403 permission_error on every call",
    turns: [apiError(403, "Your organization does not have access to this model. Please contact your administrator.")],
  },
  "unknown-model-404": {
    description: "404 not_found_error naming the model, on every call",
    turns: [apiError(404, "model: claude-nonexistent-model")],
  },
  "rate-limit-429": {
    description: "429 rate_limit_error with retry-after: 1 on every call",
    turns: [apiError(429, "Number of request tokens has exceeded your per-minute rate limit", { "retry-after": "1" })],
  },
  "rate-limit-then-text": {
    description: "429 with retry-after: 1 on the first attempt, then text",
    turns: [[apiError(429, "Number of request tokens has exceeded your per-minute rate limit", { "retry-after": "1" }), textReply("Answer after a retry.")]],
  },
  "server-500": {
    description: "500 api_error on every call",
    turns: [apiError(500, "Internal server error")],
  },
  "overloaded-529": {
    description: "529 overloaded_error on every call",
    turns: [apiError(529, "Overloaded")],
  },
  "prompt-too-long": {
    description: "400 invalid_request_error `prompt is too long: 210000 tokens > 200000 maximum` on every call",
    turns: [apiError(400, "prompt is too long: 210000 tokens > 200000 maximum")],
  },
  "drop-mid-stream": {
    description: "Streams message_start and the start of a text block, then destroys the connection, on every call",
    turns: [textReply("This answer never arrives whole.", { dropAfterEvents: 3 })],
  },
  "drop-before-response": {
    description: "Destroys the connection before any response, on every call",
    turns: [{ kind: "drop" }],
  },
  "slow-text": {
    description: "A text reply streamed with 200 ms before each event",
    turns: [textReply("A slow answer, one word at a time.", { delayMs: 200, chunkChars: 5 })],
  },
  "subscription-five-hour": {
    description: "429 with the subscription headers of an exhausted 5-hour window resetting in 2 h (OAuth token)",
    turns: [subscriptionLimitError({ claim: "five_hour", resetsInSeconds: 7200 })],
  },
  "subscription-weekly": {
    description: "429 with the subscription headers of an exhausted weekly window resetting in 3 days (OAuth token)",
    turns: [subscriptionLimitError({ claim: "seven_day", resetsInSeconds: 3 * 86400 })],
  },
};
