import {
  ClusterError,
  isClusterError,
  payloadData,
  payloadSecretName,
  type AgentJobSpec,
  type ClusterPort,
  type JobRef,
  type JobSnapshot,
  type JobWatchEvent,
  type LabelSelector,
  type ObjectRef,
  type PodSnapshot,
  type PodWatchEvent,
  type PropagationPolicy,
} from "@clipjob/core";
import type { ApiGateway } from "../api/api-gateway.js";
import type { ObjectStore, WatchEvent } from "../store/object-store.js";
import { JOB_NAME_LABEL, type JobObject, type PodObject } from "../store/objects.js";
import type { PortSession } from "./port-session.js";
import { toJobSnapshot, toPodSnapshot } from "./snapshots.js";

/**
 * ClusterPort over the fake API server. Like the real adapter it lists then watches from the list's
 * resourceVersion with bookmarks on, resumes after a server-side watch timeout from the last resourceVersion
 * seen (a bookmark's included, so a quiet watch need not relist), and relists on 410 Gone. It never retries a
 * failed request: every injected fault reaches the caller as a ClusterError.
 */
export class FakeClusterPort implements ClusterPort {
  constructor(
    private readonly store: ObjectStore,
    private readonly api: ApiGateway,
    private readonly session: PortSession,
  ) {}

