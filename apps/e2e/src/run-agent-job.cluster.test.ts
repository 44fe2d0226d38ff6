// The whole use case on a real control plane: runAgentJob with the Kube adapters, as the adapter
// ServiceAccount, from submit to cleanup. kwok plays the container (exit code and run time from its env);
// the test writes the container's stream-json transcript into the kubelet simulator's log file.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { AgentLocks, agentClaimName, processLeaseName, guardSelector, LABEL_MANAGED_BY, MANAGED_BY_VALUE, runAgentJob, type RunOptions, type RunOutcome, type RunRequest } from "@clipjob/core";
import { KubeConfig, type Cluster, type User } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@clipjob/kube-test-kit/eventually";
import { startE2eControlPlane, type ControlPlane } from "./e2e-control-plane.js";
import { createKubeHarness, type KubeHarness } from "./kube-contract-harness.js";
import { createKwokDriver, jobLogFile } from "./kwok-driver.js";

let cp: ControlPlane;
let h: KubeHarness;

beforeAll(async () => {
  cp = await startE2eControlPlane(mkdtempSync(join(tmpdir(), "clipjob-run-")));
  const driver = createKwokDriver({ namespace: cp.namespace, logsDir: cp.logsDir, admin: cp.admin });
  h = await createKubeHarness({ kubeconfigPath: cp.kubeconfigAdapter, namespace: cp.namespace, driver });
});
afterAll(async () => {
  await cp?.stop();
});

const SESSION = "5d0c6e1e-2f3b-4c55-9a57-7d8c2b0f4e11";
const transcript = (isError: boolean): string[] => [
  JSON.stringify({ type: "system", subtype: "init", session_id: SESSION, model: "claude-sonnet-4-6", tools: ["Bash"] }),
  JSON.stringify({ type: "assistant", session_id: SESSION, message: { id: "msg_1", role: "assistant", content: [{ type: "text", text: "working" }] } }),
  JSON.stringify({ type: "result", subtype: isError ? "error_during_execution" : "success", is_error: isError, result: isError ? "it broke" : "done", session_id: SESSION, num_turns: 1 }),
];

let counter = 0;
/** A request whose container kwok runs as `sim` says; no `sim` keys leaves it running until stopped. */
function request(sim: Readonly<Record<string, string>>, config: Record<string, unknown> = {}): RunRequest {
  counter += 1;
  return {
    runId: `run-${Date.now().toString(36)}-${counter}`,
    agent: { id: `agent-${counter}`, companyId: "company-1", name: "Builder" },
    taskId: `task-${counter}`,
    config: { image: "ghcr.io/example/paperclip:e2e", namespace: cp.namespace, timeoutSec: 0, env: sim, ...config },
  };
}

interface Started {
  readonly done: Promise<RunOutcome>;
  /** The run's notices, as they come. */
  readonly notices: string[];
  /** The Job's name, once submitted. */
  readonly job: Promise<string>;
}

/** Starts a run; when its Job exists, writes `lines` as the container's log. */
function start(req: RunRequest, lines: readonly string[], options: Omit<RunOptions, "observer"> = {}): Started {
  let named!: (name: string) => void;
  const job = new Promise<string>((resolve) => (named = resolve));
  const notices: string[] = [];
  const observer: RunOptions["observer"] = {
    onProgress: (event) => void (event.type === "notice" && notices.push(event.message)),
    onJob: (ref) => {
      const file = jobLogFile(cp.logsDir, cp.namespace, ref.name);
      mkdirSync(dirname(file), { recursive: true });
      const stamp = new Date().toISOString().replace("Z", "000000Z");
      appendFileSync(file, lines.map((l) => `${stamp} ${l}\n`).join(""));
      named(ref.name);
    },
  };
  const done = runAgentJob(
    { cluster: h.cluster, logs: h.logs, host: h.host, leases: h.leases, clock: h.clock, defaultNamespace: cp.namespace, locks: new AgentLocks() },
    req,
    { ...options, observer },
  );
  return { done, job, notices };
}

