import { describe, expect, it } from "vitest";
import type { ResultEvent } from "../stream/transcript-summary.js";
import { detectLoginRequired, detectProviderLimit, extractLoginUrl, isMaxTurns, isUnknownSession } from "./claude-failure-kinds.js";
import { parseRetryNotBefore } from "./retry-time.js";

const failure = (f: Partial<ResultEvent>): ResultEvent => ({
  subtype: "error_during_execution",
  isError: true,
  text: null,
  errors: [],
  stopReason: null,
  terminalReason: null,
  apiErrorStatus: null,
  apiErrorType: null,
  apiError: null,
  numTurns: null,
  sessionId: null,
  json: {},
  ...f,
});
const success = (text: string): ResultEvent => failure({ subtype: "success", isError: false, text });

describe("isUnknownSession", () => {
  it.each<[string, ResultEvent, boolean]>([
    ["CLI wording in errors", failure({ errors: ["No conversation found with session ID: abc"] }), true],
    ["unknown session", failure({ text: "Error: Unknown session" }), true],
    ["session … not found", failure({ text: "session 1234-abcd not found" }), true],
    ["other failure", failure({ text: "API Error: 500" }), false],
    ["an answer that mentions it is not a failure", success("No conversation found with session ID: x"), false],
  ])("%s → %s", (_name, result, expected) => {
    expect(isUnknownSession(result)).toBe(expected);
  });
});

describe("isMaxTurns", () => {
  it.each<[string, ResultEvent, boolean]>([
    ["subtype", failure({ subtype: "error_max_turns", isError: false }), true],
    ["stop reason, any case", { ...success("done"), stopReason: "MAX_TURNS" }, true],
    ["failure text 'Reached max turns (10)'", failure({ text: "Reached max turns (10)" }), true],
    ["failure text 'maximum number of turns'", failure({ text: "Reached the maximum number of turns" }), true],
    ["answer text only", success("I stopped before the max turns limit"), false],
    ["other failure", failure({ text: "boom" }), false],
  ])("%s → %s", (_name, result, expected) => {
    expect(isMaxTurns(result)).toBe(expected);
  });
});

describe("detectLoginRequired", () => {
  it.each<[string, Parameters<typeof detectLoginRequired>[0], { loginUrl?: string } | null]>([
    ["invalid API key result", { result: failure({ text: "Invalid API key · Please run /login" }), lines: [] }, {}],
    ["login URL in the result", { result: failure({ text: "Not logged in. Visit https://claude.ai/oauth/authorize?x=1." }), lines: [] }, { loginUrl: "https://claude.ai/oauth/authorize?x=1" }],
    ["stderr line", { result: null, lines: ["Error: not logged in", "see https://example.com/docs and https://console.anthropic.com/login)"] }, { loginUrl: "https://console.anthropic.com/login" }],
    ["plain URL preferred last", { result: null, lines: ["Authentication required at https://example.com/x"] }, { loginUrl: "https://example.com/x" }],
    ["expired OAuth token", { result: failure({ errors: ["OAuth token has expired"] }), lines: [] }, {}],
    ["401 authentication_error", { result: failure({ text: 'API Error: 401 {"type":"error","error":{"type":"authentication_error"}}' }), lines: [] }, {}],
    ["an answer mentioning unauthorized", { result: success("The endpoint answered 401 Unauthorized"), lines: [] }, null],
    ["nothing", { result: failure({ text: "boom" }), lines: ["warning: slow"] }, null],
  ])("%s", (_name, input, expected) => {
    expect(detectLoginRequired(input)).toEqual(expected);
  });

  it("extractLoginUrl strips trailing punctuation and gives null without a URL", () => {
    expect(extractLoginUrl("go to (https://claude.ai/login).")).toBe("https://claude.ai/login");
    expect(extractLoginUrl("no url")).toBeNull();
  });
});

const NOW = Date.parse("2026-03-10T12:00:00Z");

