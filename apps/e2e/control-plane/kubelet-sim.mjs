// kubelet-sim: the kubelet's log endpoint for the kwok node, in plain Node (no dependencies).
//
// Why: kwok v0.8.0 serves /containerLogs from a file, but a `follow=true` stream never ends when the
// container terminates (its CRI stub answers ContainerStatus with Unavailable, which the CRI log reader
// treats as "still running"), and it never answers "waiting to start". A real kubelet does both, and the
// adapter's log follower must be tested against real behaviour. So kwok keeps doing node + pod status
// (Stages), and the Node advertises THIS server's port as its kubelet port (`kwok --node-port`): the API
// server proxies `pods/log` here (HTTPS, no client-cert check, like `--kubelet-certificate-authority` unset).
//
// Behaviour (modelled on the kubelet + CRI log reader):
//   GET /containerLogs/{ns}/{pod}/{container}?follow&timestamps&tailLines&limitBytes&sinceSeconds&sinceTime&previous
//   - pod unknown                        -> 404
//   - container not started (waiting)    -> 400 `container "c" in pod "p" is waiting to start: <reason>`
//   - previous=true                      -> 400 `previous terminated container "c" in pod "p" not found`
//   - running/terminated                 -> 200, chunked text, written record by record as the kubelet's
//       CRI log reader (k8s.io/cri-client logs.ReadLogs) does:
//       timestamps=true writes the record's time, fixed 9-digit RFC3339Nano + " ", but only when the previous
//       record (of either stream) ended a line: the rest of a long line (`P` records, then `F`) comes unprefixed;
//       an `F` record ends with "\n", a `P` record does not (a last line never ended stays without one);
//       sinceTime/sinceSeconds: records with ts >= since, each record on its own (a resume can start inside a
//       line); tailLines: last N records (applied before since*); limitBytes: output truncated to N bytes
//   - follow=true: streams new lines as they appear; ENDS when the container is terminated (after the
//     log is drained) or the pod is gone, like a real kubelet.
//
// Where a container's log comes from (first that exists), all under `logsDir`:
//   1. <logsDir>/<ns>/<pod>/<container>.log
//   2. <logsDir>/<ns>/<pod>.log
//   3. <logsDir>/<ns>/job-<job-name>.log    (job-name = pod label batch.kubernetes.io/job-name; lets a test
//                                            prepare the log before the pod, whose name is random, exists)
//   4. env CLIPJOB_SIM_LOG of that container (literal text; lines split on \n), emitted at container start
// File lines are CRI records as containerd writes them ("2026-01-02T03:04:05.123Z stdout P text"), or, for
// tests that write whole lines, a timestamp and the text ("2026-01-02T03:04:05.123456789Z text", as appendLog()
// writes them), read as one stdout `F` record. Lines without a timestamp get the time the simulator first
// read them. A trailing file line without "\n" is held back until completed or the container ends.
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';

const TS_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) (.*)$/s;
const CRI_RE = /^(stdout|stderr) ([PF]) (.*)$/s;

