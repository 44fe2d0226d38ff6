#!/usr/bin/env node
// Start a real Kubernetes control plane for the clipjob e2e / contract tests: no Docker, no kubectl,
// no npm dependencies (Node 20 ESM).
//
//   etcd -> kube-apiserver (127.0.0.1, RBAC+Node authz) -> kube-controller-manager, kube-scheduler, kwok
//   + kubelet-sim (in this process): the kwok node's kubelet log endpoint (pods/log), see kubelet-sim.mjs
//   + Node "kwok-node-0", namespace, ServiceAccount clipjob-adapter + Role/RoleBinding (rbac.yaml),
//     admin and adapter kubeconfigs.
//
// Library:  const cp = await startControlPlane({ dir }); ...; await cp.stop();
// CLI:      node start.mjs up [--dir D] [--namespace N] [--logs sim|kwok]   (prints JSON, runs until SIGINT/SIGTERM)
//           node start.mjs down <dir>/state.json                              (stops by PID)
//
// Binaries come from ${CLIPJOB_K8S_BIN:-$HOME/.cache/clipjob/k8s-v1.36.3/bin} (build.sh).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeClient, waitFor, sleep, parseYaml, toYaml } from './lib.mjs';
import { startKubeletSim } from './kubelet-sim.mjs';
import { genPki, writeKubeconfig } from './pki.mjs';
import { httpGet, httpsGetOk, tail, uniquePorts } from './probes.mjs';
import { stopFromStateFile, WATCHDOG_SH } from './stop.mjs';

export { stopFromStateFile };

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const K8S_VERSION = 'v1.36.3';
export const DEFAULT_BIN = process.env.CLIPJOB_K8S_BIN || path.join(os.homedir(), '.cache/clipjob', `k8s-${K8S_VERSION}`, 'bin');
export const NODE_NAME = 'kwok-node-0';
const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
/** With a real node in the cluster, the kwok node takes only pods that tolerate this. */
export const FAKE_NODE_TAINT = { key: 'clipjob.dev/fake-node', value: 'true', effect: 'NoSchedule' };
const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'];

/**
 * @param {object} o
 * @param {string} o.dir             state dir (created); holds pki/, logs/, kubeconfigs, state.json, pod-logs/
 * @param {string} [o.namespace]     test namespace (default clipjob-e2e)
 * @param {string} [o.binDir]        binaries (default DEFAULT_BIN)
 * @param {'sim'|'kwok'} [o.logs]    who serves pods/log: kubelet-sim (default; real kubelet semantics) or kwok
 * @param {number} [o.timeoutMs]     bound for each readiness wait (default 90 s)
 * @param {boolean} [o.handleSignals] stop children on SIGINT/SIGTERM of this process (default true)
 * @param {(msg: string) => void} [o.log] progress logger (default: stderr when CLIPJOB_CP_VERBOSE=1)
 * @param {boolean} [o.audit]       write an API server audit log (every request at level Metadata, JSON lines)
 *                                  to <dir>/logs/audit.log, returned as auditLogFile (default false)
 * @param {boolean} [o.realNode]    a real kubelet joins this cluster (apps/e2e/node): kwok then manages only
 *                                  nodes annotated kwok.x-k8s.io/node=fake, and its node is tainted
 *                                  clipjob.dev/fake-node=true:NoSchedule so pods land on the real node
 *                                  (default false: kwok manages every node, its node is untainted)
 */
