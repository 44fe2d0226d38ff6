// The real-node rows: fault-free runs of the real `claude` on a real kubelet + containerd + runc
// (apps/e2e/node/bench.mjs, run inside `pnpm test:node`'s world, which needs root and minutes to start). The
// bench does not start that world; it reads the last measurement, committed with its date and command.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { table, verdict } from "./markdown.js";
import type { Section } from "./section.js";

const LAST_BENCH = fileURLToPath(new URL("../../e2e/node/last-bench.json", import.meta.url));
const REQUESTS_TARGET = 6;
/**
 * Audit-log kinds a process pays, not a run: the shared Job and pod informers, host introspection, and the one
 * process Lease that carries the liveness of all its agent claims (created by the first hold, renewed, deleted by
 * the last release).
 */
const PROCESS_KINDS: ReadonlySet<string> = new Set(["list jobs", "watch jobs", "list pods", "watch pods", "get pods", "create leases", "update leases", "get leases", "delete leases"]);

interface RealNodeRun {
  readonly status: string;
  readonly jobToFirstLineMs: number;
  readonly resultToOutcomeMs: number;
  readonly wholeRunMs: number;
  readonly requestsByKind: Readonly<Record<string, number>>;
}

interface RealNodeBench {
  readonly measuredAt: string;
  readonly command: string;
  /** Anything a reader must know about this measurement (e.g. which code it measured). */
  readonly note?: string;
  readonly loadAverage: number;
  readonly cores: number;
  readonly runs: readonly RealNodeRun[];
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const sum = (byKind: Readonly<Record<string, number>>, keep: (kind: string) => boolean): number => Object.entries(byKind).reduce((a, [k, n]) => a + (keep(k) ? n : 0), 0);
const listed = (byKind: Readonly<Record<string, number>>): string =>
  Object.entries(byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");

export function realNodeBench(): Section {
  const title = "Real node: the real claude on kubelet + containerd + runc";
  if (!existsSync(LAST_BENCH)) {
    return { title, table: "", notes: ["Not measured: apps/e2e/node/last-bench.json is missing (run `node apps/e2e/node/run.mjs --skip-build -- node apps/e2e/node/bench.mjs 4` as root)."], missedTargets: [], brokenInvariants: [] };
  }
  const last = JSON.parse(readFileSync(LAST_BENCH, "utf8")) as RealNodeBench;
  const perRun = (r: RealNodeRun): number => sum(r.requestsByKind, (k) => !PROCESS_KINDS.has(k));
  const perProcess = (r: RealNodeRun): number => sum(r.requestsByKind, (k) => PROCESS_KINDS.has(k));
  const rows = last.runs.map((r, i) => [
    String(i + 1),
    r.status,
    String(r.jobToFirstLineMs),
    String(r.resultToOutcomeMs),
    String(r.wholeRunMs),
    `${perRun(r)} ${verdict(perRun(r) <= REQUESTS_TARGET)}`,
    String(perProcess(r)),
  ]);
  rows.push([
    "median",
    "",
    String(median(last.runs.map((r) => r.jobToFirstLineMs))),
    String(median(last.runs.map((r) => r.resultToOutcomeMs))),
    String(median(last.runs.map((r) => r.wholeRunMs))),
    String(median(last.runs.map(perRun))),
    String(median(last.runs.map(perProcess))),
  ]);
  const over = last.runs.map(perRun).filter((n) => n > REQUESTS_TARGET);
  return {
    title,
    table: table(["Run", "Outcome", "Job created → first transcript line (ms)", "result line → outcome (ms)", "whole run (ms)", `API requests of the run (≤ ${REQUESTS_TARGET})`, "of the process (shared watches, host, process Lease)"], rows),
    notes: [
      `Measured ${last.measuredAt} with \`${last.command}\` (load average ${last.loadAverage.toFixed(1)} on ${last.cores} cores)${last.note ? ` — ${last.note}` : ""}; read by \`pnpm bench\` from the committed apps/e2e/node/last-bench.json: the bench does not start the real-node world (root, containerd, kubelet; see apps/e2e/node/README.md). Each run is one Bash tool call then text through \`runAgentJob\` with k8s-infra's adapters as the adapter ServiceAccount, the runs one after another in one process.`,
      `Requests are counted at the API server from its audit log (once per auditID) in each run's time window. The per-process column holds the shared informers' lists and watches (one Job and one pod informer per namespace, lingering a minute between runs) and host introspection: they appear in the run that started them. The process Lease (create + delete) appears in every run here because the runs are one after another: each run's release is the process's last, so it deletes the Lease, and the next run creates it again; a process whose runs overlap pays it once, plus a renewal every 20 s while any run is supervised (see the API-cost section). Requests of run 1: ${listed(last.runs[0]?.requestsByKind ?? {})}.`,
      "Memory per concurrent run in the Paperclip process is not measured on the real node: the section \"Memory per concurrent run in the Paperclip process (plugin server adapter)\" measures it through the plugin's server adapter with the simulated cluster in a worker thread.",
    ],
    missedTargets: over.length ? [`real node: ${over.join(", ")} requests in a run (target ≤ ${REQUESTS_TARGET})${last.note ? ` — ${last.note}` : ""}`] : [],
    brokenInvariants: last.runs.some((r) => r.status !== "succeeded") ? ["a real-node fault-free run did not succeed (last-bench.json)"] : [],
  };
}
