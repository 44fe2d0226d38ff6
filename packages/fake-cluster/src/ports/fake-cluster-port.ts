import {
  ClusterError,
  INFORMER_LINGER_MS,
  informerRetryOptions,
  listJobsShared,
  isClusterError,
  noteJobDeleted,
  sharedWatches,
  watchJobShared,
  watchPodsShared,
  payloadData,
  payloadSecretName,
  type AgentJobSpec,
  type ClaimDelete,
  type ClaimHolder,
  type ClaimRecord,
  type ClaimWrite,
  type ClusterPort,
  type JobRef,
  type JobSnapshot,
  type JobWatchEvent,
  type LabelSelector,
  type ListWatchSource,
  type NamespaceInformers,
  type ObjectRef,
  type PodSnapshot,
  type PodWatchEvent,
  type PropagationPolicy,
} from "@clipjob/core";
import type { ApiGateway } from "../api/api-gateway.js";
import type { VirtualClock } from "../virtual-clock.js";
import type { ObjectStore } from "../store/object-store.js";
import { JOB_NAME_LABEL, type JobObject, type OwnerReference } from "../store/objects.js";
import { FakeClaimPort } from "./fake-claim-port.js";
import type { PortSession } from "./port-session.js";
import type { ReadRetrier } from "./read-retrier.js";
import { toJobSnapshot, toPodSnapshot } from "./snapshots.js";

/**
 * ClusterPort over the fake API server. Like the real adapter its watches are core's shared informers, one Job
 * and one pod informer per namespace for this port instance (the process): each lists the namespace, then
 * watches from the list's resourceVersion with bookmarks on, resumes after a server-side watch timeout from the
 * last resourceVersion seen (a bookmark's included, so a quiet watch need not relist), reopens a silent watch,
 * and relists on 410 Gone; `listJobs` answers from the synced Job cache. Like the real adapter it retries a
 * read that failed transiently (`ReadRetrier`: core's loop and policy, shared with k8s-infra) and never a
 * write, so an injected fault reaches the caller as a ClusterError once it outlasts the retries.
 */
export class FakeClusterPort implements ClusterPort {
  /** The process's shared informers, by namespace. */
  readonly informers: { readonly jobs: NamespaceInformers<JobSnapshot>; readonly pods: NamespaceInformers<PodSnapshot> };
  private readonly claims: FakeClaimPort;

  constructor(
    private readonly store: ObjectStore,
    private readonly api: ApiGateway,
    private readonly session: PortSession,
    private readonly clock: VirtualClock,
    private readonly reads: ReadRetrier,
  ) {
    this.claims = new FakeClaimPort(store, api, session, reads);
    this.informers = sharedWatches(
      { jobs: (ns) => this.source(ns, "Job"), pods: (ns) => this.source(ns, "Pod") },
      { clock, lingerMs: INFORMER_LINGER_MS, ...informerRetryOptions(reads.policy) },
    );
    // The process is gone (host restart, disposal): its informers stop with it rather than retry a dead session.
    session.link().addEventListener(
      "abort",
      () => {
        this.informers.jobs.shutdown();
        this.informers.pods.shutdown();
      },
      { once: true },
    );
  }

