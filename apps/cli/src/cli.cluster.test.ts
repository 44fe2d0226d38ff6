// The built `clipjob` binary against a real control plane, as the adapter's least-privilege ServiceAccount:
// `run` leaves a Job behind (retainJobs), `jobs` lists it, `logs` formats its transcript, `cancel` deletes it,
// and `doctor` finds every permission a run needs and names the one the Role lacks when any is removed. kwok
// plays the container (exit code and run time from its env); the test writes the container's stream-json into the kubelet simulator's log file.
import { appendFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { agentClaimName, LABEL_AGENT_ID, REQUIRED_PERMISSIONS, type AccessCheck } from "@clipjob/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, jobLogFile, startE2eControlPlane, type ControlPlane } from "@clipjob/e2e";
import { cleanEnv, runCliProcess, startCli, type CliResult } from "../test/spawn-cli.js";
import { EXIT } from "./cli/exit-codes.js";
import type { EnvironmentReport } from "./ops/environment-checks.js";
import type { AgentJobRow } from "./ops/agent-jobs.js";

const SESSION = "0b7f4d2a-6c1e-4f3a-9d85-2e6a1c9b7f30";
const TRANSCRIPT = [
  JSON.stringify({ type: "system", subtype: "init", session_id: SESSION, model: "claude-sonnet-4-6", tools: ["Bash"] }),
  JSON.stringify({ type: "assistant", session_id: SESSION, message: { id: "msg_1", role: "assistant", content: [{ type: "text", text: "Reading the README" }] } }),
  JSON.stringify({ type: "result", subtype: "success", is_error: false, result: "Summary written", session_id: SESSION, num_turns: 1 }),
];
const AGENT = "cli-e2e";

let cp: ControlPlane;
let run: { result: CliResult; job: string };

/** The flags that point the CLI at the control plane as the adapter ServiceAccount. */
const target = (): string[] => ["--kubeconfig", cp.kubeconfigAdapter, "--namespace", cp.namespace];
const cli = (args: readonly string[]): Promise<CliResult> => runCliProcess([...args, ...target()], { timeoutMs: 120_000, env: cleanEnv() });

/** `clipjob run` with a kwok container that exits 0 after a few seconds; the Job is kept for the other commands. */
async function runRetainedJob(): Promise<{ result: CliResult; job: string }> {
  const env = JSON.stringify({ CLIPJOB_SIM_EXIT_CODE: "0", CLIPJOB_SIM_RUN_FOR: "4s" });
  const args = ["run", "--json", "--agent", AGENT, "--image", "ghcr.io/example/paperclip:e2e", "--set", "retainJobs=true", "--set", `env=${env}`, "Summarise the README"];
  const result = await runCliProcess([...args, ...target()], { timeoutMs: 150_000, env: cleanEnv() });
  const job = result.stdout
    .split("\n")
    .filter((l) => l.includes('"type":"job"'))
    .map((l) => (JSON.parse(l) as { event: { name: string } }).event.name)[0]!;
  return { result, job };
}

/** Writes the transcript as the container's log the moment `clipjob run` names its Job. */
async function runWithTranscript(): Promise<{ result: CliResult; job: string }> {
  const started = runRetainedJob();
  // Settled here so a run that fails before its Job exists surfaces from `started`, not as an unhandled rejection.
  started.catch(() => undefined);
  const name = await waitForJobName();
  const file = jobLogFile(cp.logsDir, cp.namespace, name);
  mkdirSync(dirname(file), { recursive: true });
  const stamp = new Date().toISOString().replace("Z", "000000Z");
  appendFileSync(file, TRANSCRIPT.map((l) => `${stamp} ${l}\n`).join(""));
  return started;
}

/** The run's Job as the API sees it: the CLI's own output is read only once it exits. */
async function waitForJobName(agent = AGENT): Promise<string> {
  return eventually(
    `the Job clipjob run creates for ${agent}`,
    async () => {
      const list = await cp.admin.get(`/apis/batch/v1/namespaces/${cp.namespace}/jobs`, { labelSelector: `${LABEL_AGENT_ID}=${agent}` });
      return (list.items as { metadata: { name: string } }[]).map((j) => j.metadata.name)[0];
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

async function jobNames(): Promise<string[]> {
  const list = await cp.admin.get(`/apis/batch/v1/namespaces/${cp.namespace}/jobs`);
  return (list.items as { metadata: { name: string; deletionTimestamp?: string } }[]).filter((j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name);
}

beforeAll(async () => {
  cp = await startE2eControlPlane(mkdtempSync(join(tmpdir(), "clipjob-cli-")));
  run = await runWithTranscript();
});
afterAll(async () => {
  await cp?.stop();
});

describe("clipjob (built CLI) on a real control plane, as the adapter ServiceAccount", () => {
  it("run: succeeds with the transcript's session and keeps its Job (retainJobs)", () => {
    expect(run.result.timedOut).toBe(false);
    expect(run.result.code).toBe(0);
    const outcome = JSON.parse(run.result.stdout.trim().split("\n").at(-1)!) as { type: string; outcome: Record<string, unknown> };
    expect(outcome).toMatchObject({ type: "outcome", exitCode: 0, outcome: { status: "succeeded", errorCode: null, sessionId: SESSION, job: { name: run.job, kept: true } } });
  });

  it("doctor: every RBAC permission a run needs passes, nothing fails, exit 0", async () => {
    const result = await cli(["doctor", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as EnvironmentReport;
    expect(report.namespace).toBe(cp.namespace);
    expect(report.status).not.toBe("fail");
    const rbac = report.checks.filter((c) => c.id.startsWith("rbac_"));
    expect(rbac).toHaveLength(REQUIRED_PERMISSIONS.length);
    expect(rbac.filter((c) => c.status !== "pass")).toEqual([]);
    expect(report.checks.find((c) => c.id === "api_reachable")?.status).toBe("pass");
    // Outside a pod no /paperclip claim can be found: a warning, not a failure.
    expect(report.checks.find((c) => c.id === "pvc_access_mode")?.status).toBe("warn");
  });

  it("doctor: the human report lists the checks and ends with the verdict", async () => {
    const result = await cli(["doctor"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`clipjob doctor · namespace ${cp.namespace}`);
    expect(result.stdout).toContain(`pass  May create jobs.batch in ${cp.namespace}`);
    expect(result.stdout).toContain(`pass  May get pods/log in ${cp.namespace}`);
    expect(result.stdout).toMatch(/✔ (pass|warn): \d+ pass, \d+ warn, 0 fail/);
  });

  it("jobs: lists the run's Job with its run and agent labels and its phase", async () => {
    const json = await cli(["jobs", "--json"]);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as AgentJobRow[];
    const row = rows.find((r) => r.name === run.job);
    // `clipjob run` names no Paperclip task, so its Job has no task label.
    expect(row).toMatchObject({ namespace: cp.namespace, agentId: AGENT, taskId: null, phase: "Complete", orphanCandidate: false });
    expect(row?.runId).toMatch(/\S/);

    const table = await cli(["jobs"]);
    expect(table.code).toBe(0);
    const [header, ...lines] = table.stdout.trim().split("\n");
    expect(header).toMatch(/^NAME +PHASE +AGE +RUN +AGENT +TASK$/);
    expect(lines.find((l) => l.startsWith(run.job))).toMatch(new RegExp(`^${run.job} +Complete +\\d+s +${row!.runId} +${AGENT} +-$`));
  });

  it("logs: prints the Job's transcript formatted, and untouched with --raw", async () => {
    const formatted = await cli(["logs", run.job]);
    expect(formatted.code).toBe(0);
    expect(formatted.stdout).toContain(`● Claude started: session ${SESSION}`);
    expect(formatted.stdout).toContain("Reading the README");
    expect(formatted.stdout).toMatch(/■ result: .*success/);
    expect(formatted.stdout).toContain("Summary written");
    expect(formatted.stdout).not.toContain('{"type"');

    const raw = await cli(["logs", run.job, "--raw"]);
    expect(raw.code).toBe(0);
    expect(raw.stdout.trim().split("\n")).toEqual(TRANSCRIPT);
  });

  it("logs of a Job that does not exist exits 2 naming it", async () => {
    const result = await cli(["logs", "ac-no-such-job"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("ac-no-such-job");
  });

  it("cancel: deletes the Job, which then leaves the API and the jobs list", async () => {
    const result = await cli(["cancel", run.job]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Job ${cp.namespace}/${run.job} deleted (was Complete)`);
    await eventually(`Job ${run.job} to be gone`, async () => !(await jobNames()).includes(run.job), { timeoutMs: 30_000 });
    const after = JSON.parse((await cli(["jobs", "--json"])).stdout) as AgentJobRow[];
    expect(after.filter((r) => r.name === run.job && r.phase !== "Deleting")).toEqual([]);
  });
});

/** A claim bound to a PersistentVolume of its own, so the scheduler places a pod that mounts it. */
async function createBoundClaim(name: string): Promise<void> {
  const pv = `${cp.namespace}-${name}`;
  await cp.admin.post("/api/v1/persistentvolumes", {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: pv },
    spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: "", hostPath: { path: `/tmp/${pv}` } },
  });
  await cp.admin.post(`/api/v1/namespaces/${cp.namespace}/persistentvolumeclaims`, {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName: "", volumeName: pv, resources: { requests: { storage: "1Gi" } } },
  });
}

describe("clipjob run as a runtime of its own on a real control plane (issue 14, fault 12)", () => {
  it("mounts the named claim, resumes the session, labels agent and task; a second run of the agent is blocked naming the holder process and the agent's claim Secret", async () => {
    const agent = "cli-runtime";
    const claim = "agent-home";
    await createBoundClaim(claim);
    // Long enough that the first still runs when the second has seen its process Lease renewed (within 20 s).
    const env = JSON.stringify({ CLIPJOB_SIM_EXIT_CODE: "0", CLIPJOB_SIM_RUN_FOR: "45s" });
    const image = "ghcr.io/example/paperclip:e2e";
    const first = startCli(
      ["run", "--json", "--agent-id", agent, "--task-id", "T-7", "--resume", SESSION, "--workspace-claim", claim, "--image", image, "--set", `env=${env}`, "Carry on", ...target()],
      { timeoutMs: 150_000, env: cleanEnv() },
    );
    // Settled here so a run that fails before its Job exists surfaces from `first.done`, not as an unhandled rejection.
    first.done.catch(() => undefined);
    const name = await waitForJobName(agent);
    const job = await cp.admin.get(`/apis/batch/v1/namespaces/${cp.namespace}/jobs/${name}`);
    const pod = job.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: "paperclip-data", persistentVolumeClaim: { claimName: claim } });
    const container = pod.containers[0] as { command?: string[]; args?: string[]; volumeMounts: { name: string; mountPath: string }[] };
    expect(container.volumeMounts).toContainEqual(expect.objectContaining({ name: "paperclip-data", mountPath: "/paperclip" }));
    const argv = [...(container.command ?? []), ...(container.args ?? [])];
    expect(argv.slice(argv.indexOf("--resume"), argv.indexOf("--resume") + 2)).toEqual(["--resume", SESSION]);
    expect(job.metadata.labels).toMatchObject({ [LABEL_AGENT_ID]: agent, "paperclip.io/task-id": "T-7", "paperclip.io/session-id": SESSION });
    const startedBy = job.metadata.annotations["clipjob.dev/started-by"] as string;
    expect(startedBy).toMatch(/^clipjob CLI, pid \d+ on \S+$/);

    // Another process runs the same agent while the first supervises its Job: the first holds the agent's claim
    // and renews its process Lease, so the second is blocked naming that live process (issue 14, fault 8), never "orphaned".
    const firstPid = /pid (\d+)/.exec(startedBy)![1]!;
    const second = await cli(["run", "--agent-id", agent, "--image", image, "Another task"]);
    expect(second.code).toBe(EXIT.infrastructure);
    expect(second.stdout).toContain("k8s_concurrent_run_blocked");
    expect(second.stdout).toMatch(new RegExp(`another clipjob process \\(clipjob-cli/[^/]+/${firstPid}/[0-9a-f]+\\) holds claim Secret ${cp.namespace}/${agentClaimName(agent)}`));
    expect(second.stdout).not.toContain("orphaned");
    expect(second.stdout).toContain(`Agent ${agent} is supervised by another clipjob process (clipjob-cli/`);

    // The first run ends with the session it resumed.
    const file = jobLogFile(cp.logsDir, cp.namespace, name);
    mkdirSync(dirname(file), { recursive: true });
    const stamp = new Date().toISOString().replace("Z", "000000Z");
    appendFileSync(file, TRANSCRIPT.map((l) => `${stamp} ${l}\n`).join(""));
    const result = await first.done;
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { outcome: Record<string, unknown> };
    expect(outcome.outcome).toMatchObject({ status: "succeeded", sessionId: SESSION, job: { name, kept: false } });
  });
});

interface RoleRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const rolePath = () => `/apis/rbac.authorization.k8s.io/v1/namespaces/${cp.namespace}/roles/clipjob-adapter`;

/** The adapter's own answer (SelfSubjectAccessReview), the one `doctor` reads. */
async function adapterMay(permission: Omit<AccessCheck, "namespace">): Promise<boolean> {
  const { verb, group, resource, subresource } = permission;
  const review = await cp.adapter.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SelfSubjectAccessReview",
    spec: { resourceAttributes: { verb, group, resource, ...(subresource ? { subresource } : {}), namespace: cp.namespace } },
  });
  return review.status?.allowed === true;
}

/** Removes one verb from the Role, runs `body`, and restores the Role; each change waits until the adapter sees it. */
async function withoutPermission<T>(permission: Omit<AccessCheck, "namespace">, body: () => Promise<T>): Promise<T> {
  const ruleResource = permission.subresource ? `${permission.resource}/${permission.subresource}` : permission.resource;
  const original: RoleRule[] = (await cp.admin.get(rolePath())).rules;
  const reduced = original
    .map((r) => (r.resources.includes(ruleResource) ? { ...r, verbs: r.verbs.filter((v) => v !== permission.verb) } : r))
    .filter((r) => r.verbs.length > 0);
  const settle = (want: boolean) =>
    eventually(`the RBAC change for ${permission.verb} ${ruleResource} to be visible`, async () => (await adapterMay(permission)) === want, { timeoutMs: 30_000, intervalMs: 100 });
  await cp.admin.patch(rolePath(), { rules: reduced }, "merge");
  try {
    await settle(false);
    return await body();
  } finally {
    await cp.admin.patch(rolePath(), { rules: original }, "merge");
    await settle(true);
  }
}

describe("clipjob doctor when the Role lacks one verb", () => {
  const cases = REQUIRED_PERMISSIONS.map((permission) => {
    const resource = permission.subresource ? `${permission.resource}/${permission.subresource}` : permission.resource;
    return { ...permission, ruleResource: resource, named: `${resource}${permission.group ? `.${permission.group}` : ""}`, id: `rbac_${permission.verb}_${resource.replace("/", "_")}` };
  });

  it("the cases are exactly the verbs of the installed Role (apps/e2e/control-plane/rbac.yaml, the README's)", async () => {
    const rules: RoleRule[] = (await cp.admin.get(rolePath())).rules;
    const granted = rules.flatMap((r) => r.resources.flatMap((resource) => r.verbs.map((verb) => `${verb} ${resource}`)));
    expect(granted.sort()).toEqual(cases.map((c) => `${c.verb} ${c.ruleResource}`).sort());
    expect(granted).toHaveLength(REQUIRED_PERMISSIONS.length);
  });

  it.each(cases)("without $verb $named: exit 3, status fail, only $id fails, naming it with a hint", async (c) => {
    const result = await withoutPermission(c, () => cli(["doctor", "--json"]));
    expect(result.code).toBe(EXIT.infrastructure);
    const report = JSON.parse(result.stdout) as EnvironmentReport;
    expect(report.status).toBe("fail");
    const failing = report.checks.filter((check) => check.id.startsWith("rbac_") && check.status === "fail");
    expect(failing).toHaveLength(1);
    expect(failing[0]!.id).toBe(c.id);
    expect(failing[0]!.message).toMatch(new RegExp(`^May not ${c.verb} ${c.named.replace(/[./]/g, "\\$&")} in ${cp.namespace}\\b`));
    expect(failing[0]!.hint).toContain(`resources ["${c.ruleResource}"], verbs ["${c.verb}"]`);
    expect(report.checks.filter((check) => check.status === "fail").map((check) => check.id)).toEqual([c.id]);
  });
});