describe("detectProviderLimit", () => {
  it.each<[string, string, ReturnType<typeof detectProviderLimit>]>([
    ["legacy usage limit with epoch", "Claude AI usage limit reached|1773151200", { family: "provider_quota", retryNotBefore: "2026-03-10T14:00:00.000Z" }],
    ["hit your limit, resets 3pm", "You've hit your limit · resets 3pm", { family: "provider_quota", retryNotBefore: "2026-03-10T15:00:00.000Z" }],
    ["quota with a 429 is quota", "API Error: 429 insufficient_quota", { family: "provider_quota", retryNotBefore: null }],
    ["credit balance", "Credit balance is too low", { family: "provider_quota", retryNotBefore: null }],
    ["429 rate limit", 'API Error: 429 {"type":"error","error":{"type":"rate_limit_error"}} try again in 5 minutes', { family: "transient_upstream", retryNotBefore: "2026-03-10T12:05:00.000Z" }],
    ["529 overloaded", 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', { family: "transient_upstream", retryNotBefore: null }],
    ["request rejected (429)", "API Error: Request rejected (429) · retry-after: 30", { family: "transient_upstream", retryNotBefore: "2026-03-10T12:00:30.000Z" }],
    ["service unavailable", "503 Service Unavailable", { family: "transient_upstream", retryNotBefore: null }],
    ["a bare number is not a status", "failed at line 429 of parser.ts", null],
    ["unrelated", "TypeError: x is undefined", null],
  ])("%s", (_name, text, expected) => {
    expect(detectProviderLimit(text, NOW)).toEqual(expected);
  });
});

describe("parseRetryNotBefore", () => {
  it.each<[string, string, string | null]>([
    ["epoch ms after the pipe", "usage limit reached|1773151200000", "2026-03-10T14:00:00.000Z"],
    ["ISO with Z", "limit resets at 2026-03-11T08:30:00Z", "2026-03-11T08:30:00.000Z"],
    ["ISO with offset, space separator", "resets 2026-03-11 09:30:00+01:00", "2026-03-11T08:30:00.000Z"],
    ["try again in 90 seconds", "try again in 90 seconds", "2026-03-10T12:01:30.000Z"],
    ["retry after 2h", "please retry after 2h", "2026-03-10T14:00:00.000Z"],
    ["resets in 1.5 hours", "resets in 1.5 hours", "2026-03-10T13:30:00.000Z"],
    ["resets at 3:30 PM", "resets at 3:30 PM", "2026-03-10T15:30:00.000Z"],
    ["resets 15:00", "resets 15:00", "2026-03-10T15:00:00.000Z"],
    ["already passed today → tomorrow", "resets at 9am", "2026-03-11T09:00:00.000Z"],
    ["12am is midnight", "resets 12am", "2026-03-11T00:00:00.000Z"],
    ["12pm is noon (passed → tomorrow)", "resets 12pm", "2026-03-11T12:00:00.000Z"],
    ["named zone", "resets 3pm (America/New_York)", "2026-03-10T19:00:00.000Z"],
    // An unknown zone is not guessed as UTC (it could be hours off): the reset time is left unknown.
    ["an unknown zone gives no reset time", "resets 3pm (Mars/Olympus)", null],
    ["an unknown zone with a date gives no reset time", "resets Dec 2, 11:42pm (Mars/Olympus)", null],
    // Date.UTC rolls Feb 30 over into Mar 2; an impossible date is no reset time.
    ["Feb 30 is no date (not Mar 2)", "resets Feb 30, 9am (UTC)", null],
    ["Apr 31 with a year is no date", "resets Apr 31, 2026 at 9am", null],
    ["day 0 is no date", "resets Jun 0, 9am (UTC)", null],
    ["Feb 29 of a leap year is a date, but 2028 is past the horizon", "resets Feb 29, 2028 at 9am", null],
    ["Feb 29 without a year in a non-leap year and the next", "resets Feb 29, 9am (UTC)", null],
    ["Dec 31 is a date", "resets Dec 31, 9am (UTC)", "2026-12-31T09:00:00.000Z"],
    // An epoch beyond the horizon (366 days) is a misread, not a reset time.
    ["an epoch past the horizon (year 2286)", "usage limit reached|9999999999999", null],
    ["an epoch in seconds past the horizon (2033)", "usage limit reached|2000000000", null],
    ["an epoch just inside the horizon", "usage limit reached|1804766400", "2027-03-11T12:00:00.000Z"],
    ["an epoch one second past the horizon falls through to the text's clock time", "usage limit reached|1804766401 · resets 3pm (UTC)", "2026-03-10T15:00:00.000Z"],
    ["an ISO time past the horizon", "limit resets at 2031-01-01T00:00:00Z", null],
    ["a relative delay past the horizon", "retry after 9000 hours", null],
    ["an explicit year past the horizon", "resets Dec 2, 2099 at 11pm", null],
    ["bare hour is too ambiguous", "resets 3", null],
    ["impossible clock", "resets at 13pm", null],
    ["impossible 24h clock", "resets at 25:00", null],
    ["no time at all", "usage limit reached", null],
    // The CLI's subscription-limit wording (2.1.328), with and without a date.
    ["5-hour limit, clock time in UTC", "You've hit your 5-hour limit · resets 2:41am (UTC)", "2026-03-11T02:41:00.000Z"],
    ["weekly limit with a date", "You've hit your weekly limit · resets Dec 2, 11:42pm (UTC)", "2026-12-02T23:42:00.000Z"],
    ["date already passed this year → next year, in a named zone", "resets Jan 3 at 4:30am (Asia/Calcutta)", "2027-01-02T23:00:00.000Z"],
    ["today's date, later today", "resets Mar 10, 3pm (UTC)", "2026-03-10T15:00:00.000Z"],
    ["today's date, already passed → next year", "resets Mar 10, 9am (UTC)", "2027-03-10T09:00:00.000Z"],
    ["the zone's offset at the reset time (summer time), not now's", "resets Jul 4, 9am (Europe/Berlin)", "2026-07-04T07:00:00.000Z"],
    ["an explicit year is kept", "resets Dec 2, 2026 at 11pm", "2026-12-02T23:00:00.000Z"],
    ["a full month name", "resets September 1, 8:00am (UTC)", "2026-09-01T08:00:00.000Z"],
  ])("%s", (_name, text, expected) => {
    expect(parseRetryNotBefore(text, NOW)).toBe(expected);
  });
});
