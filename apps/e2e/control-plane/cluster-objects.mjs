// The objects a fresh control plane needs before a test can run a Job: the kwok Node, the test namespace
// with the adapter's ServiceAccount, Role and RoleBinding (rbac.yaml), and the adapter's token.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYaml } from './lib.mjs';
import { FAKE_NODE_ANNOTATION } from './components.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const NODE_NAME = 'kwok-node-0';
/** With a real node in the cluster, the kwok node takes only pods that tolerate this. */
export const FAKE_NODE_TAINT = { key: 'clipjob.dev/fake-node', value: 'true', effect: 'NoSchedule' };
export const ADAPTER_SERVICE_ACCOUNT = 'clipjob-adapter';

/** Creates the kwok Node (tainted when a real node joins, so pods land there). */
export async function ensureFakeNode(admin, { realNode }) {
  await admin.ensure('/api/v1/nodes', {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: NODE_NAME,
      labels: { type: 'kwok', 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', [FAKE_NODE_ANNOTATION]: 'fake' },
    },
    spec: realNode ? { taints: [FAKE_NODE_TAINT] } : {},
  });
}

/** Creates rbac.yaml's objects (namespace, ServiceAccount, Role, RoleBinding) in `namespace`. */
export async function ensureAdapterRbac(admin, namespace) {
  for (const obj of parseYaml(fs.readFileSync(path.join(HERE, 'rbac.yaml'), 'utf8'))) {
    if (obj.kind === 'Namespace') obj.metadata.name = namespace;
    else obj.metadata.namespace = namespace;
    for (const s of obj.subjects ?? []) s.namespace = namespace;
    await admin.ensure(collectionPath(obj), obj);
  }
}

/**
 * Ready for pods: the node is Ready and carries no taint but ours (node-lifecycle removes the not-ready
 * taint that the TaintNodesByCondition admission plugin put on the new Node).
 */
export async function fakeNodeReady(admin) {
  const n = await admin.get(`/api/v1/nodes/${NODE_NAME}`);
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return ready && !(n.spec.taints ?? []).some((t) => t.key !== FAKE_NODE_TAINT.key);
}

/** A TokenRequest token (24 h) for the adapter's least-privilege ServiceAccount. */
export async function adapterToken(admin, namespace) {
  const tr = await admin.post(`/api/v1/namespaces/${namespace}/serviceaccounts/${ADAPTER_SERVICE_ACCOUNT}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 86400 },
  });
  return tr.status.token;
}

function collectionPath(obj) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [null, obj.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const plural = { Namespace: 'namespaces', ServiceAccount: 'serviceaccounts', Role: 'roles', RoleBinding: 'rolebindings' }[obj.kind];
  if (!plural) throw new Error(`rbac.yaml: unsupported kind ${obj.kind}`);
  return obj.kind === 'Namespace' ? `${base}/${plural}` : `${base}/namespaces/${obj.metadata.namespace}/${plural}`;
}