async function runningPod(jobName: string): Promise<void> {
  await eventually(`a running pod for ${jobName}`, async () => (await h.cluster.listPods({ namespace: cp.namespace, name: jobName })).some((p) => p.phase === "Running"), { timeoutMs: 60_000 });
}

async function expectJobGone(jobName: string): Promise<void> {
  await eventually(`Job ${jobName} to be gone`, async () => (await h.cluster.getJob({ namespace: cp.namespace, name: jobName })) === null, { timeoutMs: 30_000 });
}

describe("runAgentJob on a real control plane", () => {
  it("success: exit 0 with a result line gives succeeded, the session, and no Job left", async () => {
    const run = start(request({ CLIPJOB_SIM_EXIT_CODE: "0", CLIPJOB_SIM_RUN_FOR: "3s" }), transcript(false));
    const outcome = await run.done;
    expect(outcome).toMatchObject({ status: "succeeded", errorCode: null, exitCode: 0, sessionId: SESSION });
    await expectJobGone(await run.job);
  });

  it("non-zero exit: failed with the container's exit code, and no Job left", async () => {
    const run = start(request({ CLIPJOB_SIM_EXIT_CODE: "3", CLIPJOB_SIM_RUN_FOR: "2s" }), transcript(true));
    const outcome = await run.done;
    expect(outcome.status).toBe("failed");
    expect(outcome.exitCode).toBe(3);
    expect(outcome.errorCode).not.toBeNull();
    await expectJobGone(await run.job);
  });

  it("deadline: timeoutSec on a container that never ends gives timeout, and no Job left", async () => {
    const run = start(request({}, { timeoutSec: 5 }), transcript(false).slice(0, 2));
    const outcome = await run.done;
    expect(outcome).toMatchObject({ status: "timed_out", errorCode: "timeout", timedOut: true });
    expect(outcome.errorMessage).toContain("5s");
    await expectJobGone(await run.job);
  });

  it("the Job deleted by someone else mid-run gives k8s_job_deleted_externally naming the Job", async () => {
    const run = start(request({}), transcript(false).slice(0, 2));
    const name = await run.job;
    await runningPod(name);
    await cp.admin.delete(`/apis/batch/v1/namespaces/${cp.namespace}/jobs/${name}`, undefined, { propagationPolicy: "Background" });
    const outcome = await run.done;
    expect(outcome.errorCode).toBe("k8s_job_deleted_externally");
    expect(outcome.errorMessage).toContain(name);
    await expectJobGone(name);
  });

  it("cancel: the run returns cancelled and deletes its Job", async () => {
    const cancel = new AbortController();
    const run = start(request({}), transcript(false).slice(0, 2), { cancelSignal: cancel.signal });
    const name = await run.job;
    await runningPod(name);
    cancel.abort();
    const outcome = await run.done;
    expect(outcome).toMatchObject({ status: "cancelled", errorCode: "cancelled" });
    await expectJobGone(name);
  });
});

interface RoleRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

