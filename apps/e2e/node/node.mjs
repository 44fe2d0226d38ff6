// A real Kubernetes node joined to the test control plane: containerd (CRI) + runc + the CNI bridge plugin
// from Debian, and the kubelet built with the control plane (control-plane/build.sh). Runs inside the
// harness's network namespace (netns.mjs); every path it writes is under `dir`.
//
//   const node = await startRealNode({ cp, dir, nodeIp, netnsPath, images }); ... await node.stop();
//
// Workarounds for this machine kind (root without CAP_SYS_RESOURCE, cgroup v1, no registry), measured:
//   - containerd CRI `restrict_oom_score_adj = true`: the pause container's oom_score_adj -998 is refused
//     otherwise and every sandbox fails with "can't get final child's PID from pipe: EOF";
//   - KubeletConfiguration failCgroupV1: false, cgroupDriver: cgroupfs, failSwapOn: false;
//   - a non-loopback node IP (the kubelet refuses loopback) that exists only inside the namespace;
//   - images are imported from local OCI archives (images.mjs), pods use IfNotPresent/Never.
// Node identity: a client+serving certificate from the test CA (O=system:nodes, CN=system:node:<name>);
// the API server has no kubelet client certificate, so the kubelet serves with anonymous auth + AlwaysAllow
// on the node address only (inside the namespace).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeClient, waitFor, sleep, toYaml } from '../control-plane/lib.mjs';
import { DEFAULT_BIN } from '../control-plane/start.mjs';
import { signLeafCert, writeKubeconfig } from '../control-plane/pki.mjs';
import { importImages, PAUSE_IMAGE } from './images.mjs';
import { killAll, processesInCgroups, removeCgroups, unmountUnder, mountsUnder } from './netns.mjs';

export const REAL_NODE_NAME = 'clipjob-node-0';
export const CNI_BIN_DIR = '/usr/lib/cni';
/** The pod network: a bridge inside the namespace, its gateway address and the pods' range. */
export const POD_SUBNET = '10.250.1.0/24';
export const POD_GATEWAY = '10.250.1.1';
const BRIDGE = 'cj0';
const KUBELET_PORT = 10250;

/** Host programs the node needs (Debian packages: containerd, runc, containernetworking-plugins). */
export function missingHostTools() {
  const need = { containerd: 'containerd', ctr: 'containerd', runc: 'runc', nsenter: 'util-linux', ip: 'iproute2' };
  const missing = new Set();
  for (const [cmd, pkg] of Object.entries(need)) {
    try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); } catch { missing.add(pkg); }
  }
  for (const p of ['bridge', 'host-local', 'loopback']) if (!fs.existsSync(path.join(CNI_BIN_DIR, p))) missing.add('containernetworking-plugins');
  return [...missing];
}

/**
 * @param {object} o
 * @param {any} o.cp                 startControlPlane(...) result (realNode: true)
 * @param {string} o.dir             state dir for containerd, kubelet, CNI, logs (created)
 * @param {string} o.nodeIp          the node's InternalIP (on the namespace's loopback)
 * @param {string} [o.netnsPath]     /run/netns/<name>: containerd and the kubelet enter it with nsenter --net
 * @param {{name:string,archive:string}[]} o.images   OCI archives to import (the pause image among them)
 * @param {string} [o.cgroupRoot]    the kubelet's cgroup root (a unique name, removed on stop)
 * @param {string} [o.containerLogMaxSize]  kubelet log rotation size (default 64Ki)
 * @param {string} [o.binDir]
 * @param {number} [o.timeoutMs]
 * @param {(m: string) => void} [o.log]
 */