export async function startControlPlane({
  dir,
  namespace = 'clipjob-e2e',
  binDir = DEFAULT_BIN,
  logs: logBackend = 'sim',
  timeoutMs = 90000,
  handleSignals = true,
  log = process.env.CLIPJOB_CP_VERBOSE ? (m) => process.stderr.write(`[control-plane] ${m}\n`) : () => {},
  audit = false,
  realNode = false,
} = {}) {
  if (!dir) throw new Error('startControlPlane: dir is required');
  for (const b of BINARIES) {
    if (!fs.existsSync(path.join(binDir, b))) {
      throw new Error(`missing ${b} in ${binDir}: run apps/e2e/control-plane/build.sh first`);
    }
  }
  const T0 = Date.now();
  const timings = {};
  const mark = (k) => { timings[k] = Date.now() - T0; log(`${k} +${timings[k]} ms`); };

  dir = path.resolve(dir);
  const pki = path.join(dir, 'pki');
  const logDir = path.join(dir, 'logs');
  const logsDir = path.join(dir, 'pod-logs');
  for (const d of [dir, pki, logDir, logsDir]) fs.mkdirSync(d, { recursive: true });
  const stateFile = path.join(dir, 'state.json');

  /** @type {{name:string,pid:number,bin:string,child:import('node:child_process').ChildProcess,exit?:any}[]} */
  const procs = [];
  let sim = null;
  let etcdData = null;
  let stopped = false;
  const state = { supervisorPid: process.pid, dir, procs: [], etcdData: null };
  const pidsFile = path.join(dir, 'pids');
  const writeState = () => {
    state.procs = procs.map(({ name, pid, bin }) => ({ name, pid, bin }));
    fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
    fs.writeFileSync(pidsFile, procs.map((p) => `${p.pid} ${p.bin}\n`).join(''));
  };
  writeState();

  // Watchdog: if this process dies without stop() (SIGKILL, crash), a detached shell stops the children by
  // PID (only PIDs that still run the binary we started) and removes the etcd data dir.
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SH, 'watchdog', String(process.pid), pidsFile, path.join(dir, 'etcd-data-path')], {
    detached: true, stdio: 'ignore',
  });
  watchdog.unref();
  state.watchdogPid = watchdog.pid;

  const killAllSync = () => {
    for (const p of [...procs].reverse()) if (!p.exit) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
    if (etcdData) fs.rmSync(etcdData, { recursive: true, force: true });
  };
  const onSignal = async (sig) => {
    await stop().catch(() => {});
    process.kill(process.pid, sig);
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('exit', killAllSync);
  if (handleSignals) { process.once('SIGINT', onSigint); process.once('SIGTERM', onSigterm); }

  async function stop() {
    if (stopped) return;
    stopped = true;
    if (sim) await sim.stop().catch(() => {});
    for (const p of [...procs].reverse()) await stopProc(p);
    if (etcdData) fs.rmSync(etcdData, { recursive: true, force: true });
    try { process.kill(watchdog.pid, 'SIGTERM'); } catch { /* gone */ }
    process.off('exit', killAllSync);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    state.stoppedAt = new Date().toISOString();
    writeState();
  }

  function spawnProc(name, args, env = {}) {
    const bin = path.join(binDir, name === 'kwok' ? 'kwok' : name);
    const out = fs.openSync(path.join(logDir, `${name}.log`), 'a');
    fs.writeSync(out, `# ${new Date().toISOString()} ${bin} ${args.join(' ')}\n`);
    const child = spawn(bin, args, { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
    fs.closeSync(out);
    const rec = { name, pid: child.pid, bin, child };
    child.on('exit', (code, signal) => { rec.exit = { code, signal }; });
    child.on('error', (e) => { rec.exit = { error: e.message }; });
    procs.push(rec);
    writeState();
    return rec;
  }

  /** waitFor that fails at once when the process it waits for has died. */
  function waitProc(rec, fn, what) {
    return waitFor(async () => {
      if (rec.exit) {
        const e = new Error(`${rec.name} exited early (${JSON.stringify(rec.exit)}); see ${path.join(logDir, rec.name + '.log')}:\n${tail(path.join(logDir, rec.name + '.log'))}`);
        e.fatal = true;
        throw e;
      }
      return fn();
    }, { timeoutMs, intervalMs: 150, what }).catch((e) => {
      throw e.fatal ? e : new Error(`${e.message}\n--- ${rec.name}.log (tail) ---\n${tail(path.join(logDir, rec.name + '.log'))}`);
    });
  }

  try {
    // ---------------------------------------------------------------- PKI
    genPki(pki, NODE_NAME);
    mark('pki');
    const ca = fs.readFileSync(path.join(pki, 'ca.crt'), 'utf8');
    const adminCert = fs.readFileSync(path.join(pki, 'admin.crt'), 'utf8');
    const adminKey = fs.readFileSync(path.join(pki, 'admin.key'), 'utf8');

    const [etcdPort, etcdPeer, apiPort, kcmPort, schedPort, kwokPort, simPort] = await uniquePorts(7);
    const server = `https://127.0.0.1:${apiPort}`;
    Object.assign(state, { server, ports: { etcdPort, etcdPeer, apiPort, kcmPort, schedPort, kwokPort, simPort } });

    // ---------------------------------------------------------------- etcd (data on tmpfs)
    etcdData = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : dir, 'clipjob-etcd-'));
    state.etcdData = etcdData;
    fs.writeFileSync(path.join(dir, 'etcd-data-path'), etcdData);
    const etcd = spawnProc('etcd', [
      '--name=n0', `--data-dir=${etcdData}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`, `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=n0=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync=true', '--quota-backend-bytes=2147483648', '--log-level=warn',
    ]);
    await waitProc(etcd, async () => {
      const body = await httpGet(`http://127.0.0.1:${etcdPort}/health`);
      return JSON.parse(body).health === 'true';
    }, 'etcd /health');
    mark('etcd');

    // ---------------------------------------------------------------- kube-apiserver
    const P = (f) => path.join(pki, f);
    // Audit: counts requests at the API server itself (who, verb, resource), e.g. for the bench's API cost.
    const auditLogFile = audit ? path.join(logDir, 'audit.log') : null;
    const auditArgs = [];
    if (auditLogFile) {
      const policyFile = path.join(dir, 'audit-policy.yaml');
      fs.writeFileSync(policyFile, toYaml({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata' }] }));
      auditArgs.push(`--audit-policy-file=${policyFile}`, `--audit-log-path=${auditLogFile}`, '--audit-log-format=json',
        '--audit-log-mode=blocking');
    }
    const apiserver = spawnProc('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${pki}`, `--tls-cert-file=${P('apiserver.crt')}`, `--tls-private-key-file=${P('apiserver.key')}`,
      `--client-ca-file=${P('ca.crt')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${P('sa.pub')}`, `--service-account-signing-key-file=${P('sa.key')}`,
      '--authorization-mode=Node,RBAC',
      // As OpenShift does: setting an ownerReference needs `delete` on the object, and blockOwnerDeletion
      // `update` on the owner's finalizers. The adapter's Role must work with it on.
      '--enable-admission-plugins=OwnerReferencesPermissionEnforcement',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      // The kwok node has only InternalIP=127.0.0.1; no --kubelet-certificate-authority = the API server does
      // not verify the kubelet's serving cert (that is what makes the self-signed kubelet-sim work).
      '--kubelet-preferred-address-types=InternalIP',
      '--enable-priority-and-fairness=false', '--profiling=false',
      ...auditArgs,
    ]);
    const admin = new KubeClient({ server, ca, cert: adminCert, key: adminKey });
    await waitProc(apiserver, async () => {
      const res = await admin.raw('GET', '/readyz');
      res.resume();
      return res.statusCode === 200;
    }, 'kube-apiserver /readyz');
    mark('apiserver');

    // ---------------------------------------------------------------- kubeconfigs
    const kubeconfigAdmin = path.join(dir, 'admin.kubeconfig');
    writeKubeconfig(kubeconfigAdmin, { server, ca, user: 'admin', cert: adminCert, key: adminKey });

    // ---------------------------------------------------------------- kcm, scheduler, kwok (in parallel)
    const delegated = [`--kubeconfig=${kubeconfigAdmin}`, `--authentication-kubeconfig=${kubeconfigAdmin}`,
      `--authorization-kubeconfig=${kubeconfigAdmin}`, '--leader-elect=false', '--bind-address=127.0.0.1',
      '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics'];
    const kcm = spawnProc('kube-controller-manager', [
      ...delegated, `--secure-port=${kcmPort}`, `--cert-dir=${path.join(dir, 'kcm-certs')}`,
      '--controllers=*',
      `--root-ca-file=${P('ca.crt')}`, `--service-account-private-key-file=${P('sa.key')}`,
      `--cluster-signing-cert-file=${P('ca.crt')}`, `--cluster-signing-key-file=${P('ca.key')}`,
      '--use-service-account-credentials=true',
    ]);
    const scheduler = spawnProc('kube-scheduler', [
      ...delegated, `--secure-port=${schedPort}`, `--cert-dir=${path.join(dir, 'scheduler-certs')}`,
    ]);

    // kwok config: our Stages + a static ClusterLogs (used only with logs: 'kwok', and by the smoke's probe).
    const kwokLogFile = path.join(logsDir, `kwok-${namespace}.log`);
    fs.writeFileSync(kwokLogFile, '');
    const kwokConfig = path.join(dir, 'kwok.yaml');
    fs.writeFileSync(kwokConfig, fs.readFileSync(path.join(HERE, 'kwok-stages.yaml'), 'utf8') + '\n---\n' + toYaml({
      apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'ClusterLogs', metadata: { name: 'clipjob-e2e-logs' },
      spec: { selector: { matchNamespaces: [namespace] }, logs: [{ logsFile: kwokLogFile }] },
    }));
    const kwokHome = path.join(dir, 'kwok-home'); // kwok also loads ~/.kwok/kwok.yaml: isolate HOME
    fs.mkdirSync(kwokHome, { recursive: true });
    const kwok = spawnProc('kwok', [
      `--kubeconfig=${kubeconfigAdmin}`, `--config=${kwokConfig}`,
      ...(realNode ? [`--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`] : ['--manage-all-nodes=true']),
      '--node-ip=127.0.0.1', '--cidr=10.244.0.1/24',
      `--node-port=${logBackend === 'kwok' ? kwokPort : simPort}`, `--server-address=127.0.0.1:${kwokPort}`,
      `--tls-cert-file=${P('kubelet.crt')}`, `--tls-private-key-file=${P('kubelet.key')}`,
      '--node-lease-duration-seconds=40',
    ], { HOME: kwokHome });

    if (logBackend === 'sim') {
      sim = await startKubeletSim({
        client: admin, port: simPort, logsDir,
        cert: fs.readFileSync(P('kubelet.crt'), 'utf8'), key: fs.readFileSync(P('kubelet.key'), 'utf8'),
        onError: (e) => fs.appendFileSync(path.join(logDir, 'kubelet-sim.log'), `${new Date().toISOString()} ${e.stack ?? e}\n`),
      });
    }

    // Objects: node, namespace + SA + Role + RoleBinding (rbac.yaml).
    await admin.ensure('/api/v1/nodes', {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name: NODE_NAME,
        labels: { type: 'kwok', 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', [FAKE_NODE_ANNOTATION]: 'fake' },
      },
      spec: realNode ? { taints: [FAKE_NODE_TAINT] } : {},
    });
    const sa = 'clipjob-adapter';
    for (const obj of parseYaml(fs.readFileSync(path.join(HERE, 'rbac.yaml'), 'utf8'))) {
      if (obj.kind === 'Namespace') obj.metadata.name = namespace;
      else obj.metadata.namespace = namespace;
      for (const s of obj.subjects ?? []) s.namespace = namespace;
      await admin.ensure(collectionPath(obj), obj);
    }
    mark('objects');

    await Promise.all([
      waitProc(kcm, () => httpsGetOk(`https://127.0.0.1:${kcmPort}/healthz`), 'kube-controller-manager /healthz'),
      waitProc(scheduler, () => httpsGetOk(`https://127.0.0.1:${schedPort}/healthz`), 'kube-scheduler /healthz'),
      waitProc(kwok, () => httpsGetOk(`https://127.0.0.1:${kwokPort}/healthz`), 'kwok /healthz'),
    ]);
    mark('components');

    // The node must be Ready and untainted (node-lifecycle removes the not-ready taint that the
    // TaintNodesByCondition admission plugin put on the new Node), and the namespace's default SA must
    // exist (ServiceAccount admission rejects pods until then).
    await waitProc(kwok, async () => {
      const n = await admin.get(`/api/v1/nodes/${NODE_NAME}`);
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return ready && !(n.spec.taints ?? []).some((t) => t.key !== FAKE_NODE_TAINT.key);
    }, `node ${NODE_NAME} Ready without taints`);
    mark('node');
    await waitProc(kcm, () => admin.get(`/api/v1/namespaces/${namespace}/serviceaccounts/default`), 'default ServiceAccount');
    mark('default-sa');

    // Adapter credentials: a TokenRequest token (24 h) for the least-privilege SA.
    const tr = await admin.post(`/api/v1/namespaces/${namespace}/serviceaccounts/${sa}/token`, {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 86400 },
    });
    const kubeconfigAdapter = path.join(dir, 'adapter.kubeconfig');
    writeKubeconfig(kubeconfigAdapter, { server, ca, user: sa, token: tr.status.token, namespace });
    fs.writeFileSync(path.join(pki, 'adapter.token'), tr.status.token);
    mark('ready');

    Object.assign(state, {
      startedAt: new Date().toISOString(), kubeconfigAdmin, kubeconfigAdapter, namespace, serviceAccount: sa,
      nodeName: NODE_NAME, logs: logBackend, logsDir, kwokLogFile, caFile: P('ca.crt'), timings,
    });
    writeState();
    return {
      kubeconfigAdmin,
      kubeconfigAdapter,
      namespace,
      server,
      serviceAccount: sa,
      nodeName: NODE_NAME,
      caFile: P('ca.crt'),
      pkiDir: pki,
      dir,
      stateFile,
      logDir,
      logsDir,
      kwokLogFile,
      auditLogFile,
      kwokServer: `https://127.0.0.1:${kwokPort}`,
      logBackend,
      pids: Object.fromEntries(procs.map((p) => [p.name, p.pid])),
      timings,
      admin,
      adapter: new KubeClient({ server, ca, token: tr.status.token }),
      stop,
    };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }

  async function stopProc(p) {
    if (p.exit) return;
    try { p.child.kill('SIGTERM'); } catch { /* gone */ }
    const deadline = Date.now() + 10000;
    while (!p.exit && Date.now() < deadline) await sleep(50);
    if (!p.exit) {
      try { p.child.kill('SIGKILL'); } catch { /* gone */ }
      while (!p.exit && Date.now() < deadline + 5000) await sleep(50);
    }
  }
}

// ------------------------------------------------------------------------------------------ helpers

// $1 = supervisor pid, $2 = pids file ("pid binary" per line), $3 = file holding the etcd data dir path.

function collectionPath(obj) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [null, obj.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const plural = { Namespace: 'namespaces', ServiceAccount: 'serviceaccounts', Role: 'roles', RoleBinding: 'rolebindings' }[obj.kind];
  if (!plural) throw new Error(`rbac.yaml: unsupported kind ${obj.kind}`);
  return obj.kind === 'Namespace' ? `${base}/${plural}` : `${base}/namespaces/${obj.metadata.namespace}/${plural}`;
}

// ------------------------------------------------------------------------------------------ CLI

async function main(argv) {
  const [cmd, ...rest] = argv;
  const opt = (name, def) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : def;
  };
  if (cmd === 'up') {
    const dir = opt('dir') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'clipjob-cp-'));
    const cp = await startControlPlane({
      dir, namespace: opt('namespace', 'clipjob-e2e'), logs: opt('logs', 'sim'), handleSignals: true,
      log: (m) => process.stderr.write(`[control-plane] ${m}\n`),
    });
    const { admin, adapter, stop, ...printable } = cp;
    process.stdout.write(JSON.stringify({ ...printable, supervisorPid: process.pid }, null, 2) + '\n');
    process.stderr.write(`[control-plane] up in ${cp.timings.ready} ms; stop with Ctrl-C or: node ${path.relative(process.cwd(), fileURLToPath(import.meta.url))} down ${cp.stateFile}\n`);
    setInterval(() => {}, 1 << 30); // keep running until a signal arrives (handled by startControlPlane)
  } else if (cmd === 'down') {
    const file = rest[0];
    if (!file) throw new Error('usage: start.mjs down <statefile>');
    process.stdout.write(JSON.stringify(await stopFromStateFile(file), null, 2) + '\n');
  } else {
    process.stderr.write('usage: node start.mjs up [--dir D] [--namespace N] [--logs sim|kwok]\n       node start.mjs down <dir>/state.json\n');
    process.exit(2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  });
}