describe("runAgentJob with one permission of the adapter's Role removed", () => {
  const rolePath = () => `/apis/rbac.authorization.k8s.io/v1/namespaces/${cp.namespace}/roles/clipjob-adapter`;

  /** Removes `verb` on `resource` from the Role and waits until the adapter's own access review sees it. */
  async function withoutPermission<T>(resource: string, verb: string, body: () => Promise<T>): Promise<T> {
    const original: RoleRule[] = (await cp.admin.get(rolePath())).rules;
    const reduced = original
      .map((r) => (r.resources.includes(resource) ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r))
      .filter((r) => r.verbs.length > 0);
    const group = original.find((r) => r.resources.includes(resource))!.apiGroups[0]!;
    const [base, subresource] = resource.split("/") as [string, string | undefined];
    const allowed = async () =>
      (await h.access.review([{ verb, group, resource: base, ...(subresource ? { subresource } : {}), namespace: cp.namespace }]))[0]!.allowed;
    const settle = (want: boolean) =>
      eventually(`the RBAC change for ${verb} ${resource} to be visible`, async () => (await allowed()) === want, { timeoutMs: 30_000, intervalMs: 100 });
    await cp.admin.patch(rolePath(), { rules: reduced }, "merge");
    try {
      await settle(false);
      // The run as a process started after the change sees it: the harness's shared watches, still open from
      // earlier cases, would only meet a revoked list at their next relist (as any informer's).
      h.stopSharedWatches();
      return await body();
    } finally {
      await cp.admin.patch(rolePath(), { rules: original }, "merge");
      await settle(true);
    }
  }

  const quick = () => request({ CLIPJOB_SIM_EXIT_CODE: "0", CLIPJOB_SIM_RUN_FOR: "2s" });

  it.each([
    { resource: "jobs", verb: "create", names: /may not create jobs\.batch in namespace clipjob-e2e/ },
    { resource: "jobs", verb: "list", names: /may not list jobs\.batch in namespace clipjob-e2e/ },
    { resource: "leases", verb: "create", names: /may not create leases\.coordination\.k8s\.io in namespace clipjob-e2e/ },
    { resource: "secrets", verb: "create", names: /may not create secrets in namespace clipjob-e2e/ },
    { resource: "pods/log", verb: "get", names: /may not get pods\/log in namespace clipjob-e2e/ },
    { resource: "pods", verb: "list", names: /may not list pods in namespace clipjob-e2e/ },
  ])("without $verb $resource the run fails k8s_permission_denied naming it, and leaves no Job", async ({ resource, verb, names }) => {
    const outcome = await withoutPermission(resource, verb, () => start(quick(), transcript(false)).done);
    expect(outcome.status).toBe("failed");
    expect(outcome.errorCode).toBe("k8s_permission_denied");
    expect(outcome.errorMessage).toMatch(names);
    expect(await h.cluster.listJobs(cp.namespace, { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE }).then((jobs) => jobs.filter((j) => !j.deletionTimestamp))).toEqual([]);
  });

  it("without delete jobs a fault-free run still leaves no Job: its finished Job goes with the agent claim that owns it", async () => {
    const run = await withoutPermission("jobs", "delete", async () => {
      const r = start(quick(), transcript(false));
      return { outcome: await r.done, name: await r.job };
    });
    expect(run.outcome).toMatchObject({ status: "succeeded", job: { kept: false } });
    await expectJobGone(run.name);
  });

  it("without delete jobs a cancelled run keeps its outcome, keeps the Job (delete_failed) and its notice names the permission", async () => {
    const run = await withoutPermission("jobs", "delete", async () => {
      const cancel = new AbortController();
      const r = start(request({ CLIPJOB_SIM_EXIT_CODE: "0", CLIPJOB_SIM_RUN_FOR: "60s" }), transcript(false), { cancelSignal: cancel.signal });
      const name = await r.job;
      cancel.abort();
      return { outcome: await r.done, notices: r.notices, name };
    });
    expect(run.outcome).toMatchObject({ errorCode: "cancelled", job: { kept: true, keptBecause: "delete_failed" } });
    expect(run.notices.join("\n")).toMatch(/delete.*jobs/);
    await h.cluster.deleteJob({ namespace: cp.namespace, name: run.name }, "Background");
  });
});

