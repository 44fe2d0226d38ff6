// One fault-free run on a real control plane (apps/e2e/control-plane: etcd, kube-apiserver, kcm, scheduler,
// kwok and the kubelet simulator), through core's runAgentJob with k8s-infra's adapters as the adapter
// ServiceAccount, its requests counted from the API server's audit log. kwok plays the container (exit code
// and run time from its env); the bench writes the container's transcript into the kubelet simulator's log.
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AgentLocks, runAgentJob, systemClock, type RunOutcome } from "@clipjob/core";
import { KubeClusterAdapter, KubeHostAdapter, KubeLeaseAdapter, KubeLogAdapter, loadKubeConfig } from "@clipjob/k8s-infra";
import { auditRequestsByKind } from "./audit-count.js";
import { realisticTranscript } from "./realistic-transcript.js";

/** What the bench uses of start.mjs's control plane (plain ESM JavaScript, so tsc never sees it). */
interface ControlPlane {
  readonly kubeconfigAdapter: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly logsDir: string;
  readonly auditLogFile: string;
  stop(): Promise<void>;
}

interface StartModule {
  startControlPlane(opts: { dir: string; audit: boolean }): Promise<ControlPlane>;
}

const CONTROL_PLANE_DIR = fileURLToPath(new URL("../../e2e/control-plane/", import.meta.url));
export const REAL_RUN_SECONDS = 10;
/** The transcript is written over this much of the run, so the follower reads a log that grows. */
const WRITE_OVER_MS = 5_000;

export type RealCost =
  | { readonly measured: true; readonly byKind: Readonly<Record<string, number>>; readonly status: RunOutcome["status"] }
  | { readonly measured: false; readonly reason: string; readonly failed: boolean };

function binariesPresent(): boolean {
  try {
    execFileSync(join(CONTROL_PLANE_DIR, "build.sh"), ["--check"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The kubelet's log line prefix: RFC 3339 UTC with nine fractional digits. */
function kubeletTimestamp(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}.${String(epochMs % 1000).padStart(3, "0")}000000Z`;
}

/** Appends the lines to the Job's kubelet-sim log file spread over WRITE_OVER_MS, as a process would. */
function writeTranscript(file: string, lines: readonly string[]): void {
  mkdirSync(dirname(file), { recursive: true });
  lines.forEach((line, i) => {
    const write = () => appendFileSync(file, `${kubeletTimestamp(Date.now())} ${line}\n`);
    if (i === 0) write();
    else setTimeout(write, Math.floor((i * WRITE_OVER_MS) / lines.length)).unref();
  });
}

async function faultFreeRun(cp: ControlPlane): Promise<RunOutcome> {
  const loaded = loadKubeConfig({ kubeconfigPath: cp.kubeconfigAdapter });
  if (!loaded.ok) throw new Error(`${loaded.error.code}: ${loaded.error.message}`);
  const kc = loaded.value;
  const lines = [...realisticTranscript().lines(120_000)];
  return runAgentJob(
    {
      cluster: new KubeClusterAdapter(kc),
      logs: new KubeLogAdapter(kc),
      host: new KubeHostAdapter(kc, { cache: new Map() }),
      leases: new KubeLeaseAdapter(kc),
      clock: systemClock,
      defaultNamespace: cp.namespace,
      locks: new AgentLocks(),
    },
    {
      runId: `bench-real-${Date.now().toString(36)}`,
      agent: { id: "agent-bench-real", companyId: "company-bench", name: "Bench" },
      taskId: "task-bench-real",
      config: {
        image: "ghcr.io/example/paperclip:bench",
        namespace: cp.namespace,
        timeoutSec: 0,
        env: { CLIPJOB_SIM_EXIT_CODE: "0", CLIPJOB_SIM_RUN_FOR: `${REAL_RUN_SECONDS}s` },
      },
    },
    { observer: { onJob: (ref) => writeTranscript(join(cp.logsDir, cp.namespace, `job-${ref.name}.log`), lines) } },
  );
}

/** Starts an audited control plane, runs once, counts the adapter's requests, and stops it again. */
export async function realControlPlaneCost(): Promise<RealCost> {
  if (!binariesPresent()) return { measured: false, failed: false, reason: "the control-plane binaries are missing (`apps/e2e/control-plane/build.sh --check` fails; run `build.sh`)" };
  const dir = mkdtempSync(join(tmpdir(), "clipjob-bench-cp-"));
  const mod = (await import(/* @vite-ignore */ join(CONTROL_PLANE_DIR, "start.mjs"))) as StartModule;
  let cp: ControlPlane | undefined;
  try {
    cp = await mod.startControlPlane({ dir, audit: true });
    const outcome = await faultFreeRun(cp);
    const username = `system:serviceaccount:${cp.namespace}:${cp.serviceAccount}`;
    return { measured: true, byKind: auditRequestsByKind(readFileSync(cp.auditLogFile, "utf8"), username), status: outcome.status };
  } catch (error) {
    return { measured: false, failed: true, reason: `the control plane or the run failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
