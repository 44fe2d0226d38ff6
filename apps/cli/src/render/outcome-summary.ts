import type { RunOutcome } from "@clipjob/core";
import { line, type DisplayLine } from "./display-line.js";
import { oneLine } from "./terminal-text.js";

/** The closing block of `clipjob run`: what happened, why, what it cost, and where the Job is. */
export function outcomeSummary(outcome: RunOutcome, exitCode: number): DisplayLine[] {
  const ok = outcome.status === "succeeded";
  const out: DisplayLine[] = [line(ok ? "result" : "error", `${ok ? "✔" : "✘"} ${headline(outcome)}`)];
  if (outcome.errorMessage) out.push(line(ok ? "plain" : "error", `  ${oneLine(outcome.errorMessage, 600)}`));
  if (outcome.retryNotBefore) out.push(line("warn", `  retry not before ${outcome.retryNotBefore}`));
  const rows: [string, string][] = [
    ["exit code", `${exitCode}${outcome.exitCode !== null ? ` (claude exited ${outcome.exitCode}${outcome.signal ? `, ${outcome.signal}` : ""})` : ""}`],
    ["duration", formatDuration(outcome.durationMs)],
  ];
  if (outcome.usage) {
    const u = outcome.usage;
    rows.push(["tokens", `in ${u.inputTokens} · out ${u.outputTokens} · cached ${u.cachedInputTokens}`]);
  }
  if (outcome.costUsd !== null) rows.push(["cost", `$${outcome.costUsd.toFixed(4)}`]);
  if (outcome.model) rows.push(["model", outcome.model]);
  if (outcome.sessionId) rows.push(["session", `${outcome.sessionId}${outcome.clearSession ? " (unusable: drop it)" : ""}`]);
  if (outcome.job) {
    const j = outcome.job;
    const fate = j.kept ? `kept (${j.keptBecause ?? "retained"})` : "deleted";
    rows.push(["job", `${j.namespace}/${j.name} · ${fate}${j.reattached ? " · reattached" : ""}`]);
  }
  for (const [key, value] of rows) out.push(line("dim", `  ${key.padEnd(9)} ${oneLine(value, 300)}`));
  const inexact = transcriptCaveat(outcome);
  if (inexact) out.push(line("warn", `  ${"transcript".padEnd(9)} ${oneLine(inexact, 300)}`));
  return out;
}

/**
 * Why the transcript shown is not exactly what the container wrote, or null when it is: lines the kubelet
 * rotated away while the stream was reopened (`transcriptGaps`), lines garbled by the other stream's records
 * (`garbledLines`, by line number).
 */
function transcriptCaveat(outcome: RunOutcome): string | null {
  const parts: string[] = [];
  const gaps = outcome.transcriptGaps ?? [];
  if (gaps.length > 0) parts.push(`${gaps.length} gap${gaps.length === 1 ? "" : "s"} (${[...new Set(gaps.map((g) => g.reason.replace(/_/g, " ")))].join(", ")})`);
  const garbled = outcome.garbledLines ?? [];
  if (garbled.length > 0) parts.push(`${garbled.length} garbled line${garbled.length === 1 ? "" : "s"} (${garbled.map((g) => g.line).join(", ")})`);
  return parts.length > 0 ? `not exact: ${parts.join("; ")}` : null;
}

function headline(outcome: RunOutcome): string {
  if (outcome.status === "succeeded") return "succeeded";
  return outcome.errorCode && outcome.errorCode !== outcome.status ? `${outcome.status}: ${outcome.errorCode}` : outcome.status;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m${String(s).padStart(2, "0")}s`;
  if (m > 0) return `${m}m${String(s).padStart(2, "0")}s`;
  return ms < 10_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : `${s}s`;
}
