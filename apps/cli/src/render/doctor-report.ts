import type { CheckStatus, EnvironmentReport } from "../ops/environment-checks.js";
import { line } from "./display-line.js";
import { paint } from "./paint.js";

const MARK: Readonly<Record<CheckStatus, { readonly text: string; readonly style: "result" | "warn" | "error" }>> = {
  pass: { text: "pass", style: "result" },
  warn: { text: "warn", style: "warn" },
  fail: { text: "FAIL", style: "error" },
};

export function doctorReport(report: EnvironmentReport, colour: boolean): string[] {
  const out: string[] = [`clipjob doctor · namespace ${report.namespace}`];
  for (const check of report.checks) {
    const mark = MARK[check.status];
    out.push(`${paint(line(mark.style, mark.text), colour)}  ${check.message}`);
    if (check.hint && check.status !== "pass") out.push(paint(line("dim", `      hint: ${check.hint}`), colour));
  }
  const counts = (["pass", "warn", "fail"] as const).map((s) => `${report.checks.filter((c) => c.status === s).length} ${s}`).join(", ");
  out.push(paint(line(MARK[report.status].style, `${report.status === "fail" ? "✘" : "✔"} ${report.status}: ${counts}`), colour));
  return out;
}