  async submit(spec: AgentJobSpec, signal?: AbortSignal): Promise<JobSnapshot> {
    this.session.check("submit");
    const { namespace: ns, name } = spec.ref;
    let created: JobObject | undefined;
    let secretCreated = false;
    const interrupted = (): void => {
      if (signal?.aborted || !this.session.alive) throw new ClusterError({ code: "unknown", operation: "submit", message: "submit interrupted" });
    };
    try {
      interrupted();
      created = await this.api.call("create job", ns, () => this.store.create<"Job">(newJob(spec)));
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
      return toJobSnapshot(resumed);
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
        // The payload is owned by the Job, so garbage collection still removes it once the Job goes.
      }
    }
    if (secretCreated || (uncertain && uid !== undefined)) {
      try {
        await this.api.call("delete secret", ns, () => this.store.delete("Secret", ns, payloadSecretName(name)));
      } catch {
        // Owned by the Job: collected with it.
      }
    }
  }

  async getJob(ref: ObjectRef): Promise<JobSnapshot | null> {
    this.session.check("get job");
    const job = await this.api.call("get job", ref.namespace, () => this.store.get("Job", ref.namespace, ref.name));
    return job ? toJobSnapshot(job) : null;
  }

  async listJobs(namespace: string, selector: LabelSelector): Promise<JobSnapshot[]> {
    this.session.check("list jobs");
    const { items } = await this.api.call("list jobs", namespace, () => this.store.list("Job", namespace, selector));
    return items.map(toJobSnapshot);
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
      return true;
    } catch (err) {
      if (isClusterError(err) && err.code === "not_found") return false;
      throw err;
    }
  }

  async listPods(job: ObjectRef): Promise<PodSnapshot[]> {
    this.session.check("list pods");
    const { items } = await this.api.call("list pods", job.namespace, () => this.store.list("Pod", job.namespace, { [JOB_NAME_LABEL]: job.name }));
    return items.map(toPodSnapshot);
  }

  async *watchJob(ref: ObjectRef, signal: AbortSignal): AsyncIterable<JobWatchEvent> {
    this.session.check("watch jobs");
    const stop = this.session.link(signal);
    const list = async (): Promise<{ job: JobObject | undefined; rv: string }> => {
      // fieldSelector metadata.name, as the real adapter lists: one Job, not the namespace.
      const r = await this.api.call("list jobs", ref.namespace, () => this.store.list("Job", ref.namespace, {}, ref.name));
      return { job: r.items[0], rv: r.resourceVersion };
    };
    const first = await list();
    if (!first.job) {
      yield { type: "deleted", job: null };
      return;
    }
    let last = toJobSnapshot(first.job);
    let rv = first.rv;
    yield { type: "added", job: last };
    while (!stop.aborted) {
      let stream: AsyncIterable<WatchEvent>;
      try {
        stream = await this.api.call("watch jobs", ref.namespace, () => this.store.watch("Job", { namespace: ref.namespace, name: ref.name, resourceVersion: rv, allowBookmarks: true, signal: stop }));
      } catch (err) {
        if (!(isClusterError(err) && err.code === "gone")) throw err;
        const again = await list();
        rv = again.rv;
        if (!again.job || again.job.metadata.uid !== last.ref.uid) {
          yield { type: "deleted", job: last };
          return;
        }
        if (again.job.metadata.resourceVersion !== last.resourceVersion) {
          last = toJobSnapshot(again.job);
          yield { type: "modified", job: last };
        }
        continue;
      }
      for await (const e of stream) {
        rv = String(e.resourceVersion);
        if (e.type === "BOOKMARK") continue;
        if (e.object.kind !== "Job" || e.object.metadata.uid !== last.ref.uid) continue;
        last = toJobSnapshot(e.object);
        if (e.type === "DELETED") {
          yield { type: "deleted", job: last };
          return;
        }
        yield { type: "modified", job: last };
      }
    }
  }

  async *watchPods(job: ObjectRef, signal: AbortSignal): AsyncIterable<PodWatchEvent> {
    this.session.check("watch pods");
    const stop = this.session.link(signal);
    const selector = { [JOB_NAME_LABEL]: job.name };
    const known = new Map<string, PodSnapshot>();
    const list = async (): Promise<{ items: PodObject[]; rv: string }> => {
      const r = await this.api.call("list pods", job.namespace, () => this.store.list("Pod", job.namespace, selector));
      return { items: r.items, rv: r.resourceVersion };
    };
    const first = await list();
    let rv = first.rv;
    for (const p of first.items) {
      const s = toPodSnapshot(p);
      known.set(s.ref.uid, s);
      yield { type: "added", pod: s };
    }
    while (!stop.aborted) {
      let stream: AsyncIterable<WatchEvent>;
      try {
        stream = await this.api.call("watch pods", job.namespace, () => this.store.watch("Pod", { namespace: job.namespace, labelSelector: selector, resourceVersion: rv, allowBookmarks: true, signal: stop }));
      } catch (err) {
        if (!(isClusterError(err) && err.code === "gone")) throw err;
        const again = await list();
        rv = again.rv;
        const seen = new Set<string>();
        for (const p of again.items) {
          const s = toPodSnapshot(p);
          seen.add(s.ref.uid);
          const before = known.get(s.ref.uid);
          known.set(s.ref.uid, s);
          if (!before) yield { type: "added", pod: s };
          else if (before.resourceVersion !== s.resourceVersion) yield { type: "modified", pod: s };
        }
        for (const [uid, s] of [...known]) {
          if (seen.has(uid)) continue;
          known.delete(uid);
          yield { type: "deleted", pod: s };
        }
        continue;
      }
      for await (const e of stream) {
        rv = String(e.resourceVersion);
        if (e.type === "BOOKMARK") continue;
        if (e.object.kind !== "Pod") continue;
        const s = toPodSnapshot(e.object);
        if (e.type === "DELETED") known.delete(s.ref.uid);
        else known.set(s.ref.uid, s);
        yield { type: e.type === "ADDED" ? "added" : e.type === "MODIFIED" ? "modified" : "deleted", pod: s };
      }
    }
  }
}

function newJob(spec: AgentJobSpec): Omit<JobObject, "metadata"> & { metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> } } {
  return {
    kind: "Job",
    metadata: { name: spec.ref.name, namespace: spec.ref.namespace, labels: { ...spec.labels }, annotations: { ...spec.annotations } },
    spec: {
      template: spec,
      suspend: true,
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      ...(spec.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
      ...(spec.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished } : {}),
    },
    status: { conditions: [], active: 0, succeeded: 0, failed: 0, terminating: 0 },
  };
}