  private source(namespace: string, kind: "Job"): ListWatchSource<JobSnapshot>;
  private source(namespace: string, kind: "Pod"): ListWatchSource<PodSnapshot>;
  private source(namespace: string, kind: "Job" | "Pod"): ListWatchSource<JobSnapshot> | ListWatchSource<PodSnapshot> {
    const noun = kind === "Job" ? "jobs" : "pods";
    const translate = (o: unknown): any => (kind === "Job" ? toJobSnapshot(o as JobObject) : toPodSnapshot(o as Parameters<typeof toPodSnapshot>[0]));
    const session = this.session;
    const { api, store, reads } = this;
    return {
      watchOperation: `watch ${noun}`,
      async list(signal) {
        session.check(`list ${noun}`);
        const r = await reads.read(() => api.call(`list ${noun}`, namespace, () => store.list(kind, namespace, {})), signal);
        return { items: r.items.map(translate), resourceVersion: r.resourceVersion };
      },
      async *watch(resourceVersion, signal) {
        session.check(`watch ${noun}`);
        const stop = session.link(signal);
        const stream = await api.call(`watch ${noun}`, namespace, () => store.watch(kind, { namespace, resourceVersion, allowBookmarks: true, signal: stop }));
        for await (const e of stream) {
          if (e.type === "BOOKMARK") {
            yield { type: "bookmark", resourceVersion: String(e.resourceVersion) };
            continue;
          }
          if (e.object.kind !== kind) continue;
          yield { type: e.type === "ADDED" ? "added" : e.type === "MODIFIED" ? "modified" : "deleted", object: translate(e.object) };
        }
        // A watch the host restart cut is an error to the informer, not a server timeout to resume from.
        if (!session.alive && !signal.aborted) session.check(`watch ${noun}`);
      },
    } as ListWatchSource<JobSnapshot> | ListWatchSource<PodSnapshot>;
  }

