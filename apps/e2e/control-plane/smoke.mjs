#!/usr/bin/env node
// Smoke test of the e2e control plane: start it, then act as the least-privilege adapter ServiceAccount
// (bearer token from adapter.kubeconfig, CA-verified HTTPS, no npm deps) and check the Job lifecycle the
// clipjob adapter relies on. Prints a report; exit code 1 on any failure.
//
//   node apps/e2e/control-plane/smoke.mjs [--keep] [--logs sim|kwok]
//     --keep   keep the state dir (logs of every process) even on success
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { startControlPlane } from './start.mjs';
import { KubeClient, readKubeconfig, readAll, sleep } from './lib.mjs';
import { appendLog, jobLogPath, terminatePod } from './kubelet-sim.mjs';

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const logsMode = args.includes('--logs') ? args[args.indexOf('--logs') + 1] : 'sim';

const results = [];
const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
function check(name, ok, detail = '') {
  results.push({ name, ok: !!ok, detail });
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}\n`);
  return !!ok;
}

/** List + watch until pred(items) returns truthy; returns that value. onEvent sees every event. */
async function watchUntil(client, listPath, query, pred, { timeoutMs = 60000, onEvent = () => {} } = {}) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const items = new Map();
  let result;
  try {
    const list = await client.get(listPath, query);
    for (const it of list.items) items.set(it.metadata.uid, it);
    result = pred([...items.values()], null);
    let rv = list.metadata.resourceVersion;
    while (!result && !ac.signal.aborted) {
      await client.watch(listPath, { ...query, resourceVersion: rv }, (ev) => {
        if (ev.type === 'BOOKMARK') { rv = ev.object.metadata.resourceVersion; return; }
        if (ev.type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(ev.object)}`);
        rv = ev.object.metadata.resourceVersion;
        if (ev.type === 'DELETED') items.delete(ev.object.metadata.uid);
        else items.set(ev.object.metadata.uid, ev.object);
        onEvent(ev);
        result = pred([...items.values()], ev);
        if (result) ac.abort();
      }, ac.signal);
    }
  } finally {
    clearTimeout(timer);
  }
  if (!result) throw new Error(`watch ${listPath} ${JSON.stringify(query)}: condition not met within ${timeoutMs} ms`);
  return result;
}

/** Stream GET pods/log; resolves { text, endedAt, status } when the server ends the response or timeout. */
function streamLog(client, ns, pod, query, { timeoutMs = 30000, onChunk = () => {} } = {}) {
  return new Promise((resolve, reject) => {
    const ac = new AbortController();
    let text = '';
    const timer = setTimeout(() => { ac.abort(); resolve({ text, endedAt: null, timedOut: true }); }, timeoutMs);
    client.raw('GET', `/api/v1/namespaces/${ns}/pods/${pod}/log`, { query, signal: ac.signal, headers: { Accept: '*/*' } })
      .then(async (res) => {
        if (res.statusCode !== 200) {
          clearTimeout(timer);
          return resolve({ status: res.statusCode, text: await readAll(res), endedAt: Date.now() });
        }
        res.setEncoding('utf8');
        res.on('data', (c) => { text += c; onChunk(c); });
        res.on('end', () => { clearTimeout(timer); resolve({ status: 200, text, endedAt: Date.now() }); });
        res.on('error', (e) => { clearTimeout(timer); if (ac.signal.aborted) resolve({ text, endedAt: null, timedOut: true }); else reject(e); });
      })
      .catch((e) => { clearTimeout(timer); if (ac.signal.aborted) resolve({ text, endedAt: null, timedOut: true }); else reject(e); });
  });
}

function jobSpec(name, env, { annotations } = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { app: 'clipjob-smoke' } },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: { app: 'clipjob-smoke' }, ...(annotations ? { annotations } : {}) },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'claude', image: 'example.invalid/claude:latest', command: ['claude'], env }],
        },
      },
    },
  };
}

