// Recognisers for the ways a Claude run fails, matched on the CLI's own wording. They only ever look at
// failure text (an error result, error entries, stderr): an agent's answer that merely mentions "unauthorized"
// or "max turns" must not turn a run into an auth or turn-limit failure.

import type { ResultEvent } from "../stream/transcript-summary.js";
import type { ErrorFamily } from "./error-codes.js";
import { parseRetryNotBefore } from "./retry-time.js";

export const UNKNOWN_SESSION = [/no conversation found with session id/i, /\bunknown session\b/i, /\bsession\b[^\n]{0,80}?\bnot found\b/i];

export const MAX_TURNS_TEXT = /\b(?:max(?:imum)?(?: number of)? turns?|max_turns)\b/i;

export const LOGIN_REQUIRED = [
  /\bnot logged in\b/i,
  /\bplease (?:log ?in|sign in)\b/i,
  /\bplease run [`'"]?(?:claude (?:setup-token|login)|\/login)/i,
  /\b(?:log ?in|sign[- ]in) required\b/i,
  /\brequires? (?:a )?log ?in\b/i,
  /\bunauthori[sz]ed\b/i,
  /\bauthentication(?:[ _](?:required|failed|error))\b/i,
  /\binvalid (?:x-)?api[ _-]?key\b/i,
  /\boauth token (?:has )?(?:expired|been revoked)\b/i,
  /\bfailed to authenticate\b/i,
  /\boauth session (?:has )?expired\b/i,
  /\bcould not be refreshed\b/i,
];

export const PROVIDER_QUOTA = [
  /\busage limit\b/i,
  /\bhit your (?:[\w-]+ )?limit\b/i,
  /\b(?:reached|exceeded) your (?:\w+ )?(?:usage |spend(?:ing)? )?limit\b/i,
  /\bquota\b/i,
  /\binsufficient_quota\b/i,
  /\bcredit balance is too low\b/i,
  /\bout of (?:extra )?usage\b/i,
];

export const TRANSIENT_UPSTREAM = [
  /\b(?:error|status|http|code|rejected)\D{0,12}\b(?:429|529)\b/i,
  /\((?:429|529)\)/,
  /\boverloaded(?:_error)?\b/i,
  /\brate[ _-]?limit(?:ed|_error)?\b/i,
  /\btoo many requests\b/i,
  /\bservice unavailable\b/i,
];

/** The text a failed result carries: its result text and every error entry. */
export function resultFailureText(result: ResultEvent): string {
  return [result.text ?? "", ...result.errors].filter((t) => t.trim() !== "").join("\n");
}

/** A result is a failure when Claude says so: `is_error`, or an `error_*` subtype. */
export function isFailureResult(result: ResultEvent): boolean {
  return result.isError || (result.subtype?.startsWith("error") ?? false);
}

export function mentionsUnknownSession(text: string): boolean {
  return UNKNOWN_SESSION.some((re) => re.test(text));
}

/** The resumed session does not exist (any more) where Claude looked for it. */
export function isUnknownSession(result: ResultEvent): boolean {
  return isFailureResult(result) && mentionsUnknownSession(resultFailureText(result));
}

export function isMaxTurns(result: ResultEvent): boolean {
  if (result.subtype === "error_max_turns" || result.stopReason?.toLowerCase() === "max_turns") return true;
  return isFailureResult(result) && MAX_TURNS_TEXT.test(resultFailureText(result));
}

/**
 * Claude needs a login (or a valid key): looks at a failed result's text and at the given plain-text
 * lines (stderr). The login URL, when one is printed, lets the host offer it.
 */
export function detectLoginRequired(input: {
  readonly result: ResultEvent | null;
  readonly lines: readonly string[];
}): { loginUrl?: string } | null {
  const texts = [...(input.result && isFailureResult(input.result) ? [resultFailureText(input.result)] : []), ...input.lines];
  const matching = texts.filter((t) => LOGIN_REQUIRED.some((re) => re.test(t)));
  if (matching.length === 0) return null;
  const loginUrl = extractLoginUrl(texts.join("\n"));
  return loginUrl ? { loginUrl } : {};
}

/** The URL to log in at: the first one that looks like an auth page, else the first one. */
export function extractLoginUrl(text: string): string | null {
  const urls = (text.match(/https?:\/\/[^\s<>"'`]+/g) ?? []).map((u) => u.replace(/[).,;:!?\]}]+$/, ""));
  return urls.find((u) => /claude|anthropic|auth|login/i.test(u)) ?? urls[0] ?? null;
}

/**
 * A provider limit: a quota or plan limit (waiting is the only fix) or a transient upstream refusal
 * (429/529/overloaded: a retry soon will likely work). Quota is checked first — its messages often
 * carry a 429 too.
 */
export function detectProviderLimit(
  text: string,
  nowMs: number,
): { family: ErrorFamily; retryNotBefore: string | null } | null {
  const family: ErrorFamily | null = PROVIDER_QUOTA.some((re) => re.test(text))
    ? "provider_quota"
    : TRANSIENT_UPSTREAM.some((re) => re.test(text))
      ? "transient_upstream"
      : null;
  return family ? { family, retryNotBefore: parseRetryNotBefore(text, nowMs) } : null;
}
