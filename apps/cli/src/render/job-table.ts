import type { AgentJobRow } from "../ops/agent-jobs.js";
import { oneLine } from "./terminal-text.js";

const HEADERS = ["NAME", "PHASE", "AGE", "RUN", "AGENT", "TASK"] as const;

/** A kubectl-style table; `orphan?` marks live Jobs no process here supervises. */
export function jobTable(rows: readonly AgentJobRow[]): string[] {
  const cells = rows.map((r) => [
    oneLine(r.name, 63),
    r.orphanCandidate ? `${r.phase} orphan?` : r.phase,
    formatAge(r.ageSeconds),
    oneLine(r.runId ?? "-", 63),
    oneLine(r.agentId ?? "-", 63),
    oneLine(r.taskId ?? "-", 63),
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const format = (cols: readonly string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [format(HEADERS), ...cells.map(format)];
}

/** kubectl's age style: 45s, 12m, 3h, 2d. */
export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
