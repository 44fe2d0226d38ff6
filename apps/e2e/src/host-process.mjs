// A Paperclip-like host process for the real-node suite's host-restart case: runs one heartbeat with
// runAgentJob over the built packages (`@clipjob/core` and `@clipjob/k8s-infra` dist; `pnpm test:node` builds them) and prints what it sees as JSON
// lines ({type: "job" | "line" | "notice" | "outcome"}), until it ends or is killed. The host-restart case
// SIGKILLs it mid-run; the claim race starts two at once. Its Lease and agent claims are held as
// `host-process/<pid>`, with the timing CLIPJOB_E2E_LEASE_TIMING gives (JSON LeaseTiming) or core's default.
//
//   node host-process.mjs <kubeconfig> '<RunRequest JSON>'
import { AgentLocks, runAgentJob, systemClock } from '@clipjob/core';
import { KubeClusterAdapter, KubeHostAdapter, KubeLeaseAdapter, KubeLogAdapter, loadKubeConfig } from '@clipjob/k8s-infra';

const [kubeconfigPath, requestJson] = process.argv.slice(2);
const loaded = loadKubeConfig({ kubeconfigPath });
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.code}: ${loaded.error.message}\n`);
  process.exit(2);
}
const kc = loaded.value;
const request = JSON.parse(requestJson);
const timing = process.env.CLIPJOB_E2E_LEASE_TIMING;
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const outcome = await runAgentJob(
  {
    cluster: new KubeClusterAdapter(kc),
    logs: new KubeLogAdapter(kc),
    host: new KubeHostAdapter(kc, { cache: new Map() }),
    leases: new KubeLeaseAdapter(kc),
    clock: systemClock,
    defaultNamespace: request.config.namespace,
    locks: new AgentLocks({ identity: `host-process/${process.pid}`, ...(timing ? { leaseTiming: JSON.parse(timing) } : {}) }),
  },
  request,
  {
    observer: {
      onJob: (j) => out({ type: 'job', name: j.name }),
      onLine: (stream, line) => out({ type: 'line', stream, line }),
      onProgress: (p) => (p.type === 'notice' ? out({ type: 'notice', level: p.level, message: p.message }) : undefined),
    },
  },
);
out({ type: 'outcome', outcome });