describe("runAgentJob with a kubeconfig the API server will not accept", () => {
  /** The adapter's kubeconfig with `change` applied to its cluster and user, written next to it. */
  function derivedKubeconfig(name: string, change: (c: { cluster: Cluster; user: User }) => { cluster: Cluster; user: User }): string {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigAdapter);
    const changed = change({ cluster: kc.getCurrentCluster()!, user: kc.getCurrentUser()! });
    const out = new KubeConfig();
    out.loadFromOptions({
      clusters: [changed.cluster],
      users: [changed.user],
      contexts: [{ name: "derived", cluster: changed.cluster.name, user: changed.user.name, namespace: cp.namespace }],
      currentContext: "derived",
    });
    const path = join(dirname(cp.kubeconfigAdapter), `${name}.kubeconfig`);
    writeFileSync(path, out.exportConfig());
    return path;
  }

  async function runWith(kubeconfigPath: string): Promise<RunOutcome> {
    const driver = createKwokDriver({ namespace: cp.namespace, logsDir: cp.logsDir, admin: cp.admin });
    const other = await createKubeHarness({ kubeconfigPath, namespace: cp.namespace, driver });
    return runAgentJob(
      { cluster: other.cluster, logs: other.logs, host: other.host, leases: other.leases, clock: other.clock, defaultNamespace: cp.namespace, locks: new AgentLocks() },
      request({ CLIPJOB_SIM_EXIT_CODE: "0", CLIPJOB_SIM_RUN_FOR: "1s" }),
    );
  }

  it("a wrong token (401) is k8s_credentials_rejected, not 'guard unreachable' (issue 14, fault 5)", async () => {
    const path = derivedKubeconfig("bad-token", ({ cluster, user }) => ({ cluster, user: { name: user.name, token: "not-a-valid-token" } }));
    const outcome = await runWith(path);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_credentials_rejected" });
    expect(outcome.errorMessage).toMatch(/HTTP 401/);
  });

  it("a CA that did not sign the server's certificate is k8s_certificate_untrusted (issue 14, fault 5)", async () => {
    // Any certificate other than the cluster CA: the admin's client certificate is signed by it, but signs nothing.
    const admin = new KubeConfig();
    admin.loadFromFile(cp.kubeconfigAdmin);
    const foreign = admin.getCurrentUser()!.certData!;
    const path = derivedKubeconfig("wrong-ca", ({ cluster, user }) => ({ cluster: { ...cluster, caData: foreign, caFile: undefined } as Cluster, user }));
    const outcome = await runWith(path);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "k8s_certificate_untrusted" });
    expect(outcome.errorMessage).toMatch(/certificate is not trusted/);
  });
});

describe("the adapter's Role under OwnerReferencesPermissionEnforcement (on in this control plane, as on OpenShift)", () => {
  /** A Job of the adapter's own, created as the adapter, to own test Secrets. */
  async function ownerJob(name: string): Promise<{ name: string; uid: string }> {
    const job = await cp.adapter.post(`/apis/batch/v1/namespaces/${cp.namespace}/jobs`, {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name },
      spec: { suspend: true, template: { spec: { restartPolicy: "Never", containers: [{ name: "claude", image: "ghcr.io/example/paperclip:e2e" }] } } },
    });
    return { name, uid: job.metadata.uid };
  }
  const secret = (name: string, owner: { name: string; uid: string }, blockOwnerDeletion?: boolean) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: owner.name, uid: owner.uid, controller: true, ...(blockOwnerDeletion ? { blockOwnerDeletion } : {}) }] },
    data: { prompt: Buffer.from("hi").toString("base64") },
  });

  it("the payload Secret's owner reference (no blockOwnerDeletion) is admitted; one with it is refused for want of jobs/finalizers update (issue 14, fault 9)", async () => {
    const owner = await ownerJob(`owner-${Date.now().toString(36)}`);
    try {
      await cp.adapter.post(`/api/v1/namespaces/${cp.namespace}/secrets`, secret(`${owner.name}-payload`, owner));
      const refused = await cp.adapter.post(`/api/v1/namespaces/${cp.namespace}/secrets`, secret(`${owner.name}-blocking`, owner, true)).then(
        () => null,
        (e: { status?: number; message?: string }) => e,
      );
      expect(refused?.status).toBe(403);
      expect(String(refused?.message)).toMatch(/cannot set blockOwnerDeletion/);
    } finally {
      await cp.admin.delete(`/apis/batch/v1/namespaces/${cp.namespace}/jobs/${owner.name}`, undefined, { propagationPolicy: "Background" });
    }
  });
});

