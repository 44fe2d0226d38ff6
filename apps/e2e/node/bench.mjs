#!/usr/bin/env node
// Real-node benchmark: fault-free runs of the real `claude` (one Bash tool call, then text) through core's
// runAgentJob with k8s-infra's adapters, as the adapter ServiceAccount, measured one at a time:
//
//   Job created → first transcript line      (pod scheduling, sandbox, container start, claude start, log follow)
//   result line → outcome                    (claude exits right after its result: container exit, kubelet
//                                             status, Job condition, cleanup; the run's own settling)
//   API requests per run                     (counted at the API server from its audit log, by auditID)
//
// Runs inside the real-node world: node apps/e2e/node/run.mjs --skip-build -- node apps/e2e/node/bench.mjs [runs]
// Prints a Markdown table and writes it, with its date and command, to apps/e2e/node/last-bench.json (committed:
// `pnpm bench` puts it into docs/benchmarks.md). Uses the built packages (run.mjs builds them).
import fs from 'node:fs';
import { AgentLocks, runAgentJob, systemClock } from '@clipjob/core';
import { KubeClusterAdapter, KubeHostAdapter, KubeLeaseAdapter, KubeLogAdapter, loadKubeConfig } from '@clipjob/k8s-infra';

const world = JSON.parse(fs.readFileSync(process.env.CLIPJOB_NODE_STATE ?? '', 'utf8'));
const runs = Number(process.argv[2] ?? 5);
const loaded = loadKubeConfig({ kubeconfigPath: world.kubeconfigAdapter });
if (!loaded.ok) throw new Error(loaded.error.message);
const kc = loaded.value;
const deps = {
  cluster: new KubeClusterAdapter(kc), logs: new KubeLogAdapter(kc), host: new KubeHostAdapter(kc, { cache: new Map() }),
  leases: new KubeLeaseAdapter(kc), clock: systemClock, defaultNamespace: world.namespace, locks: new AgentLocks(),
};
const scenario = `bench-${Date.now().toString(36)}`;
const put = await fetch(`${world.scriptedApiUrl}/_scenarios/${scenario}`, {
  method: 'PUT', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ turns: [
    { kind: 'reply', content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo benchmark', description: 'Run a command' } }] },
    { kind: 'reply', content: [{ type: 'text', text: 'Done.' }] },
  ] }),
});
if (!put.ok) throw new Error(`scenario: ${put.status}`);

const user = `system:serviceaccount:${world.namespace}:clipjob-adapter`;
/** The adapter's requests between two instants, once per auditID, as "verb resource[/sub]". */
function auditedRequests(fromMs, toMs) {
  const seen = new Map();
  for (const line of fs.readFileSync(world.auditLogFile, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line);
    if (e.user?.username !== user || seen.has(e.auditID)) continue;
    const at = Date.parse(e.requestReceivedTimestamp);
    if (at < fromMs || at > toMs) continue;
    const r = e.objectRef ?? {};
    seen.set(e.auditID, `${e.verb} ${r.resource ?? e.requestURI}${r.subresource ? `/${r.subresource}` : ''}`);
  }
  return [...seen.values()];
}

const rows = [];
for (let i = 0; i < runs; i++) {
  const t = { start: Date.now() };
  const outcome = await runAgentJob(deps, {
    runId: `bench-${i}-${Date.now().toString(36)}`,
    agent: { id: `bench-agent-${i}`, companyId: 'company-1', name: 'Bench' },
    taskId: `bench-task-${i}`,
    config: {
      image: world.agentImage, namespace: world.namespace, graceSec: 5,
      env: { ANTHROPIC_BASE_URL: `${world.scriptedApiUrl}/s/${scenario}`, ANTHROPIC_API_KEY: 'sk-ant-api03-bench', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1' },
    },
  }, {
    observer: {
      onJob: () => { t.job = Date.now(); },
      onLine: (stream, line) => {
        t.first ??= Date.now();
        if (stream === 'stdout' && line.includes('"type":"result"')) t.result = Date.now();
      },
    },
  });
  t.end = Date.now();
  // The audit log is written as requests complete: wait until the run's last request (the Job delete) is there.
  let requests = auditedRequests(t.start, t.end + 1000);
  for (let w = 0; w < 50 && !requests.some((r) => r.startsWith('delete jobs')); w++) {
    await new Promise((r) => setTimeout(r, 100));
    requests = auditedRequests(t.start, t.end + 1000);
  }
  rows.push({ status: outcome.status, firstLine: t.first - t.job, settle: t.end - t.result, total: t.end - t.start, requests });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const byKind = (reqs) => Object.entries(reqs.reduce((m, r) => ({ ...m, [r]: (m[r] ?? 0) + 1 }), {})).sort().map(([k, n]) => `${k} ${n}`).join(', ');
console.log(`| Run | Outcome | Job created → first line (ms) | result line → outcome (ms) | whole run (ms) | API requests |`);
console.log(`| --- | --- | --- | --- | --- | --- |`);
rows.forEach((r, i) => console.log(`| ${i + 1} | ${r.status} | ${r.firstLine} | ${r.settle} | ${r.total} | ${r.requests.length} |`));
console.log(`| median | | ${median(rows.map((r) => r.firstLine))} | ${median(rows.map((r) => r.settle))} | ${median(rows.map((r) => r.total))} | ${median(rows.map((r) => r.requests.length))} |`);
console.log(`\nRequests of run 1: ${byKind(rows[0].requests)}`);
deps.cluster.close();

const counts = (reqs) => reqs.reduce((m, r) => ({ ...m, [r]: (m[r] ?? 0) + 1 }), {});
const os = await import('node:os');
fs.writeFileSync(new URL('./last-bench.json', import.meta.url), `${JSON.stringify({
  measuredAt: new Date().toISOString(),
  command: `node apps/e2e/node/run.mjs --skip-build -- node apps/e2e/node/bench.mjs ${runs}`,
  loadAverage: os.loadavg()[0],
  cores: os.cpus().length,
  runs: rows.map((r) => ({ status: r.status, jobToFirstLineMs: r.firstLine, resultToOutcomeMs: r.settle, wholeRunMs: r.total, requestsByKind: counts(r.requests) })),
}, null, 2)}\n`);
