import {
  noteJobDeleted,
  ClusterError,
  INFORMER_LINGER_MS,
  informerRetryOptions,
  listJobsShared,
  sharedWatches,
  systemClock,
  watchJobShared,
  watchPodsShared,
  type AgentJobSpec,
  type ClaimDelete,
  type ClaimHolder,
  type ClaimRecord,
  type ClaimWrite,
  type ClusterPort,
  type Clock,
  type JobRef,
  type JobSnapshot,
  type JobWatchEvent,
  type LabelSelector,
  type NamespaceInformers,
  type ObjectRef,
  type PodSnapshot,
  type PodWatchEvent,
  type PropagationPolicy,
} from "@clipjob/core";
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from "@kubernetes/client-node";
import { KubeClaimAdapter } from "../claim/kube-claim-adapter.js";
import { toClusterError } from "../errors/classify-kube-error.js";
import { kubeOperation, type KubeOperation } from "../errors/kube-operation.js";
import { DEFAULT_READ_RETRY, retryRead, type RetryPolicy } from "../retry/read-retry.js";
import { toJobSnapshot } from "../translate/job-snapshot.js";
import { toPodSnapshot } from "../translate/pod-snapshot.js";
import { kubeWatchSource } from "./kube-watch-source.js";
import { MERGE_PATCH, requestOptions } from "./request-options.js";
import { submitAgentJob } from "./submit-agent-job.js";

export interface KubeClusterAdapterOptions {
  readonly clock?: Clock;
  readonly readRetry?: RetryPolicy;
  /**
   * Shortest time the server keeps one watch open before it is reopened from its resourceVersion; each watch
   * asks for a random duration between this and twice it. Default 1800 s.
   */
  readonly watchTimeoutSeconds?: number;
  /**
   * A shared watch that delivered neither an event nor a bookmark for this long is reopened from its last
   * resourceVersion (the API server sends a bookmark about once a minute). Default 180 000 ms.
   */
  readonly watchSilenceMs?: number;
  readonly random?: () => number;
}

/** Optimistic-concurrency rounds of relabel before a persistent conflict is reported. */
const RELABEL_ATTEMPTS = 4;

/**
 * Watches are long-lived and renewed rarely: every renewal is an API request, and with bookmarks on a resume
 * does not relist, so nothing is gained by closing them often. kube-apiserver itself gives a watch that names
 * no timeoutSeconds a random duration between --min-request-timeout (1800 s by default) and twice that, and
 * client-go's reflector likewise randomises its watch timeouts over [min, 2×min) so that watches opened
 * together do not all renew together; we ask for the apiserver's range: one renewal per watch every 30–60 min.
 */
const DEFAULT_MIN_WATCH_TIMEOUT_SECONDS = 1800;

/** The label the Job controller puts on its pods; every supported Kubernetes version sets it. */
const POD_JOB_LABEL = "job-name";

/**
 * ClusterPort over the Kubernetes API. Watches are shared: one Job watch and one pod watch per namespace for
 * the whole process (core's `SharedInformer`, running while any run watches that namespace), fanned out to
 * every run's `watchJob`/`watchPods`; `listJobs` answers from the synced Job cache, with this process's own
 * creates and deletes applied at once (a Job another process created a moment ago shows once its watch event
 * arrives, within the watch latency). So a run's own requests are its writes, its log follow and its clean-up.
 */
export class KubeClusterAdapter implements ClusterPort {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly claims: KubeClaimAdapter;
  /** The process's shared informers, by namespace. */
  readonly informers: { readonly jobs: NamespaceInformers<JobSnapshot>; readonly pods: NamespaceInformers<PodSnapshot> };

