// The command lines of the control plane's binaries (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kwok) and the files they read (audit policy, kwok config). Every address is loopback.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toYaml } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** kwok manages only nodes with this annotation when a real kubelet joins the cluster. */
export const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** etcd with its data in `dataDir`, no fsync (a test cluster: speed over durability). */
export function etcdArgs({ dataDir, etcdPort, etcdPeer }) {
  return [
    '--name=n0', `--data-dir=${dataDir}`,
    `--listen-client-urls=http://127.0.0.1:${etcdPort}`, `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=n0=http://127.0.0.1:${etcdPeer}`,
    '--unsafe-no-fsync=true', '--quota-backend-bytes=2147483648', '--log-level=warn',
  ];
}

/**
 * The audit flags: every request at level Metadata as JSON lines in `auditLogFile` (counts requests at the
 * API server itself — who, verb, resource — e.g. for the bench's API cost). Writes the policy into `dir`.
 */
export function auditArgs(dir, auditLogFile) {
  const policyFile = path.join(dir, 'audit-policy.yaml');
  fs.writeFileSync(policyFile, toYaml({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata' }] }));
  return [`--audit-policy-file=${policyFile}`, `--audit-log-path=${auditLogFile}`, '--audit-log-format=json',
    '--audit-log-mode=blocking'];
}

/** kube-apiserver on 127.0.0.1:`apiPort` with RBAC + Node authorization, certificates from `pki`. */
export function apiserverArgs({ pki, etcdPort, apiPort, extra = [] }) {
  const P = (f) => path.join(pki, f);
  return [
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
    ...extra,
  ];
}

/** Flags shared by the controller manager and the scheduler: the admin kubeconfig, no leader election. */
function delegatedArgs(kubeconfig) {
  return [`--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1',
    '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics'];
}

/** kube-controller-manager with every controller; signs with the cluster CA, mints ServiceAccount tokens. */
export function controllerManagerArgs({ dir, pki, kubeconfig, port }) {
  const P = (f) => path.join(pki, f);
  return [
    ...delegatedArgs(kubeconfig), `--secure-port=${port}`, `--cert-dir=${path.join(dir, 'kcm-certs')}`,
    '--controllers=*',
    `--root-ca-file=${P('ca.crt')}`, `--service-account-private-key-file=${P('sa.key')}`,
    `--cluster-signing-cert-file=${P('ca.crt')}`, `--cluster-signing-key-file=${P('ca.key')}`,
    '--use-service-account-credentials=true',
  ];
}

export function schedulerArgs({ dir, kubeconfig, port }) {
  return [...delegatedArgs(kubeconfig), `--secure-port=${port}`, `--cert-dir=${path.join(dir, 'scheduler-certs')}`];
}

/**
 * kwok's config (our Stages from kwok-stages.yaml + a static ClusterLogs for `namespace`, used only with
 * logs: 'kwok' and by the smoke's probe) written to <dir>/kwok.yaml, its HOME (kwok also loads
 * ~/.kwok/kwok.yaml, so HOME is isolated) and its flags. `nodePort` is where the API server reaches the
 * node's kubelet endpoint (kwok's own, or kubelet-sim's); `realNode` keeps kwok to nodes annotated fake.
 */
export function kwokSetup({ dir, pki, logsDir, namespace, kubeconfig, port, nodePort, realNode }) {
  const kwokLogFile = path.join(logsDir, `kwok-${namespace}.log`);
  fs.writeFileSync(kwokLogFile, '');
  const config = path.join(dir, 'kwok.yaml');
  fs.writeFileSync(config, fs.readFileSync(path.join(HERE, 'kwok-stages.yaml'), 'utf8') + '\n---\n' + toYaml({
    apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'ClusterLogs', metadata: { name: 'clipjob-e2e-logs' },
    spec: { selector: { matchNamespaces: [namespace] }, logs: [{ logsFile: kwokLogFile }] },
  }));
  const home = path.join(dir, 'kwok-home');
  fs.mkdirSync(home, { recursive: true });
  const args = [
    `--kubeconfig=${kubeconfig}`, `--config=${config}`,
    ...(realNode ? [`--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`] : ['--manage-all-nodes=true']),
    '--node-ip=127.0.0.1', '--cidr=10.244.0.1/24',
    `--node-port=${nodePort}`, `--server-address=127.0.0.1:${port}`,
    `--tls-cert-file=${path.join(pki, 'kubelet.crt')}`, `--tls-private-key-file=${path.join(pki, 'kubelet.key')}`,
    '--node-lease-duration-seconds=40',
  ];
  return { args, env: { HOME: home }, kwokLogFile };
}
