// A Paperclip-like host process for the real-node suite's host-restart case: runs one heartbeat with
// runAgentJob over the built packages (`@clipjob/core` and `@clipjob/k8s-infra` dist; `pnpm test:node` builds them) and prints what it sees as JSON
// lines ({type: "job" | "line" | "outcome"}), until it ends or is killed. The test SIGKILLs it mid-run.
//
//   node host-process.mjs <kubeconfig> '<RunRequest JSON>'
import { AgentLocks, runAgentJob, systemClock } from '@clipjob/core';
import { KubeClusterAdapter, KubeHostAdapter, KubeLogAdapter, loadKubeConfig } from '@clipjob/k8s-infra';

const [kubeconfigPath, requestJson] = process.argv.slice(2);
const loaded = loadKubeConfig({ kubeconfigPath });
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.code}: ${loaded.error.message}\n`);
  process.exit(2);
}
const kc = loaded.value;
const request = JSON.parse(requestJson);
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const outcome = await runAgentJob(
  {
    cluster: new KubeClusterAdapter(kc),
    logs: new KubeLogAdapter(kc),
    host: new KubeHostAdapter(kc, { cache: new Map() }),
    clock: systemClock,
    defaultNamespace: request.config.namespace,
    locks: new AgentLocks(),
  },
  request,
  { observer: { onJob: (j) => out({ type: 'job', name: j.name }), onLine: (stream, line) => out({ type: 'line', stream, line }) } },
);
out({ type: 'outcome', outcome });
