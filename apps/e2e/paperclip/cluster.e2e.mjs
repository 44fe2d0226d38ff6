#!/usr/bin/env node
// `pnpm test:paperclip-cluster`: the production topology on the real node. Runs inside the real-node world
// (apps/e2e/node/run.mjs --with-paperclip starts control plane + kubelet + containerd and imports the
// Paperclip image built by apps/e2e/node/paperclip-image.mjs), reading the world from CLIPJOB_NODE_STATE.
//
// Applies the deploy/ kustomization users apply (namespace, ServiceAccount, the generated Role and its
// binding, the RWX workspace claim, the Paperclip Deployment, its Service) with only what a one-node test
// cluster lacks added beside it: a hostPath-backed PersistentVolume for the claim, and the route a pod takes
// to the API server's `kubernetes` Service (this cluster runs no kube-proxy: one DNAT rule inside the
// harness's own network namespace, to a relay on the node address). Then checks that Paperclip gets Ready in a
// pod on the real node (authenticated mode), claims it with the bootstrap invite, installs the plugin through
// the API, and runs an agent's heartbeats as Jobs with the real claude (scripted Anthropic API), the second
// resuming the first's session from the shared volume; a board cancel of a running heartbeat deletes its Job;
// a company skill and the agent's instructions reach claude in its Job through the shared volume;
// deleting the Paperclip pod mid-run keeps the Job, and after the board's reconciliation of the interrupted run
// (README, troubleshooting) the task's next run in the new pod reattaches it and streams its whole transcript.
import fs from "node:fs";
import path from "node:path";
import { KubeClient, readKubeconfig, waitFor } from "../control-plane/lib.mjs";
import { PAPERCLIP_IMAGE } from "../node/paperclip-image.mjs";
import { boardClient, collection, deployManifests, NAMESPACE, runLog, topologyAccess } from "./topology-access.mjs";
/** Bounds only (a hung suite ends); every wait is for a condition. Paperclip's first start runs initdb and its migrations. */
const POD_MS = Number(process.env.CLIPJOB_PAPERCLIP_POD_MS ?? 300_000);