export async function startRealNode({
  cp, dir, nodeIp, netnsPath, images, cgroupRoot = `/clipjob-node-${process.pid}`,
  containerLogMaxSize = '64Ki', binDir = DEFAULT_BIN, timeoutMs = 120000, log = () => {},
}) {
  const missing = missingHostTools();
  if (missing.length) throw new Error(`real node: missing host packages ${missing.join(', ')} (apt-get install -y ${missing.join(' ')})`);
  if (!images.some((i) => i.name === PAUSE_IMAGE)) throw new Error(`real node: the images must include the sandbox image ${PAUSE_IMAGE}`);
  dir = path.resolve(dir);
  const T0 = Date.now();
  const timings = {};
  const mark = (k) => { timings[k] = Date.now() - T0; log(`${k} +${timings[k]} ms`); };
  const d = (...p) => path.join(dir, ...p);
  const logDir = d('logs');
  for (const p of ['containerd/root', 'containerd/state', 'runc', 'cni/net.d', 'cni/ipam', 'kubelet', 'pod-logs', 'pki', 'volumes', 'logs']) fs.mkdirSync(d(p), { recursive: true });
  const socket = d('containerd/containerd.sock');
  const procs = [];
  let stopped = false;

  function spawnProc(name, bin, args) {
    const out = fs.openSync(path.join(logDir, `${name}.log`), 'a');
    fs.writeSync(out, `# ${new Date().toISOString()} ${bin} ${args.join(' ')}\n`);
    // nsenter without --fork execs the program in place: the PID we record is the program's own.
    const [cmd, argv] = netnsPath ? ['nsenter', [`--net=${netnsPath}`, '--', bin, ...args]] : [bin, args];
    const child = spawn(cmd, argv, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const rec = { name, pid: child.pid, bin, child };
    child.on('exit', (code, signal) => { rec.exit = { code, signal }; });
    child.on('error', (e) => { rec.exit = { error: e.message }; });
    procs.push(rec);
    return rec;
  }
  const tail = (name, n = 30) => { try { return fs.readFileSync(path.join(logDir, `${name}.log`), 'utf8').trimEnd().split('\n').slice(-n).join('\n'); } catch { return '(no log)'; } };
  const waitProc = (rec, fn, what) => waitFor(async () => {
    if (rec.exit) throw Object.assign(new Error(`${rec.name} exited (${JSON.stringify(rec.exit)}):\n${tail(rec.name)}`), { fatal: true });
    return fn();
  }, { timeoutMs, intervalMs: 200, what }).catch((e) => { throw e.fatal ? e : new Error(`${e.message}\n--- ${rec.name}.log ---\n${tail(rec.name)}`); });

  const ctr = (...args) => execFileSync('ctr', ['--address', socket, '-n', 'k8s.io', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  async function stop() {
    if (stopped) return;
    stopped = true;
    const kubelet = procs.find((p) => p.name === 'kubelet');
    if (kubelet) await stopProc(kubelet);
    // Containers and sandboxes: kill their tasks (the shims exit once their tasks are deleted).
    const containerd = procs.find((p) => p.name === 'containerd');
    if (containerd && !containerd.exit) {
      try {
        const tasks = ctr('tasks', 'ls', '-q').split('\n').filter(Boolean);
        for (const t of tasks) try { ctr('tasks', 'kill', '-s', 'SIGKILL', t); } catch { /* already stopped */ }
        for (const t of tasks) {
          for (let i = 0; i < 50; i++) {
            try { ctr('tasks', 'delete', t); break; } catch { await sleep(100); }
          }
        }
      } catch { /* containerd unreachable: the cgroup sweep below still ends the containers */ }
      await stopProc(containerd);
    }
    // Whatever still runs in the kubelet's cgroups (a container whose shim died) is ours by construction.
    for (let i = 0; i < 50; i++) {
      const left = processesInCgroups(cgroupRoot);
      if (!left.length) break;
      killAll(left);
      await sleep(100);
    }
    unmountUnder(dir);
    removeCgroups(cgroupRoot);
    fs.rmSync(d('containerd/root'), { recursive: true, force: true });
  }

  async function stopProc(p) {
    if (p.exit) return;
    try { p.child.kill('SIGTERM'); } catch { /* gone */ }
    const deadline = Date.now() + 15000;
    while (!p.exit && Date.now() < deadline) await sleep(50);
    if (!p.exit) {
      try { p.child.kill('SIGKILL'); } catch { /* gone */ }
      while (!p.exit && Date.now() < deadline + 5000) await sleep(50);
    }
  }

  const onExit = () => { for (const p of [...procs].reverse()) if (!p.exit) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.on('exit', onExit);

  try {
    // ------------------------------------------------------------------ containerd
    const runtimeOpts = `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  Root = "${d('runc')}"\n`;
    fs.writeFileSync(d('containerd/config.toml'), [
      'version = 2',
      `root = "${d('containerd/root')}"`,
      `state = "${d('containerd/state')}"`,
      'disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]',
      '[grpc]',
      `  address = "${socket}"`,
      '[plugins."io.containerd.grpc.v1.cri"]',
      `  sandbox_image = "${PAUSE_IMAGE}"`,
      // root here lacks CAP_SYS_RESOURCE: the sandbox's oom_score_adj -998 would be refused.
      '  restrict_oom_score_adj = true',
      // Pod network namespaces are bind-mounted under the state dir (not /run/netns), so teardown finds them.
      '  netns_mounts_under_state_dir = true',
      '  enable_unprivileged_ports = false',
      '[plugins."io.containerd.grpc.v1.cri".containerd]',
      '  snapshotter = "overlayfs"',
      '  default_runtime_name = "runc"',
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
      '  runtime_type = "io.containerd.runc.v2"',
      runtimeOpts,
      '[plugins."io.containerd.grpc.v1.cri".cni]',
      `  bin_dir = "${CNI_BIN_DIR}"`,
      `  conf_dir = "${d('cni/net.d')}"`,
      '',
    ].join('\n'));
    fs.writeFileSync(d('cni/net.d/10-clipjob.conflist'), JSON.stringify({
      cniVersion: '0.4.0', name: 'clipjob-pods',
      plugins: [{
        type: 'bridge', bridge: BRIDGE, isGateway: true, ipMasq: false, hairpinMode: true,
        ipam: { type: 'host-local', dataDir: d('cni/ipam'), ranges: [[{ subnet: POD_SUBNET, gateway: POD_GATEWAY }]], routes: [{ dst: '0.0.0.0/0' }] },
      }],
    }, null, 2));
    const containerd = spawnProc('containerd', 'containerd', ['--config', d('containerd/config.toml'), '--log-level', 'warn']);
    await waitProc(containerd, () => { try { ctr('version'); return true; } catch { return false; } }, 'containerd socket');
    mark('containerd');
    importImages(socket, images);
    mark('images');

    // ------------------------------------------------------------------ kubelet identity and config
    const pki = cp.pkiDir;
    const certName = `node-${REAL_NODE_NAME}`;
    signLeafCert(pki, certName, `/O=system:nodes/CN=system:node:${REAL_NODE_NAME}`,
      `subjectAltName=IP:${nodeIp},DNS:${REAL_NODE_NAME}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
    const cert = fs.readFileSync(path.join(pki, `${certName}.crt`), 'utf8');
    const key = fs.readFileSync(path.join(pki, `${certName}.key`), 'utf8');
    const ca = fs.readFileSync(cp.caFile, 'utf8');
    const kubeconfig = d('kubelet.kubeconfig');
    writeKubeconfig(kubeconfig, { server: cp.server, ca, user: `system:node:${REAL_NODE_NAME}`, cert, key });
    fs.writeFileSync(d('pki/kubelet.crt'), cert);
    fs.writeFileSync(d('pki/kubelet.key'), key, { mode: 0o600 });
    fs.writeFileSync(d('resolv.conf'), '');
    // The kubelet requires its cgroup root to exist in every hierarchy (cgroupfs driver).
    for (const h of fs.readdirSync('/sys/fs/cgroup')) {
      const hp = path.join('/sys/fs/cgroup', h);
      if (fs.lstatSync(hp).isDirectory()) fs.mkdirSync(path.join(hp, cgroupRoot), { recursive: true });
    }
    const kubeletConfig = {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: nodeIp,
      port: KUBELET_PORT,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: 10248,
      authentication: { anonymous: { enabled: true }, webhook: { enabled: false }, x509: { clientCAFile: cp.caFile } },
      authorization: { mode: 'AlwaysAllow' },
      tlsCertFile: d('pki/kubelet.crt'),
      tlsPrivateKeyFile: d('pki/kubelet.key'),
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      cgroupRoot,
      cgroupsPerQOS: true,
      failSwapOn: false,
      containerRuntimeEndpoint: `unix://${socket}`,
      containerLogMaxSize,
      containerLogMaxFiles: 3,
      podLogsDir: d('pod-logs'),
      resolvConf: d('resolv.conf'),
      clusterDomain: 'cluster.local',
      registerNode: true,
      serializeImagePulls: false,
      // The disk holds other work: never evict test pods or GC our imported images for disk pressure.
      evictionHard: { 'memory.available': '50Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      makeIPTablesUtilChains: false,
      localStorageCapacityIsolation: true,
      nodeStatusReportFrequency: '10s',
      volumePluginDir: d('kubelet/volume-plugins'),
      maxPods: 50,
    };
    fs.writeFileSync(d('kubelet-config.yaml'), toYaml(kubeletConfig));
    const kubelet = spawnProc('kubelet', path.join(binDir, 'kubelet'), [
      `--config=${d('kubelet-config.yaml')}`, `--kubeconfig=${kubeconfig}`, `--root-dir=${d('kubelet')}`,
      `--cert-dir=${d('pki')}`, `--node-ip=${nodeIp}`, `--hostname-override=${REAL_NODE_NAME}`, '--v=1',
    ]);

    // ------------------------------------------------------------------ Ready and schedulable
    const admin = cp.admin;
    await waitProc(kubelet, async () => {
      const n = await admin.get(`/api/v1/nodes/${REAL_NODE_NAME}`);
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return ready && !(n.spec.taints ?? []).length;
    }, `node ${REAL_NODE_NAME} Ready without taints`);
    mark('ready');

    return {
      nodeName: REAL_NODE_NAME, nodeIp, dir, socket, cgroupRoot, logDir,
      podLogsDir: d('pod-logs'), volumesDir: d('volumes'), timings,
      pids: Object.fromEntries(procs.map((p) => [p.name, p.pid])),
      /** Runs `ctr -n k8s.io <args>` against this node's containerd. */
      ctr,
      /** Mount points still under the node's dir (empty after stop()). */
      mounts: () => mountsUnder(dir),
      stop: async () => { await stop(); process.off('exit', onExit); },
    };
  } catch (e) {
    await stop().catch(() => {});
    process.off('exit', onExit);
    throw e;
  }
}

export { KubeClient };