/** ns since epoch (BigInt) from an RFC3339(Nano) string. */
export function parseTs(s) {
  const m = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return null;
  const ms = Date.parse(m[1] + m[3]);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1000000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

/**
 * The kubelet's timestamp format (cri-client logs.RFC3339NanoFixed = "2006-01-02T15:04:05.000000000Z07:00"):
 * UTC, always 9 fractional digits.
 */
export function formatTs(ns) {
  const sec = ns / 1000000000n;
  const frac = (ns % 1000000000n).toString().padStart(9, '0');
  const base = new Date(Number(sec) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${base}.${frac}Z`;
}

const nowNs = () => BigInt(Date.now()) * 1000000n;

/** Append lines to a log file with kubelet-style timestamps (usable from any process). */
export function appendLog(file, text, { time } = {}) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let t = time ? BigInt(new Date(time).getTime()) * 1000000n : nowNs();
  const lines = String(text).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out = lines.map((l, i) => `${formatTs(t + BigInt(i) * 1000n)} ${l}\n`).join('');
  fs.appendFileSync(file, out);
}

/** Path of the per-container log file for a pod (source 1 above). */
export const podLogPath = (logsDir, ns, pod, container) => path.join(logsDir, ns, pod, `${container}.log`);
/** Path of the per-Job log file (source 3 above); used for every container of the Job's pods. */
export const jobLogPath = (logsDir, ns, jobName) => path.join(logsDir, ns, `job-${jobName}.log`);

/**
 * Terminate a pod's containers the way a kubelet would report it (PATCH pods/status with admin rights).
 * Use this for "unscripted" pods (no CLIPJOB_SIM_EXIT_CODE / RUN_FOR), which kwok keeps Running.
 * opts: { exitCode = 0, reason, message, container } (container: only that one; default all)
 */
export async function terminatePod(client, ns, podName, { exitCode = 0, reason, message, container } = {}) {
  const pod = await client.get(`/api/v1/namespaces/${ns}/pods/${podName}`);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const statuses = (pod.spec.containers ?? []).map((c) => {
    const cur = (pod.status.containerStatuses ?? []).find((s) => s.name === c.name) ?? {};
    if (container && c.name !== container) return cur.name ? cur : null;
    const startedAt = cur.state?.running?.startedAt ?? pod.status.startTime ?? now;
    return {
      name: c.name,
      image: c.image,
      imageID: cur.imageID ?? '',
      containerID: cur.containerID ?? `sim://${c.name}`,
      ready: false,
      started: false,
      restartCount: cur.restartCount ?? 0,
      state: {
        terminated: {
          exitCode,
          reason: reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
          ...(message ? { message } : {}),
          startedAt,
          finishedAt: now,
          containerID: cur.containerID ?? `sim://${c.name}`,
        },
      },
    };
  }).filter(Boolean);
  const allDone = statuses.length === pod.spec.containers.length && statuses.every((s) => s.state?.terminated);
  const anyFailed = statuses.some((s) => s.state?.terminated && s.state.terminated.exitCode !== 0);
  const status = { containerStatuses: statuses };
  if (allDone) {
    status.phase = anyFailed ? 'Failed' : 'Succeeded';
    status.conditions = [
      { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
      { type: 'ContainersReady', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
    ];
  }
  return client.patch(`/api/v1/namespaces/${ns}/pods/${podName}/status`, { status }, 'strategic');
}

/**
 * Start the simulator's HTTPS server.
 * opts: { client: KubeClient (admin), port, cert, key, logsDir, pollMs = 100 }
 */
export async function startKubeletSim({ client, port, cert, key, logsDir, pollMs = 100, onError = () => {} }) {
  const logs = new Map(); // `${uid}/${container}` -> LogState
  const active = new Set();

  async function getPod(ns, name) {
    try {
      return await client.get(`/api/v1/namespaces/${ns}/pods/${name}`);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  function containerState(pod, name) {
    const st = (pod.status?.containerStatuses ?? []).find((s) => s.name === name);
    if (!st || !st.state) return { waiting: { reason: 'ContainerCreating' } };
    return st.state;
  }

  function logState(pod, container) {
    const key = `${pod.metadata.uid}/${container}`;
    let s = logs.get(key);
    if (!s) {
      s = { lines: [], file: null, offset: 0, partial: '', lastNs: 0n, envDone: false };
      logs.set(key, s);
    }
    return s;
  }

  function sourceFile(pod, container) {
    const ns = pod.metadata.namespace;
    const job = pod.metadata.labels?.['batch.kubernetes.io/job-name'] ?? pod.metadata.labels?.['job-name'];
    const cands = [podLogPath(logsDir, ns, pod.metadata.name, container), path.join(logsDir, ns, `${pod.metadata.name}.log`)];
    if (job) cands.push(jobLogPath(logsDir, ns, job));
    return cands.find((f) => fs.existsSync(f)) ?? null;
  }

  function pushLine(s, raw, explicitNs) {
    let ts = explicitNs;
    let text = raw;
    if (ts === undefined) {
      const m = TS_RE.exec(raw);
      if (m && (ts = parseTs(m[1])) !== null) text = m[2];
      else ts = nowNs();
    }
    if (ts <= s.lastNs) ts = s.lastNs + 1n;
    s.lastNs = ts;
    const cri = explicitNs === undefined ? CRI_RE.exec(text) : null;
    if (cri) s.lines.push({ ts, stream: cri[1], partial: cri[2] === 'P', text: cri[3] });
    else s.lines.push({ ts, stream: 'stdout', partial: false, text });
  }

  /** Pull new content from the source into s.lines. `final`: flush a trailing partial line. */
  function refresh(pod, container, s, state, final = false) {
    if (!s.file) s.file = sourceFile(pod, container);
    if (s.file) {
      try {
        const st = fs.statSync(s.file);
        if (st.size > s.offset) {
          const fd = fs.openSync(s.file, 'r');
          const buf = Buffer.alloc(st.size - s.offset);
          fs.readSync(fd, buf, 0, buf.length, s.offset);
          fs.closeSync(fd);
          s.offset = st.size;
          const parts = (s.partial + buf.toString('utf8')).split('\n');
          s.partial = parts.pop();
          for (const p of parts) pushLine(s, p);
        }
      } catch (e) {
        if (e.code !== 'ENOENT') throw e;
      }
    } else if (!s.envDone && (state.running || state.terminated)) {
      s.envDone = true;
      const env = pod.spec.containers.find((c) => c.name === container)?.env ?? [];
      const v = env.find((e) => e.name === 'CLIPJOB_SIM_LOG')?.value;
      if (v) {
        const start = parseTs(state.running?.startedAt ?? state.terminated?.startedAt ?? '') ?? nowNs();
        const lines = v.split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        lines.forEach((l, i) => pushLine(s, l, start + BigInt(i) * 1000n));
      }
    }
    if (final && s.partial) {
      pushLine(s, s.partial);
      s.partial = '';
    }
  }

  async function handleLogs(req, res, ns, podName, container, q) {
    const pod = await getPod(ns, podName);
    if (!pod) return sendErr(res, 404, `pod "${podName}" not found`);
    if (!pod.spec.containers.some((c) => c.name === container)) {
      return sendErr(res, 400, `container ${container} is not valid for pod ${podName}`);
    }
    if (q.get('previous') === 'true') {
      return sendErr(res, 400, `previous terminated container "${container}" in pod "${podName}" not found`);
    }
    let state = containerState(pod, container);
    if (state.waiting) {
      return sendErr(res, 400, `container "${container}" in pod "${podName}" is waiting to start: ${state.waiting.reason ?? 'ContainerCreating'}`);
    }
    const follow = q.get('follow') === 'true';
    const timestamps = q.get('timestamps') === 'true';
    const tail = q.has('tailLines') ? Number(q.get('tailLines')) : null;
    let limit = q.has('limitBytes') ? Number(q.get('limitBytes')) : Infinity;
    let since = null;
    if (q.has('sinceSeconds')) since = nowNs() - BigInt(Number(q.get('sinceSeconds'))) * 1000000000n;
    if (q.has('sinceTime')) {
      const t = parseTs(q.get('sinceTime'));
      if (t !== null && (since === null || t > since)) since = t;
    }

    const s = logState(pod, container);
    refresh(pod, container, s, state, !!state.terminated);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });

    let idx = tail !== null && tail >= 0 ? Math.max(0, s.lines.length - tail) : 0;
    // The kubelet's "previous record ended a line" flag: one for both streams, updated for every record read,
    // also for records sinceTime skips.
    let lineStart = true;
    let closed = false;
    res.on('close', () => { closed = true; });
    const emit = () => {
      let out = '';
      for (; idx < s.lines.length; idx++) {
        const l = s.lines[idx];
        const prefix = lineStart;
        lineStart = !l.partial;
        if (since !== null && l.ts < since) continue;
        out += `${timestamps && prefix ? `${formatTs(l.ts)} ` : ''}${l.text}${l.partial ? '' : '\n'}`;
      }
      if (!out) return true;
      let buf = Buffer.from(out);
      if (buf.length >= limit) {
        buf = buf.subarray(0, limit);
        limit = 0;
      } else limit -= buf.length;
      res.write(buf);
      return limit > 0;
    };
    if (!emit() || !follow || state.terminated) return res.end();

    // follow: poll the source + the pod until the container terminates or the pod goes away.
    let lastPodCheck = 0;
    while (!closed) {
      await new Promise((r) => setTimeout(r, pollMs));
      if (closed) break;
      let cur = pod;
      if (Date.now() - lastPodCheck >= pollMs * 2) {
        lastPodCheck = Date.now();
        cur = await getPod(ns, podName).catch(() => pod);
        if (!cur || cur.metadata.uid !== pod.metadata.uid) {
          refresh(pod, container, s, state, true);
          emit();
          break;
        }
        state = containerState(cur, container);
      }
      const done = !!state.terminated;
      refresh(cur, container, s, state, done);
      if (!emit()) break;
      if (done) break;
    }
    res.end();
  }

  function sendErr(res, code, msg) {
    res.writeHead(code, { 'Content-Type': 'text/plain' });
    res.end(msg);
  }

  const server = https.createServer({ cert, key }, (req, res) => {
    active.add(res);
    res.on('close', () => active.delete(res));
    const url = new URL(req.url, 'https://sim');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && parts[0] === 'containerLogs' && parts.length === 4) {
      handleLogs(req, res, parts[1], parts[2], parts[3], url.searchParams).catch((e) => {
        onError(e);
        if (!res.headersSent) sendErr(res, 500, String(e?.message ?? e));
        else res.end();
      });
    } else if (parts[0] === 'healthz' || parts[0] === 'readyz' || parts[0] === 'livez') {
      res.end('ok');
    } else {
      sendErr(res, 404, `kubelet-sim: ${req.method} ${url.pathname} not implemented`);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    async stop() {
      for (const r of active) r.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
