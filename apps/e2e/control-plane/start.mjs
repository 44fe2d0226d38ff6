#!/usr/bin/env node
// Start a real Kubernetes control plane for the clipjob e2e / contract tests: no Docker, no kubectl
// (Node 20 ESM; npm dependencies: @kubernetes/client-node and yaml, through lib.mjs).
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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeClient } from './lib.mjs';
import { startKubeletSim } from './kubelet-sim.mjs';
import { genPki, writeKubeconfig } from './pki.mjs';
import { httpGet, httpsGetOk, uniquePorts } from './probes.mjs';
import { stopFromStateFile } from './stop.mjs';
import { createSupervisor } from './supervisor.mjs';
import {
  apiserverArgs, auditArgs, controllerManagerArgs, etcdArgs, kwokSetup, schedulerArgs,
} from './components.mjs';
import {
  ADAPTER_SERVICE_ACCOUNT, adapterToken, ensureAdapterRbac, ensureFakeNode, fakeNodeReady, FAKE_NODE_TAINT, NODE_NAME,
} from './cluster-objects.mjs';

export { stopFromStateFile, NODE_NAME, FAKE_NODE_TAINT };

export const K8S_VERSION = 'v1.36.3';
export const DEFAULT_BIN = process.env.CLIPJOB_K8S_BIN || path.join(os.homedir(), '.cache/clipjob', `k8s-${K8S_VERSION}`, 'bin');
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
  const P = (f) => path.join(pki, f);
  const logDir = path.join(dir, 'logs');
  const logsDir = path.join(dir, 'pod-logs');
  for (const d of [dir, pki, logDir, logsDir]) fs.mkdirSync(d, { recursive: true });
  const sup = createSupervisor({ dir, binDir, logDir, timeoutMs, handleSignals });
  const { state, spawnProc, waitProc } = sup;

  try {
    // ---------------------------------------------------------------- PKI and ports
    genPki(pki, NODE_NAME);
    mark('pki');
    const ca = fs.readFileSync(P('ca.crt'), 'utf8');
    const adminCert = fs.readFileSync(P('admin.crt'), 'utf8');
    const adminKey = fs.readFileSync(P('admin.key'), 'utf8');
    const [etcdPort, etcdPeer, apiPort, kcmPort, schedPort, kwokPort, simPort] = await uniquePorts(7);
    const server = `https://127.0.0.1:${apiPort}`;
    Object.assign(state, { server, ports: { etcdPort, etcdPeer, apiPort, kcmPort, schedPort, kwokPort, simPort } });

    // ---------------------------------------------------------------- etcd (data on tmpfs)
    const etcdData = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : dir, 'clipjob-etcd-'));
    sup.useEtcdData(etcdData);
    const etcd = spawnProc('etcd', etcdArgs({ dataDir: etcdData, etcdPort, etcdPeer }));
    await waitProc(etcd, async () => {
      const body = await httpGet(`http://127.0.0.1:${etcdPort}/health`);
      return JSON.parse(body).health === 'true';
    }, 'etcd /health');
    mark('etcd');

    // ---------------------------------------------------------------- kube-apiserver
    const auditLogFile = audit ? path.join(logDir, 'audit.log') : null;
    const apiserver = spawnProc('kube-apiserver', apiserverArgs({
      pki, etcdPort, apiPort, extra: auditLogFile ? auditArgs(dir, auditLogFile) : [],
    }));
    const admin = new KubeClient({ server, ca, cert: adminCert, key: adminKey });
    await waitProc(apiserver, async () => {
      const res = await admin.raw('GET', '/readyz');
      res.resume();
      return res.statusCode === 200;
    }, 'kube-apiserver /readyz');
    mark('apiserver');
    const kubeconfigAdmin = path.join(dir, 'admin.kubeconfig');
    writeKubeconfig(kubeconfigAdmin, { server, ca, user: 'admin', cert: adminCert, key: adminKey });

    // ---------------------------------------------------------------- kcm, scheduler, kwok (in parallel)
    const kcm = spawnProc('kube-controller-manager', controllerManagerArgs({ dir, pki, kubeconfig: kubeconfigAdmin, port: kcmPort }));
    const scheduler = spawnProc('kube-scheduler', schedulerArgs({ dir, kubeconfig: kubeconfigAdmin, port: schedPort }));
    const kwokCfg = kwokSetup({
      dir, pki, logsDir, namespace, kubeconfig: kubeconfigAdmin, port: kwokPort,
      nodePort: logBackend === 'kwok' ? kwokPort : simPort, realNode,
    });
    const { kwokLogFile } = kwokCfg;
    const kwok = spawnProc('kwok', kwokCfg.args, kwokCfg.env);
    if (logBackend === 'sim') {
      const sim = await startKubeletSim({
        client: admin, port: simPort, logsDir,
        cert: fs.readFileSync(P('kubelet.crt'), 'utf8'), key: fs.readFileSync(P('kubelet.key'), 'utf8'),
        onError: (e) => fs.appendFileSync(path.join(logDir, 'kubelet-sim.log'), `${new Date().toISOString()} ${e.stack ?? e}\n`),
      });
      sup.atStop(() => sim.stop());
    }

    // ---------------------------------------------------------------- objects, then readiness
    await ensureFakeNode(admin, { realNode });
    await ensureAdapterRbac(admin, namespace);
    mark('objects');
    await Promise.all([
      waitProc(kcm, () => httpsGetOk(`https://127.0.0.1:${kcmPort}/healthz`), 'kube-controller-manager /healthz'),
      waitProc(scheduler, () => httpsGetOk(`https://127.0.0.1:${schedPort}/healthz`), 'kube-scheduler /healthz'),
      waitProc(kwok, () => httpsGetOk(`https://127.0.0.1:${kwokPort}/healthz`), 'kwok /healthz'),
    ]);
    mark('components');
    await waitProc(kwok, () => fakeNodeReady(admin), `node ${NODE_NAME} Ready without taints`);
    mark('node');
    // ServiceAccount admission rejects pods until the namespace's default ServiceAccount exists.
    await waitProc(kcm, () => admin.get(`/api/v1/namespaces/${namespace}/serviceaccounts/default`), 'default ServiceAccount');
    mark('default-sa');

    // ---------------------------------------------------------------- adapter credentials
    const sa = ADAPTER_SERVICE_ACCOUNT;
    const token = await adapterToken(admin, namespace);
    const kubeconfigAdapter = path.join(dir, 'adapter.kubeconfig');
    writeKubeconfig(kubeconfigAdapter, { server, ca, user: sa, token, namespace });
    fs.writeFileSync(path.join(pki, 'adapter.token'), token);
    mark('ready');

    Object.assign(state, {
      startedAt: new Date().toISOString(), kubeconfigAdmin, kubeconfigAdapter, namespace, serviceAccount: sa,
      nodeName: NODE_NAME, logs: logBackend, logsDir, kwokLogFile, caFile: P('ca.crt'), timings,
    });
    sup.writeState();
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
      stateFile: sup.stateFile,
      logDir,
      logsDir,
      kwokLogFile,
      auditLogFile,
      kwokServer: `https://127.0.0.1:${kwokPort}`,
      logBackend,
      pids: sup.pids(),
      timings,
      admin,
      adapter: new KubeClient({ server, ca, token }),
      stop: sup.stop,
    };
  } catch (e) {
    await sup.stop().catch(() => {});
    throw e;
  }
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