  constructor(
    private readonly kc: KubeConfig,
    opts: KubeClusterAdapterOptions = {},
  ) {
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.clock = opts.clock ?? systemClock;
    this.policy = opts.readRetry ?? DEFAULT_READ_RETRY;
    this.random = opts.random ?? Math.random;
    this.claims = new KubeClaimAdapter(kc, { clock: this.clock, readRetry: this.policy, random: this.random });
    const minTimeout = opts.watchTimeoutSeconds ?? DEFAULT_MIN_WATCH_TIMEOUT_SECONDS;
    const timeoutSeconds = (): number => Math.floor(minTimeout * (1 + this.random()));
    this.informers = sharedWatches(
      {
        jobs: (namespace) =>
          kubeWatchSource<V1Job, JobSnapshot>(kc, {
            list: async (signal) => {
              const list = await this.read(jobOperation("list jobs", "list", namespace), () => this.batch.listNamespacedJob({ namespace }, requestOptions({ signal })));
              return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? "" };
            },
            watchOperation: jobOperation("watch jobs", "watch", namespace),
            watchPath: `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
            translate: toJobSnapshot,
            timeoutSeconds,
          }),
        pods: (namespace) =>
          kubeWatchSource<V1Pod, PodSnapshot>(kc, {
            list: async (signal) => {
              const list = await this.read(podOperation("list pods", "list", namespace), () => this.core.listNamespacedPod({ namespace }, requestOptions({ signal })));
              return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? "" };
            },
            watchOperation: podOperation("watch pods", "watch", namespace),
            watchPath: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
            translate: toPodSnapshot,
            timeoutSeconds,
          }),
      },
      {
        clock: this.clock,
        ...informerRetryOptions(this.policy),
        lingerMs: INFORMER_LINGER_MS,
        ...(opts.watchSilenceMs === undefined ? {} : { silenceMs: opts.watchSilenceMs }),
      },
    );
  }

  async submit(spec: AgentJobSpec, signal?: AbortSignal): Promise<JobSnapshot> {
    const job = await submitAgentJob({ batch: this.batch, core: this.core }, spec, signal);
    this.informers.jobs.of(job.ref.namespace).noteWritten(job);
    return job;
  }

  getClaim(ref: ObjectRef): Promise<ClaimRecord | null> {
    return this.claims.getClaim(ref);
  }

  createClaim(ref: ObjectRef, holder: ClaimHolder, labels: Readonly<Record<string, string>>, data: Readonly<Record<string, string>>): Promise<ClaimWrite> {
    return this.claims.createClaim(ref, holder, labels, data);
  }

  adoptClaim(current: ClaimRecord, holder: ClaimHolder): Promise<ClaimWrite> {
    return this.claims.adoptClaim(current, holder);
  }

  markClaimReported(current: ClaimRecord): Promise<ClaimWrite> {
    return this.claims.markClaimReported(current);
  }

  deleteClaim(current: ClaimRecord, propagation?: "Background" | "Orphan"): Promise<ClaimDelete> {
    return this.claims.deleteClaim(current, propagation);
  }

  async getJob(ref: ObjectRef): Promise<JobSnapshot | null> {
    const op = jobOperation("get job", "get", ref.namespace);
    try {
      const job = await this.read(op, () => this.batch.readNamespacedJob({ name: ref.name, namespace: ref.namespace }));
      return toJobSnapshot(job);
    } catch (e) {
      if (toClusterError(e, op).code === "not_found") return null;
      throw e;
    }
  }

  async listJobs(namespace: string, selector: LabelSelector): Promise<JobSnapshot[]> {
    return listJobsShared(this.informers.jobs, namespace, selector);
  }

  /**
   * Merge-patches the labels of exactly the Job `ref` names: it reads the Job, refuses another
   * incarnation (a different uid) with `conflict`, and sends the patch with the resourceVersion it read,
   * so the server rejects it if the Job changed in between; then it reads again and retries, a few times
   * (the Job controller updates status often). This is a guarded write, never a blind retry.
   */
  async relabel(ref: JobRef, labels: Readonly<Record<string, string | null>>): Promise<JobSnapshot> {
    const get = jobOperation("relabel job", "get", ref.namespace);
    const patch = jobOperation("relabel job", "patch", ref.namespace);
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(get, () => this.batch.readNamespacedJob({ name: ref.name, namespace: ref.namespace }));
      const uid = current.metadata?.uid ?? "";
      if (ref.uid !== "" && uid !== ref.uid) {
        throw new ClusterError({ code: "conflict", operation: patch.name, message: `Job ${ref.namespace}/${ref.name} is another incarnation (uid ${uid}, expected ${ref.uid})` });
      }
      try {
        const job = await this.batch.patchNamespacedJob(
          { name: ref.name, namespace: ref.namespace, body: { metadata: { labels, resourceVersion: current.metadata?.resourceVersion } } },
          requestOptions({ contentType: MERGE_PATCH }),
        );
        return toJobSnapshot(job);
      } catch (e) {
        const err = toClusterError(e, patch);
        if (err.code !== "conflict" || attempt >= RELABEL_ATTEMPTS) throw err;
      }
    }
  }

  async deleteJob(ref: ObjectRef, propagation: PropagationPolicy): Promise<boolean> {
    const op = jobOperation("delete job", "delete", ref.namespace);
    const uid = "uid" in ref && typeof ref.uid === "string" && ref.uid !== "" ? ref.uid : undefined;
    try {
      await this.batch.deleteNamespacedJob({
        name: ref.name,
        namespace: ref.namespace,
        propagationPolicy: propagation,
        // With a uid, a same-named Job created since is not ours: the precondition fails it with 409 Conflict.
        // The API server ignores the query parameters once a DeleteOptions body is sent, so the policy goes in
        // the body too; without it batch/v1 falls back to orphaning the pods.
        ...(uid === undefined ? {} : { body: { propagationPolicy: propagation, preconditions: { uid } } }),
      });
      noteJobDeleted(this.informers.jobs.of(ref.namespace), ref, propagation, this.clock);
      return true;
    } catch (e) {
      const err = toClusterError(e, op);
      if (err.code === "not_found") return false;
      throw err;
    }
  }

  async listPods(job: ObjectRef): Promise<PodSnapshot[]> {
    const op = podOperation("list pods", "list", job.namespace);
    const list = await this.read(op, () => this.core.listNamespacedPod({ namespace: job.namespace, labelSelector: `${POD_JOB_LABEL}=${job.name}` }));
    return list.items.map(toPodSnapshot);
  }

  watchJob(ref: ObjectRef, signal: AbortSignal): AsyncIterable<JobWatchEvent> {
    return watchJobShared(this.informers.jobs.of(ref.namespace), ref, signal, () => this.getJob(ref));
  }

  watchPods(job: ObjectRef, signal: AbortSignal): AsyncIterable<PodWatchEvent> {
    return watchPodsShared(this.informers.pods.of(job.namespace), job, signal);
  }

  /** Stops the shared watches (views still open see no more changes). For a process that is shutting down. */
  close(): void {
    this.informers.jobs.shutdown();
    this.informers.pods.shutdown();
  }

  private read<T>(op: KubeOperation, call: () => Promise<T>): Promise<T> {
    return retryRead(op, { policy: this.policy, clock: this.clock, random: this.random }, call);
  }
}

function jobOperation(name: string, verb: string, namespace: string): KubeOperation {
  return kubeOperation(name, verb, "jobs", namespace, { group: "batch" });
}

function podOperation(name: string, verb: string, namespace: string): KubeOperation {
  return kubeOperation(name, verb, "pods", namespace);
}