const condTypes = (job) => (job.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type);

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipjob-smoke-'));
  process.stdout.write(`state dir: ${dir}\n`);
  let cp;
  let failed = false;
  try {
    const tStart = Date.now();
    cp = await startControlPlane({ dir, logs: logsMode });
    check('control plane started', true, `${Date.now() - tStart} ms (${JSON.stringify(cp.timings)})`);
    const ns = cp.namespace;

    // The adapter identity, exactly as a test/adapter would load it.
    const kc = readKubeconfig(cp.kubeconfigAdapter);
    const sa = new KubeClient(kc);
    check('adapter kubeconfig has token + CA + namespace', kc.token && kc.ca && kc.namespace === ns);

    // --- RBAC
    const ssar = (ra) => sa.post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: ra },
    }).then((r) => r.status.allowed === true);
    check('SA can create SelfSubjectAccessReview (system:basic-user) and may create jobs',
      await ssar({ namespace: ns, group: 'batch', resource: 'jobs', verb: 'create' }));
    check('SSAR: SA may get pods/log', await ssar({ namespace: ns, resource: 'pods', subresource: 'log', verb: 'get' }));
    check('SSAR: SA may NOT list secrets', !(await ssar({ namespace: ns, resource: 'secrets', verb: 'list' })));
    const forb = await sa.get('/api/v1/namespaces/default/pods').then(() => 200, (e) => e.status);
    check('SA gets 403 outside its namespace', forb === 403, `status ${forb}`);

    const jobs = `/apis/batch/v1/namespaces/${ns}/jobs`;
    const pods = `/api/v1/namespaces/${ns}/pods`;

    // ------------------------------------------------------------------ Job 1: succeeds, with logs
    const j1 = 'smoke-ok';
    // sim: per-Job file with "<RFC3339Nano> <line>" lines; kwok: its ClusterLogs file, CRI format, shared
    // by every pod of the namespace.
    const j1log = jobLogPath(cp.logsDir, ns, j1);
    const writeLog = (text) => logsMode === 'sim'
      ? appendLog(j1log, text)
      : fs.appendFileSync(cp.kwokLogFile, text.split('\n').map((l) => `${new Date().toISOString()} stdout F ${l}\n`).join(''));
    writeLog('{"type":"system","subtype":"init"}\n{"type":"assistant","message":"hello"}');
    await sa.post(jobs, jobSpec(j1, [{ name: 'CLIPJOB_SIM_RUN_FOR', value: '4s' }, { name: 'CLIPJOB_SIM_EXIT_CODE', value: '0' }]));
    const phases = [];
    const seenPhase = (p) => { const ph = p.status?.phase; if (ph && phases[phases.length - 1] !== ph) phases.push(ph); };
    const running = await watchUntil(sa, pods, { labelSelector: `batch.kubernetes.io/job-name=${j1}` },
      (items) => items.find((p) => (seenPhase(p), p.status?.phase === 'Running')), { timeoutMs: 60000 });
    check('pod scheduled to the kwok node', running.spec.nodeName === cp.nodeName &&
      running.status.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'True'), `nodeName=${running.spec.nodeName}`);
    check('pod reached Running', true, `${running.metadata.name} at ${since()}`);

    // follow the log through the API server while it runs; append a line mid-run.
    const followP = streamLog(sa, ns, running.metadata.name, { container: 'claude', follow: 'true', timestamps: 'true' }, { timeoutMs: 25000 });
    await sleep(1000);
    writeLog('{"type":"result","subtype":"success"}');
    const done = await watchUntil(sa, pods, { labelSelector: `batch.kubernetes.io/job-name=${j1}` },
      (items) => items.find((p) => (seenPhase(p), ['Succeeded', 'Failed'].includes(p.status?.phase))), { timeoutMs: 30000 });
    const podDoneAt = Date.now();
    const term = done.status.containerStatuses?.[0]?.state?.terminated;
    check('pod Succeeded with exit code 0', done.status.phase === 'Succeeded' && term?.exitCode === 0,
      `phases ${phases.join('→')}, terminated=${JSON.stringify(term && { exitCode: term.exitCode, reason: term.reason })}`);
    const follow = await followP;
    const lines = follow.text.trimEnd().split('\n');
    check('pods/log follow streamed all lines incl. one appended mid-run', lines.length === 3 && lines[2].endsWith('{"type":"result","subtype":"success"}'),
      JSON.stringify(lines.map((l) => l.slice(0, 80))));
    check('pods/log lines carry RFC3339Nano timestamps', lines.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /.test(l)), 'fixed 9-digit fraction, like the kubelet');
    if (logsMode === 'sim') {
      check('pods/log follow ENDS when the container terminates (like a kubelet)', follow.endedAt !== null,
        follow.endedAt ? `ended ${follow.endedAt - podDoneAt} ms after the pod watch saw the terminal phase` : 'still open at timeout');
    } else {
      check('pods/log follow (kwok) — ends at termination?', true, follow.endedAt ? 'ended' : 'did NOT end (known kwok gap)');
    }
    const plainRes = await streamLog(sa, ns, done.metadata.name, { container: 'claude', tailLines: '1' }, { timeoutMs: 10000 });
    check('pods/log (no follow, tailLines=1) after completion', plainRes.status === 200 && plainRes.text === '{"type":"result","subtype":"success"}\n',
      JSON.stringify(plainRes.text));
    if (logsMode === 'sim') {
      const lim = await streamLog(sa, ns, done.metadata.name, { container: 'claude', limitBytes: '5' }, { timeoutMs: 10000 });
      check('pods/log limitBytes=5', lim.text === '{"typ', JSON.stringify(lim.text));
      // Resume the way the adapter's LogPort does: sinceTime (whole seconds) of the last seen line.
      const lastTs = lines[2].slice(0, lines[2].indexOf(' '));
      const sinceTime = lastTs.replace(/\.\d+Z$/, 'Z');
      const resumed = await streamLog(sa, ns, done.metadata.name, { container: 'claude', sinceTime, timestamps: 'true' }, { timeoutMs: 10000 });
      const rl = resumed.text.trimEnd().split('\n');
      check('pods/log sinceTime resume returns lines at/after that second, same timestamps', rl.includes(lines[2]) &&
        rl.every((l) => l.slice(0, l.indexOf(' ')) >= sinceTime.replace('Z', '.000000000Z')), `sinceTime=${sinceTime} -> ${rl.length} line(s)`);
    }

    const j1cond = [];
    const j1done = await watchUntil(sa, jobs, { fieldSelector: `metadata.name=${j1}` }, (items) => {
      const j = items[0];
      for (const t of j ? condTypes(j) : []) if (!j1cond.includes(t)) j1cond.push(t);
      return j && j1cond.includes('Complete') ? j : null;
    }, { timeoutMs: 30000 });
    check('Job conditions SuccessCriteriaMet then Complete', j1cond.join(',') === 'SuccessCriteriaMet,Complete',
      `${j1cond.join(' → ')}; succeeded=${j1done.status.succeeded}`);

    // ------------------------------------------------------------------ Job 2: fails with exit code 3
    const j2 = 'smoke-fail';
    await sa.post(jobs, jobSpec(j2, [{ name: 'CLIPJOB_SIM_RUN_FOR', value: '1s' }, { name: 'CLIPJOB_SIM_EXIT_CODE', value: '3' },
      { name: 'CLIPJOB_SIM_LOG', value: 'boom\n' }]));
    const failedPod = await watchUntil(sa, pods, { labelSelector: `batch.kubernetes.io/job-name=${j2}` },
      (items) => items.find((p) => p.status?.phase === 'Failed'), { timeoutMs: 30000 });
    const t2 = failedPod.status.containerStatuses?.[0]?.state?.terminated;
    check('pod Failed with the chosen exit code 3', t2?.exitCode === 3 && t2?.reason === 'Error', JSON.stringify({ exitCode: t2?.exitCode, reason: t2?.reason }));
    if (logsMode === 'sim') {
      const envLog = (await streamLog(sa, ns, failedPod.metadata.name, { container: 'claude' }, { timeoutMs: 10000 })).text;
      check('pods/log from CLIPJOB_SIM_LOG env', envLog === 'boom\n', JSON.stringify(envLog));
    }
    const j2cond = [];
    const j2done = await watchUntil(sa, jobs, { fieldSelector: `metadata.name=${j2}` }, (items) => {
      const j = items[0];
      for (const t of j ? condTypes(j) : []) if (!j2cond.includes(t)) j2cond.push(t);
      return j && j2cond.includes('Failed') ? j : null;
    }, { timeoutMs: 30000 });
    const failedCond = j2done.status.conditions.find((c) => c.type === 'Failed');
    check('Job conditions FailureTarget then Failed (BackoffLimitExceeded)', j2cond.join(',') === 'FailureTarget,Failed' && failedCond.reason === 'BackoffLimitExceeded',
      `${j2cond.join(' → ')}; reason=${failedCond.reason}`);

    // ------------------------------------------------------------------ Job 3: unscripted + delayed start
    const j3 = 'smoke-driven';
    await sa.post(jobs, jobSpec(j3, [{ name: 'CLIPJOB_SIM_START_DELAY', value: '3s' }]));
    const pending = await watchUntil(sa, pods, { labelSelector: `batch.kubernetes.io/job-name=${j3}` },
      (items) => items.find((p) => p.spec.nodeName && p.status?.phase === 'Pending'), { timeoutMs: 30000 });
    const waitRes = await streamLog(sa, ns, pending.metadata.name, { container: 'claude', follow: 'true' }, { timeoutMs: 2500 });
    if (logsMode === 'sim') {
      check('pods/log before start -> 400 "waiting to start"', waitRes.status === 400 && /is waiting to start/.test(waitRes.text),
        `${waitRes.status} ${waitRes.text.slice(0, 200)}`);
    } else {
      check('pods/log before start (kwok, informational)', true, waitRes.timedOut
        ? `no 400: the follow stream stays open (got ${JSON.stringify(waitRes.text.slice(0, 120))}) until the client gives up`
        : `${waitRes.status} ${waitRes.text.slice(0, 160)}`);
    }
    const running3 = await watchUntil(sa, pods, { labelSelector: `batch.kubernetes.io/job-name=${j3}` },
      (items) => items.find((p) => p.status?.phase === 'Running'), { timeoutMs: 30000 });
    await sleep(1500);
    const still = await sa.get(`${pods}/${running3.metadata.name}`);
    check('unscripted pod stays Running', still.status.phase === 'Running');
    await terminatePod(cp.admin, ns, running3.metadata.name, { exitCode: 137, reason: 'OOMKilled' });
    const j3done = await watchUntil(sa, jobs, { fieldSelector: `metadata.name=${j3}` },
      (items) => items[0] && condTypes(items[0]).includes('Failed') ? items[0] : null, { timeoutMs: 30000 });
    const p3 = await sa.get(`${pods}/${running3.metadata.name}`);
    check('terminatePod(): test-driven exit 137/OOMKilled -> pod Failed, Job Failed',
      p3.status.phase === 'Failed' && p3.status.containerStatuses[0].state.terminated?.exitCode === 137 && !!j3done,
      JSON.stringify(p3.status.containerStatuses[0].state.terminated));

    // ------------------------------------------------------------------ kwok's own log server (documentation probe)
    fs.appendFileSync(cp.kwokLogFile, `${new Date().toISOString()} stdout F kwok line 1\n`);
    const kwokFollow = await new Promise((resolve) => {
      let text = '';
      const req = https.get(`${cp.kwokServer}/containerLogs/${ns}/${done.metadata.name}/claude?follow=true`, { rejectUnauthorized: false }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, text, ended: true }));
      });
      req.on('error', () => resolve({ text, ended: false }));
      setTimeout(() => { req.destroy(); resolve({ text, ended: false }); }, 3000);
    });
    check('kwok /containerLogs serves ClusterLogs file (probe, informational)', kwokFollow.text.includes('kwok line 1'),
      `follow on a terminated pod ${kwokFollow.ended ? 'ended' : 'did NOT end within 3 s (known kwok gap)'}; body=${JSON.stringify(kwokFollow.text)}`);

    // ------------------------------------------------------------------ delete with Background propagation
    const podName = done.metadata.name;
    const tDel = Date.now();
    await sa.delete(`${jobs}/${j1}`, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    await watchUntil(sa, jobs, { fieldSelector: `metadata.name=${j1}` }, (items) => items.length === 0 && 'gone', { timeoutMs: 30000 });
    const jobGone = Date.now() - tDel;
    await watchUntil(sa, pods, { labelSelector: `batch.kubernetes.io/job-name=${j1}` }, (items) => items.length === 0 && 'gone', { timeoutMs: 60000 });
    check('Job deleted (Background) and its pod garbage-collected', true, `job gone after ${jobGone} ms, pod ${podName} gone after ${Date.now() - tDel} ms`);

    for (const j of [j2, j3]) await sa.delete(`${jobs}/${j}`, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    await watchUntil(sa, pods, { labelSelector: 'app=clipjob-smoke' }, (items) => items.length === 0 && 'gone', { timeoutMs: 60000 });
    check('all smoke pods gone', true);
  } catch (e) {
    check('smoke run', false, e.stack ?? String(e));
  } finally {
    const tStop = Date.now();
    if (cp) await cp.stop();
    if (cp) {
      const alive = Object.entries(cp.pids).filter(([, pid]) => { try { process.kill(pid, 0); return true; } catch { return false; } });
      check('stop() ended every process', alive.length === 0, `${Date.now() - tStop} ms${alive.length ? `; alive: ${JSON.stringify(alive)}` : ''}`);
    }
    failed = results.some((r) => !r.ok);
    process.stdout.write(`\n${results.filter((r) => r.ok).length}/${results.length} checks passed in ${since()}\n`);
    if (failed || keep) process.stdout.write(`logs kept in ${dir}/logs\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main();