if (!process.env.CLIPJOB_NODE_STATE) {
  process.stderr.write("run through the real-node world: node apps/e2e/node/run.mjs --with-paperclip -- node apps/e2e/paperclip/cluster.e2e.mjs (pnpm test:paperclip-cluster)\n");
  process.exit(2);
}
const world = JSON.parse(fs.readFileSync(process.env.CLIPJOB_NODE_STATE, "utf8"));
const admin = new KubeClient(readKubeconfig(world.kubeconfigAdmin));
const log = (m) => process.stderr.write(`[paperclip-cluster ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const { serviceRoute, workspaceVolume, podsOf, podLog } = topologyAccess({ world, admin, log });

let passed = 0;
let failed = 0;
const report = [];
async function step(name, fn) {
  const t = Date.now();
  try {
    const out = await fn();
    passed += 1;
    report.push(`ok    ${name}`);
    log(`ok    ${name} (${Date.now() - t} ms)`);
    return out;
  } catch (e) {
    failed += 1;
    report.push(`FAIL  ${name}: ${String(e.message).split("\n")[0]}`);
    log(`FAIL  ${name}: ${e.stack ?? e}`);
    return undefined;
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}


let route;
const created = [];
let tornDown = null;
/** Removes what the suite made (namespace, volume, route); idempotent, also on SIGINT/SIGTERM. */
function teardown() {
  tornDown ??= (async () => {
    // Deleting the namespace removes every namespaced object (and the pods); the PersistentVolume is cluster-wide.
    for (const object of created.filter((o) => o.kind === "Namespace" || o.kind === "PersistentVolume")) {
      await admin.delete(`${collection(object)}/${object.metadata.name}`).catch(() => undefined);
    }
    if (created.length) {
      await waitFor(async () => !(await admin.get(`/api/v1/namespaces/${NAMESPACE}`).catch(() => null)), { timeoutMs: 180_000, intervalMs: 1000, what: `namespace ${NAMESPACE} gone` }).catch((e) => {
        failed += 1;
        report.push(`FAIL  teardown: ${e.message}`);
      });
    }
    await route?.stop();
  })();
  return tornDown;
}
for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => teardown().finally(() => process.exit(sig === "SIGINT" ? 130 : 143)));
try {
  route = await serviceRoute();
  const manifests = deployManifests();
  const claim = manifests.find((m) => m.kind === "PersistentVolumeClaim");

  await step("deploy/ applies as users apply it (plus a hostPath PersistentVolume for its claim)", async () => {
    for (const object of [...manifests.slice(0, manifests.indexOf(claim)), workspaceVolume(claim), ...manifests.slice(manifests.indexOf(claim))]) {
      await admin.post(collection(object), object);
      created.push(object);
    }
    const deployment = manifests.find((m) => m.kind === "Deployment");
    assert(deployment.spec.template.spec.containers[0].image === PAPERCLIP_IMAGE.replace("docker.io/library/", ""), `deploy/ runs ${deployment.spec.template.spec.containers[0].image}, the suite built ${PAPERCLIP_IMAGE}`);
  });

  const pod = await step("Paperclip runs in a pod on the real node under its own ServiceAccount, the workspace volume at /paperclip, and becomes Ready", async () => {
    let last;
    try {
      await waitFor(async () => {
        [last] = await podsOf();
        const ready = last?.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
        return ready;
      }, { timeoutMs: POD_MS, intervalMs: 1000, what: "the Paperclip pod Ready" });
    } catch (e) {
      const statuses = JSON.stringify(last?.status?.containerStatuses ?? last?.status ?? null);
      throw new Error(`${e.message}; pod ${last?.metadata?.name}: ${statuses}\n--- its log ---\n${last ? await podLog(last.metadata.name, (last.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0) : "(no pod)"}`);
    }
    assert(last.spec.nodeName === world.nodeName, `scheduled on ${last.spec.nodeName}`);
    assert(last.spec.serviceAccountName === "paperclip", `service account ${last.spec.serviceAccountName}`);
    const mount = last.spec.containers[0].volumeMounts.find((m) => m.mountPath === "/paperclip");
    assert(mount, "no volume at /paperclip");
    return last;
  });

  const board = pod ? boardClient(pod.status.podIP) : null;
  await step("Paperclip answers /api/health on the pod address, in its authenticated mode", async () => {
    assert(board, "no pod");
    // Ready comes first: /api/health answers 200 with status "starting" until Paperclip's startup tasks are done.
    let health;
    await waitFor(async () => (health = await board.call("GET", "/health")).status !== "starting", { timeoutMs: 120_000, intervalMs: 1000, what: "health past starting" });
    assert(health.status === "ok", `health ${JSON.stringify(health)}`);
    assert(health.deploymentMode === "authenticated", `deploymentMode ${health.deploymentMode}`);
  });

  await step("the first user claims the instance with the bootstrap invite the pod's log shows", async () => {
    assert(board, "no pod");
    let token;
    await waitFor(async () => {
      token = /\/invite\/([A-Za-z0-9_-]+)/.exec(await podLog(pod.metadata.name, false, 2000))?.[1];
      return token;
    }, { timeoutMs: 60_000, intervalMs: 1000, what: "the bootstrap invite URL in the pod log" });
    await board.call("POST", "/auth/sign-up/email", { name: "Cluster Admin", email: "admin@example.test", password: "correct-horse-battery-staple" });
    await board.call("POST", `/invites/${token}/accept`, { requestType: "human" });
  });

  await step("the plugin is installed through Paperclip's API from its packed tarball on the shared volume (npm in the pod, no registry)", async () => {
    assert(board, "no pod");
    // Packed by run.mjs outside the namespace (its build needs the registry); copied onto the volume.
    const tarball = process.env.CLIPJOB_PAPERCLIP_PLUGIN_TGZ;
    assert(tarball && fs.existsSync(tarball), `no packed plugin (CLIPJOB_PAPERCLIP_PLUGIN_TGZ=${tarball}): start through run.mjs --with-paperclip`);
    const plugins = path.join(world.sharedDir, `paperclip-data-${process.pid}`, "plugins");
    fs.mkdirSync(plugins, { recursive: true });
    fs.copyFileSync(tarball, path.join(plugins, path.basename(tarball)));
    // Paperclip npm-installs `packageName@version` in its plugin directory on the volume and loads it from there.
    const installed = await board.call("POST", "/adapters/install", { packageName: "@clipjob/paperclip-adapter", version: `file:/paperclip/plugins/${path.basename(tarball)}` }, 240_000);
    assert(installed.type === "claude_k8s" && installed.packageName === "@clipjob/paperclip-adapter", `install: ${JSON.stringify(installed)}`);
  });

  const first = await step("a heartbeat of an agent with the default (kubernetes) config runs as a Job beside the Paperclip pod, the real claude talking to the scripted API", async () => {
    assert(board && world.scriptedApiUrl, "no pod or no scripted API");
    const company = await board.call("POST", "/companies", { name: "Cluster Co" });
    const env = { ANTHROPIC_BASE_URL: `${world.scriptedApiUrl}/s/text`, ANTHROPIC_API_KEY: "sk-ant-api03-scripted-real-node", DISABLE_TELEMETRY: "1", DISABLE_ERROR_REPORTING: "1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", DISABLE_AUTOUPDATER: "1", CLAUDE_CODE_MAX_RETRIES: "2" };
    const agent = await board.call("POST", `/companies/${company.id}/agents`, { name: "Cluster Agent", role: "engineer", adapterType: "claude_k8s", adapterConfig: { env }, runtimeConfig: { heartbeat: { enabled: false } } });
    const queued = await board.call("POST", `/agents/${agent.id}/wakeup`, { source: "on_demand", triggerDetail: "manual", reason: "cluster e2e" });
    let run;
    await waitFor(async () => {
      run = await board.call("GET", `/heartbeat-runs/${queued.id}`);
      if (["failed", "cancelled", "timed_out", "interrupted"].includes(run.status)) throw new Error(`run ended ${run.status}/${run.errorCode}: ${run.error}`);
      return run.status === "succeeded";
    }, { timeoutMs: 240_000, intervalMs: 1000, what: "the heartbeat run succeeded" });
    const log = await runLog(board, queued.id);
    // Host introspection: the Job went to the Paperclip pod's own namespace (the default config names none).
    assert(new RegExp(`Created Job \\S+ in namespace ${NAMESPACE} `).test(log), `the run log does not say a Job was created in ${NAMESPACE}:\n${log.slice(0, 3000)}`);
    // The real claude ran in the workspace on the shared volume and asked the scripted API.
    assert(/"subtype":"init","cwd":"\/paperclip\/instances\//.test(log), `no claude init in a /paperclip workspace:\n${log.slice(0, 3000)}`);
    const recorded = await (await fetch(`${world.scriptedApiUrl}/_requests`)).json();
    const requests = Array.isArray(recorded) ? recorded : (recorded.requests ?? []);
    assert(requests.some((r) => r.scenario === "text"), `the scripted API saw no request of scenario text: ${JSON.stringify(recorded).slice(0, 500)}`);
    assert(typeof run.sessionIdAfter === "string" && run.sessionIdAfter.length > 0, `sessionIdAfter ${run.sessionIdAfter}`);
    return { agent, run, env, company };
  });

  await step("the agent's next heartbeat resumes that session in a new Job (claude --resume, its session file on the volume)", async () => {
    assert(first, "no first heartbeat");
    const queued = await board.call("POST", `/agents/${first.agent.id}/wakeup`, { source: "on_demand", triggerDetail: "manual", reason: "cluster e2e, second" });
    let run;
    await waitFor(async () => {
      run = await board.call("GET", `/heartbeat-runs/${queued.id}`);
      if (["failed", "cancelled", "timed_out", "interrupted"].includes(run.status)) throw new Error(`run ended ${run.status}/${run.errorCode}: ${run.error}`);
      return run.status === "succeeded";
    }, { timeoutMs: 240_000, intervalMs: 1000, what: "the second heartbeat run succeeded" });
    const events = await board.call("GET", `/heartbeat-runs/${run.id}/events?afterSeq=0&limit=200`);
    const invoke = (Array.isArray(events) ? events : (events.events ?? [])).find((e) => e.eventType === "adapter.invoke");
    const args = invoke?.payload?.commandArgs ?? [];
    assert(args[args.indexOf("--resume") + 1] === first.run.sessionIdAfter, `args ${JSON.stringify(args)} vs session ${first.run.sessionIdAfter}`);
    assert(run.sessionIdAfter === first.run.sessionIdAfter, `session changed: ${run.sessionIdAfter}`);
  });

  await step("a board cancel of a running heartbeat answers 2xx, the run ends cancelled (acknowledged) and its Job is deleted from the cluster", async () => {
    assert(first, "no first heartbeat");
    // A reply whose SSE events come 30 s apart: claude is still waiting on it when the run is cancelled.
    const scenario = `cancel-slow-${process.pid}`;
    const defined = await fetch(`${world.scriptedApiUrl}/_scenarios/${scenario}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ turns: [{ kind: "reply", content: [{ type: "text", text: "a slow answer" }], delayMs: 30_000, chunkChars: 2 }] }) });
    assert(defined.ok, `scenario: ${defined.status} ${await defined.text()}`);
    const env = { ...first.env, ANTHROPIC_BASE_URL: `${world.scriptedApiUrl}/s/${scenario}` };
    const agent = await board.call("POST", `/companies/${first.company.id}/agents`, { name: "Cancel Agent", role: "engineer", adapterType: "claude_k8s", adapterConfig: { env }, runtimeConfig: { heartbeat: { enabled: false } } });
    const queued = await board.call("POST", `/agents/${agent.id}/wakeup`, { source: "on_demand", triggerDetail: "manual", reason: "cluster e2e, to cancel" });
    let job;
    await waitFor(async () => {
      const log = await runLog(board, queued.id);
      job = new RegExp(`Created Job (\\S+) in namespace ${NAMESPACE} `).exec(log)?.[1];
      return job && /"subtype":"init"/.test(log);
    }, { timeoutMs: 180_000, intervalMs: 1000, what: "the run's claude started in its Job" });
    assert((await admin.get(`/apis/batch/v1/namespaces/${NAMESPACE}/jobs/${job}`).catch(() => null))?.metadata?.name === job, `Job ${job} not on the API server before the cancel`);
    // Paperclip answers only once the adapter has stopped, and 409s unless the result acknowledges the
    // cancellation (board.call rejects any status >= 300).
    await board.call("POST", `/heartbeat-runs/${queued.id}/cancel`, {}, 180_000);
    let run;
    await waitFor(async () => {
      run = await board.call("GET", `/heartbeat-runs/${queued.id}`);
      if (["succeeded", "failed", "timed_out", "interrupted"].includes(run.status)) throw new Error(`run ended ${run.status}/${run.errorCode}: ${run.error}`);
      return run.status === "cancelled";
    }, { timeoutMs: 60_000, intervalMs: 1000, what: "the run cancelled" });
    assert(run.errorCode === "cancelled", `errorCode ${run.errorCode}`);
    assert(run.resultJson?.executionCancellation?.state === "acknowledged", `resultJson ${JSON.stringify(run.resultJson)}`);
    await waitFor(async () => !(await admin.get(`/apis/batch/v1/namespaces/${NAMESPACE}/jobs/${job}`).catch(() => null)), { timeoutMs: 120_000, intervalMs: 1000, what: `Job ${job} deleted from the API server` });
    let log = "";
    await waitFor(async () => {
      log = await runLog(board, queued.id);
      return log.includes(`[clipjob] Job ${NAMESPACE}/${job} deleted`);
    }, { timeoutMs: 30_000, intervalMs: 1000, what: "the Job-deleted line in the run log" }).catch((e) => {
      throw new Error(`${e.message}:\n${log.slice(-2000)}`);
    });
  });

  await step("skills and instructions Paperclip writes to the shared volume reach claude in the Job: a company skill given to the agent and its AGENTS.md are in the request claude sends", async () => {
    assert(first, "no first heartbeat");
    const scenario = `bundle-${process.pid}`;
    const defined = await fetch(`${world.scriptedApiUrl}/_scenarios/${scenario}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ turns: [{ kind: "reply", content: [{ type: "text", text: "Noted." }] }] }) });
    assert(defined.ok, `scenario: ${defined.status} ${await defined.text()}`);
    const env = { ...first.env, ANTHROPIC_BASE_URL: `${world.scriptedApiUrl}/s/${scenario}` };
    const agent = await board.call("POST", `/companies/${first.company.id}/agents`, { name: "Bundle Agent", role: "engineer", adapterType: "claude_k8s", adapterConfig: { env }, runtimeConfig: { heartbeat: { enabled: false } } });
    // What a user does on the board: a company skill, given to the agent on its Skills tab, and its instructions.
    const skillMarker = `ledger-${process.pid}-skill-marker`;
    const instructionsMarker = `ledger-${process.pid}-instructions-marker`;
    const skill = await board.call("POST", `/companies/${first.company.id}/skills`, { name: "Ledger Audit", slug: "ledger-audit", description: `Audits the ledger (${skillMarker}).`, markdown: `---\nname: ledger-audit\ndescription: Audits the ledger (${skillMarker}).\n---\n\n# Ledger audit\n\nCheck every entry.\n` });
    const synced = await board.call("POST", `/agents/${agent.id}/skills/sync`, { mode: "add", desiredSkills: [skill.key] });
    const entry = synced.entries.find((e) => e.key === skill.key);
    // The Skills tab: selected, and delivered to the agent's Jobs.
    assert(entry?.desired === true && entry.state === "configured" && /^Materialized into the PVC-backed prompt bundle/.test(entry.detail ?? ""), `skill entry ${JSON.stringify(entry)}`);
    await board.call("PUT", `/agents/${agent.id}/instructions-bundle/file`, { path: "AGENTS.md", content: `# Instructions\n\nSign every answer (${instructionsMarker}).\n` });
    const queued = await board.call("POST", `/agents/${agent.id}/wakeup`, { source: "on_demand", triggerDetail: "manual", reason: "cluster e2e, skills" });
    let run;
    await waitFor(async () => {
      run = await board.call("GET", `/heartbeat-runs/${queued.id}`);
      if (["failed", "cancelled", "timed_out", "interrupted"].includes(run.status)) throw new Error(`run ended ${run.status}/${run.errorCode}: ${run.error}\n${(await runLog(board, queued.id)).slice(-3000)}`);
      return run.status === "succeeded";
    }, { timeoutMs: 240_000, intervalMs: 1000, what: "the run succeeded" });
    const events = await board.call("GET", `/heartbeat-runs/${run.id}/events?afterSeq=0&limit=200`);
    const invoke = (Array.isArray(events) ? events : (events.events ?? [])).find((e) => e.eventType === "adapter.invoke")?.payload ?? {};
    const args = invoke.commandArgs ?? [];
    const bundleDir = args[args.indexOf("--add-dir") + 1] ?? "";
    assert(bundleDir.startsWith("/paperclip/instances/default/"), `--add-dir ${bundleDir} (args ${JSON.stringify(args)})`);
    assert(args[args.indexOf("--append-system-prompt-file") + 1] === `${bundleDir}/agent-instructions.md`, `args ${JSON.stringify(args)}`);
    assert((invoke.commandNotes ?? []).some((n) => /^skills delivered \(\d+\): .*ledger-audit/.test(n)), `notes ${JSON.stringify(invoke.commandNotes)}`);
    // On the volume, where Paperclip and the Job both see it: the skill linked into the bundle, the instructions copied.
    const onVolume = path.join(world.sharedDir, `paperclip-data-${process.pid}`, path.relative("/paperclip", bundleDir));
    assert(fs.readFileSync(path.join(onVolume, "agent-instructions.md"), "utf8").includes(instructionsMarker), `no instructions in ${onVolume}`);
    assert(fs.readdirSync(path.join(onVolume, ".claude/skills")).some((name) => name.startsWith("ledger-audit")), `skills in ${onVolume}: ${fs.readdirSync(path.join(onVolume, ".claude/skills"))}`);
    // What claude sent the API from the Job: the instructions in its system prompt, the skill among its skills.
    const requests = await (await fetch(`${world.scriptedApiUrl}/_requests?scenario=${scenario}`)).json();
    const main = requests.find((r) => JSON.stringify(r.body?.system ?? "").includes(instructionsMarker));
    assert(main, `no request of ${scenario} carries the instructions in its system prompt: ${JSON.stringify(requests.map((r) => JSON.stringify(r.body?.system ?? "").slice(0, 300)))}`);
    assert(JSON.stringify(main.body).includes(skillMarker), `the request does not list the skill: tools ${JSON.stringify((main.body.tools ?? []).map((t) => t.name))}`);
  });

  await step("deleting the Paperclip pod mid-run keeps the Job running; after the board reconciles the interrupted run through the API, the task's next run in the new pod reattaches it with its whole transcript (no second Job)", async () => {
    assert(first, "no first heartbeat");
    // The reply stops after its first delta (gate held) until the test opens the gate: claude is mid-reply while
    // the pod is replaced, whatever the load, and finishes only once the next run has reattached.
    const scenario = `reattach-${process.pid}`;
    const gate = `reattach-${process.pid}`;
    const answer = "one two three four five six seven eight";
    const defined = await fetch(`${world.scriptedApiUrl}/_scenarios/${scenario}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ turns: [{ kind: "reply", content: [{ type: "text", text: answer }], chunkChars: 4, gate: { name: gate, afterEvents: 4 } }] }) });
    assert(defined.ok, `scenario: ${defined.status} ${await defined.text()}`);
    const gateState = async () => (await fetch(`${world.scriptedApiUrl}/_gates/${gate}`)).json();
    const env = { ...first.env, ANTHROPIC_BASE_URL: `${world.scriptedApiUrl}/s/${scenario}` };
    const agent = await board.call("POST", `/companies/${first.company.id}/agents`, { name: "Reattach Agent", role: "engineer", adapterType: "claude_k8s", adapterConfig: { env }, runtimeConfig: { heartbeat: { enabled: false } } });
    // A task: the guard adopts a Job only for a run of the same task. Assigning a todo issue wakes the agent.
    const issue = await board.call("POST", `/companies/${first.company.id}/issues`, { title: "Reattach after a Paperclip restart", description: "cluster e2e", status: "todo", assigneeAgentId: agent.id });
    const runsOfAgent = async (client) => {
      const runs = await client.call("GET", `/companies/${first.company.id}/heartbeat-runs?agentId=${agent.id}`);
      return Array.isArray(runs) ? runs : [];
    };
    let interrupted;
    await waitFor(async () => (interrupted = (await runsOfAgent(board))[0]), { timeoutMs: 60_000, intervalMs: 1000, what: "the assignment's heartbeat run" });
    let job;
    await waitFor(async () => {
      const log = await runLog(board, interrupted.id).catch(() => "");
      job = new RegExp(`Created Job (\\S+) in namespace ${NAMESPACE} `).exec(log)?.[1];
      return job && /"subtype":"init"/.test(log) && (await gateState()).held === 1;
    }, { timeoutMs: 180_000, intervalMs: 1000, what: "the run's claude mid-reply in its Job" });

    const [old] = await podsOf();
    await admin.delete(`/api/v1/namespaces/${NAMESPACE}/pods/${old.metadata.name}`);
    let next;
    await waitFor(async () => {
      next = (await podsOf()).find((p) => p.metadata.name !== old.metadata.name && !p.metadata.deletionTimestamp);
      return next?.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    }, { timeoutMs: POD_MS, intervalMs: 1000, what: "the Deployment's new Paperclip pod Ready" });
    const again = boardClient(next.status.podIP);
    await again.call("POST", "/auth/sign-in/email", { email: "admin@example.test", password: "correct-horse-battery-staple" });
    // Paperclip's own graceful shutdown ran (its drain marks the run; no retry for an adapter without a local child) ...
    const before = await again.call("GET", `/heartbeat-runs/${interrupted.id}`);
    assert(before.status === "interrupted" && before.errorCode === "server_shutdown_interrupted", `the run of the deleted pod: ${before.status}/${before.errorCode}: ${before.error}`);
    // ... and the plugin kept the Job: its claude is still waiting for the rest of its reply.
    const kept = await admin.get(`/apis/batch/v1/namespaces/${NAMESPACE}/jobs/${job}`).catch(() => null);
    assert(kept && !kept.metadata.deletionTimestamp && (await gateState()).held === 1, `Job ${job} not running after the restart: ${JSON.stringify(kept?.status ?? null)}`);
    // Paperclip blocks the task until a board user reconciles the run (it cannot tell that the Job still works).
    let blocked;
    await waitFor(async () => {
      blocked = await again.call("GET", `/issues/${issue.id}`);
      return blocked.executionBlocker?.cause === "legacy_execution_requires_reconciliation";
    }, { timeoutMs: 120_000, intervalMs: 2000, what: "the task blocked for reconciliation" }).catch((e) => {
      throw new Error(`${e.message}: issue ${blocked?.status}, executionBlocker ${JSON.stringify(blocked?.executionBlocker)}`);
    });
    assert(blocked.executionBlocker.runId === interrupted.id, `the blocker names run ${blocked.executionBlocker.runId}, not ${interrupted.id}`);

    // The user's step, as the README's troubleshooting gives it: a board API key, then the reconciliation.
    const key = await again.call("POST", "/board-api-keys", { name: "reconcile after restart" });
    const user = boardClient(next.status.podIP, { bearer: key.token });
    await user.call("POST", `/issues/${issue.id}/recovery-actions/resolve`, {
      actionId: blocked.executionBlocker.recoveryActionId,
      outcome: "restored",
      sourceIssueStatus: "todo",
      executionReconciliation: { runId: interrupted.id, providerStopped: true, actionOutcome: "not_performed", outcomeEvidence: `claude_k8s kept Job ${job}; the next run of this task reattaches to it.` },
    });
    let continued;
    await waitFor(async () => {
      continued = (await runsOfAgent(again)).find((r) => r.id !== interrupted.id);
      return continued && (await runLog(again, continued.id).catch(() => "")).includes(`Reattached to Job ${job}`);
    }, { timeoutMs: 180_000, intervalMs: 2000, what: "the task's next run reattached to the Job" }).catch(async (e) => {
      throw new Error(`${e.message}: run ${continued?.id} ${continued?.status}/${continued?.errorCode}: ${continued?.error}\n${continued ? (await runLog(again, continued.id).catch(() => "")).slice(-3000) : ""}`);
    });
    const opened = await (await fetch(`${world.scriptedApiUrl}/_gates/${gate}`, { method: "POST" })).json();
    assert(opened.open === true, `gate: ${JSON.stringify(opened)}`);
    let run;
    await waitFor(async () => {
      run = await again.call("GET", `/heartbeat-runs/${continued.id}`);
      if (["failed", "cancelled", "timed_out", "interrupted"].includes(run.status)) throw new Error(`the next run ended ${run.status}/${run.errorCode}: ${run.error}\n${(await runLog(again, continued.id)).slice(-3000)}`);
      return run.status === "succeeded";
    }, { timeoutMs: 240_000, intervalMs: 2000, what: "the next run succeeded" });
    const text = await runLog(again, continued.id);
    assert(text.includes(`Reattached to Job ${job} from an earlier run (${interrupted.id})`), `the next run does not name the interrupted run:\n${text.slice(0, 3000)}`);
    assert(!/Created Job /.test(text), `the next run created a Job:\n${text.slice(0, 3000)}`);
    const count = (re) => (text.match(re) ?? []).length;
    // The whole transcript, from the start, once: claude's init (written before the restart), its reply, its result.
    assert(count(/"subtype":"init"/g) === 1, `init lines: ${count(/"subtype":"init"/g)}:\n${text.slice(0, 3000)}`);
    assert(count(/"type":"assistant"/g) === 1, `assistant lines: ${count(/"type":"assistant"/g)}:\n${text.slice(0, 3000)}`);
    assert(count(/"type":"result"/g) === 1 && text.includes(answer), `result lines: ${count(/"type":"result"/g)}:\n${text.slice(-3000)}`);
    const jobs = (await admin.get(`/apis/batch/v1/namespaces/${NAMESPACE}/jobs`, { labelSelector: `paperclip.io/agent-id=${agent.id}` })).items.map((j) => j.metadata.name);
    assert(jobs.every((name) => name === job), `Jobs of the agent: ${JSON.stringify(jobs)} (expected only ${job})`);
  });
} catch (e) {
  failed += 1;
  report.push(`FAIL  setup: ${e.message}`);
  log(`${e.stack ?? e}`);
} finally {
  await teardown();
}

process.stdout.write(`\n${report.join("\n")}\n\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