/** A host process (host-process.mjs over the built packages; test:cluster builds them first) and what it printed. */
interface HostProcessRun {
  readonly pid: number;
  readonly messages: { type: string; name?: string; message?: string; outcome?: RunOutcome }[];
  readonly ended: Promise<RunOutcome>;
}

const HOST_PROCESS = fileURLToPath(new URL("./host-process.mjs", import.meta.url));
/** Short so the case takes seconds: a live holder shows itself within 2 s. */
const E2E_LEASE_TIMING = { durationSeconds: 6, renewMs: 2_000, pollMs: 500 };

function hostProcess(req: RunRequest, onJob: (name: string) => void): HostProcessRun {
  const child = spawn(process.execPath, [HOST_PROCESS, cp.kubeconfigAdapter, JSON.stringify(req)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, CLIPJOB_E2E_LEASE_TIMING: JSON.stringify(E2E_LEASE_TIMING) },
  });
  const messages: HostProcessRun["messages"] = [];
  const ended = new Promise<RunOutcome>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (l) => {
      const msg = JSON.parse(l) as HostProcessRun["messages"][number];
      messages.push(msg);
      if (msg.type === "job" && msg.name) onJob(msg.name);
      if (msg.type === "outcome" && msg.outcome) resolve(msg.outcome);
    });
    child.on("exit", (code) => reject(new Error(`host process ${child.pid} exited (${code}) without an outcome`)));
  });
  return { pid: child.pid!, messages, ended };
}

describe("one agent, one Job across processes (issue 14, fault 8)", () => {
  it("two processes start a run for the same agent at once: exactly one Job is created; the other ends k8s_concurrent_run_blocked naming the holder", async () => {
    const base = request({ CLIPJOB_SIM_EXIT_CODE: "0", CLIPJOB_SIM_RUN_FOR: "15s" });
    const jobs: string[] = [];
    const onJob = (name: string) => {
      jobs.push(name);
      const file = jobLogFile(cp.logsDir, cp.namespace, name);
      mkdirSync(dirname(file), { recursive: true });
      const stamp = new Date().toISOString().replace("Z", "000000Z");
      appendFileSync(file, transcript(false).map((l) => `${stamp} ${l}\n`).join(""));
    };
    const [a, b] = [hostProcess({ ...base, runId: `${base.runId}-a` }, onJob), hostProcess({ ...base, runId: `${base.runId}-b` }, onJob)];
    const first = await Promise.race([a.ended.then(() => a), b.ended.then(() => b)]);
    const [loser, winner] = first === a ? [a, b] : [b, a];
    const lost = await loser.ended;
    expect(lost).toMatchObject({ status: "failed", errorCode: "k8s_concurrent_run_blocked", job: null, errorMeta: { holder: `host-process/${winner.pid}`, claim: agentClaimName(base.agent.id) } });
    // While the winner still supervises: one Job for the agent, and it is the winner's.
    const live = await h.cluster.listJobs(cp.namespace, guardSelector(base.agent.id)!);
    expect(live.map((j) => j.ref.name)).toEqual(jobs);
    expect(await winner.ended).toMatchObject({ status: "succeeded" });
    expect(jobs).toHaveLength(1);
    expect(loser.messages.some((m) => m.type === "job")).toBe(false);
    await expectJobGone(jobs[0]!);
    // The winner deleted its claim when it stopped supervising, and its process Lease with its last claim.
    expect(await h.cluster.getClaim({ namespace: cp.namespace, name: agentClaimName(base.agent.id) })).toBeNull();
    expect(await h.leases.getLease({ namespace: cp.namespace, name: processLeaseName(`host-process/${winner.pid}`) })).toBeNull();
  });
});
