// Builds the contract suite's harness on a real cluster: the four Kube adapters over one kubeconfig, plus
// the driver the caller brings (it knows how that cluster's kubelet runs containers). Cleanup deletes the
// Jobs this harness submitted, so cases leave nothing behind on a shared cluster.
import { systemClock, type ClusterPort, type HostPort, type JobRef } from "@clipjob/core";
import type { ContractCapabilities, ContractDriver, ContractHarness } from "@clipjob/cluster-contract";
import { KubeAccessAdapter, KubeClusterAdapter, KubeHostAdapter, KubeLeaseAdapter, KubeLogAdapter, loadKubeConfig } from "@clipjob/k8s-infra";

export interface KubeHarnessOptions {
  readonly kubeconfigPath: string;
  readonly context?: string;
  readonly namespace: string;
  readonly driver: ContractDriver;
  /** A real API server cannot expire watches on demand and AgentJobSpec has no init containers. */
  readonly capabilities?: ContractCapabilities;
}

export type KubeHarness = ContractHarness & {
  readonly host: HostPort;
  /**
   * Stops the adapter's shared watches (they restart on the next read or watch), as a process started now
   * would have none: an informer already running keeps its open watches when RBAC changes, and meets the change
   * only at its next relist.
   */
  stopSharedWatches(): void;
};

export async function createKubeHarness(opts: KubeHarnessOptions): Promise<KubeHarness> {
  const loaded = loadKubeConfig({ kubeconfigPath: opts.kubeconfigPath, ...(opts.context === undefined ? {} : { context: opts.context }) });
  if (!loaded.ok) throw new Error(`${loaded.error.code}: ${loaded.error.message}`);
  const kc = loaded.value;
  const adapter = new KubeClusterAdapter(kc);
  const submitted: JobRef[] = [];

  const cluster: ClusterPort = {
    submit: async (spec, signal) => {
      const job = await adapter.submit(spec, signal);
      submitted.push(job.ref);
      return job;
    },
    getClaim: (ref) => adapter.getClaim(ref),
    createClaim: (ref, holder, labels, data) => adapter.createClaim(ref, holder, labels, data),
    adoptClaim: (current, holder) => adapter.adoptClaim(current, holder),
    markClaimReported: (current) => adapter.markClaimReported(current),
    deleteClaim: (current, propagation) => adapter.deleteClaim(current, propagation),
    getJob: (ref) => adapter.getJob(ref),
    listJobs: (namespace, selector) => adapter.listJobs(namespace, selector),
    relabel: (ref, labels) => adapter.relabel(ref, labels),
    deleteJob: (ref, propagation) => adapter.deleteJob(ref, propagation),
    listPods: (job) => adapter.listPods(job),
    watchJob: (ref, signal) => adapter.watchJob(ref, signal),
    watchPods: (job, signal) => adapter.watchPods(job, signal),
  };

  return {
    cluster,
    logs: new KubeLogAdapter(kc),
    access: new KubeAccessAdapter(kc),
    leases: new KubeLeaseAdapter(kc),
    host: new KubeHostAdapter(kc, { cache: new Map() }),
    clock: systemClock,
    stopSharedWatches: () => adapter.close(),
    namespace: opts.namespace,
    driver: opts.driver,
    capabilities: opts.capabilities ?? { expireWatches: opts.driver.expireWatches !== undefined, initContainers: false },
    async cleanup() {
      const refs = submitted.splice(0);
      // A case may already have deleted its Job, or a successor may hold the name: both are fine.
      await Promise.allSettled(refs.map((ref) => adapter.deleteJob(ref, "Background")));
      adapter.close();
    },
  };
}