  async submit(spec: AgentJobSpec, signal?: AbortSignal): Promise<JobSnapshot> {
    this.session.check("submit");
    const { namespace: ns, name } = spec.ref;
    if (spec.payloadSecret !== undefined) {
      // The payload is the run's claim, created before: one create, and the Job starts at once.
      if (signal?.aborted) throw new ClusterError({ code: "unknown", operation: "submit", message: "submit interrupted" });
      const created = await this.api.call("create job", ns, () => this.store.create<"Job">(newJob(spec, false)));
      const snapshot = toJobSnapshot(created);
      this.informers.jobs.of(ns).noteWritten(snapshot);
      return snapshot;
    }
    let created: JobObject | undefined;
    let secretCreated = false;
    const interrupted = (): void => {
      if (signal?.aborted || !this.session.alive) throw new ClusterError({ code: "unknown", operation: "submit", message: "submit interrupted" });
    };
    try {
      interrupted();
      created = await this.api.call("create job", ns, () => this.store.create<"Job">(newJob(spec, true)));
      interrupted();
      const owner = created;
      await this.api.call("create secret", ns, () =>
        this.store.create<"Secret">({
          kind: "Secret",
          metadata: {
            name: payloadSecretName(name),
            namespace: ns,
            labels: { ...spec.labels },
            ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name, uid: owner.metadata.uid, controller: false, blockOwnerDeletion: false }],
          },
          data: payloadData(spec.payload),
        }),
      );
      secretCreated = true;
      interrupted();
      const resumed = await this.api.call("patch job", ns, () => this.store.update("Job", ns, name, (j) => (j.spec.suspend = false), { uid: owner.metadata.uid }));
      const snapshot = toJobSnapshot(resumed);
      this.informers.jobs.of(ns).noteWritten(snapshot);
      return snapshot;
    } catch (err) {
      await this.undoSubmit(spec, created, secretCreated, err);
      throw err;
    }
  }

  /**
   * Deletes what a failed submit created. A create whose outcome is unknown (the response was lost) is
   * looked up by name and removed only if it is this submit's object: same labels, not an older Job.
   */
  private async undoSubmit(spec: AgentJobSpec, created: JobObject | undefined, secretCreated: boolean, err: unknown): Promise<void> {
    const { namespace: ns, name } = spec.ref;
    const uncertain = isClusterError(err) && err.transient;
    let uid = created?.metadata.uid;
    if (uid === undefined && uncertain && isClusterError(err) && err.operation === "create job") {
      const found = this.store.get("Job", ns, name);
      if (found && found.spec.suspend && JSON.stringify(found.metadata.labels) === JSON.stringify(spec.labels)) uid = found.metadata.uid;
    }
    if (uid !== undefined) {
      try {
        await this.api.call("delete job", ns, () => this.store.delete("Job", ns, name, { propagation: "Background", uid }));
      } catch {
        // Without a claim the payload is owned by the Job, so garbage collection still removes it once the Job goes.
      }
    }
    if (secretCreated || (uncertain && uid !== undefined)) {
      try {
        await this.api.call("delete secret", ns, () => this.store.delete("Secret", ns, payloadSecretName(name)));
      } catch {
        // Without a claim the payload is owned by the Job: collected with it.
      }
    }
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
    this.session.check("get job");
    const job = await this.reads.read(() => this.api.call("get job", ref.namespace, () => this.store.get("Job", ref.namespace, ref.name)));
    return job ? toJobSnapshot(job) : null;
  }

  async listJobs(namespace: string, selector: LabelSelector): Promise<JobSnapshot[]> {
    this.session.check("list jobs");
    return listJobsShared(this.informers.jobs, namespace, selector);
  }

  async relabel(ref: JobRef, labels: Readonly<Record<string, string | null>>): Promise<JobSnapshot> {
    this.session.check("patch job");
    const job = await this.api.call("patch job", ref.namespace, () =>
      this.store.update(
        "Job",
        ref.namespace,
        ref.name,
        (j) => {
          for (const [k, v] of Object.entries(labels)) {
            if (v === null) delete j.metadata.labels[k];
            else j.metadata.labels[k] = v;
          }
        },
        { uid: ref.uid },
      ),
    );
    return toJobSnapshot(job);
  }

  async deleteJob(ref: ObjectRef, propagation: PropagationPolicy): Promise<boolean> {
    this.session.check("delete job");
    const uid = (ref as Partial<JobRef>).uid;
    try {
      await this.api.call("delete job", ref.namespace, () => this.store.delete("Job", ref.namespace, ref.name, { propagation, ...(uid !== undefined ? { uid } : {}) }));
      noteJobDeleted(this.informers.jobs.of(ref.namespace), ref, propagation, this.clock);
      return true;
    } catch (err) {
      if (isClusterError(err) && err.code === "not_found") return false;
      throw err;
    }
  }

  async listPods(job: ObjectRef): Promise<PodSnapshot[]> {
    this.session.check("list pods");
    const { items } = await this.reads.read(() => this.api.call("list pods", job.namespace, () => this.store.list("Pod", job.namespace, { [JOB_NAME_LABEL]: job.name })));
    return items.map(toPodSnapshot);
  }

  async *watchJob(ref: ObjectRef, signal: AbortSignal): AsyncIterable<JobWatchEvent> {
    this.session.check("watch jobs");
    yield* watchJobShared(this.informers.jobs.of(ref.namespace), ref, this.session.link(signal), () => this.getJob(ref));
  }

  async *watchPods(job: ObjectRef, signal: AbortSignal): AsyncIterable<PodWatchEvent> {
    this.session.check("watch pods");
    yield* watchPodsShared(this.informers.pods.of(job.namespace), job, this.session.link(signal));
  }
}

function newJob(
  spec: AgentJobSpec,
  suspend: boolean,
): Omit<JobObject, "metadata"> & { metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string>; ownerReferences: OwnerReference[] } } {
  // Owned by the run's agent claim when it has one (as k8s-infra renders it): collected with it.
  const owner = spec.payloadSecret !== undefined && spec.payloadSecretUid !== undefined ? [{ apiVersion: "v1", kind: "Secret", name: spec.payloadSecret, uid: spec.payloadSecretUid }] : [];
  return {
    kind: "Job",
    metadata: { name: spec.ref.name, namespace: spec.ref.namespace, labels: { ...spec.labels }, annotations: { ...spec.annotations }, ownerReferences: owner },
    spec: {
      template: spec,
      suspend,
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      ...(spec.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
      ...(spec.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished } : {}),
    },
    status: { conditions: [], active: 0, succeeded: 0, failed: 0, terminating: 0 },
  };
}
