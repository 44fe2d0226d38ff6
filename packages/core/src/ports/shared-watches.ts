// The ClusterPort's per-run watches as views of the process's shared informers (one Job informer and one pod
// informer per namespace): `watchJob` and `watchPods` subscribe to the changes of one Job, the guard's
// `listJobs` answers from the synced cache. Both cluster adapters build their port on these, so the fake
// serves exactly what the real adapter does.

import type { Clock } from "./clock.js";
import type { JobSnapshot, LabelSelector, ObjectRef, PodSnapshot, PropagationPolicy } from "./cluster-objects.js";
import type { JobWatchEvent, PodWatchEvent } from "./cluster-port.js";
import { SharedInformer } from "./shared-informer.js";
import type { InformerChange, InformerKeys, InformerOptions, ListWatchSource } from "./shared-informer-types.js";

export const JOB_INFORMER_KEYS: InformerKeys<JobSnapshot> = {
  uid: (j) => j.ref.uid,
  name: (j) => j.ref.name,
  resourceVersion: (j) => j.resourceVersion,
  index: (j) => j.ref.name,
};

export const POD_INFORMER_KEYS: InformerKeys<PodSnapshot> = {
  uid: (p) => p.ref.uid,
  name: (p) => p.ref.name,
  resourceVersion: (p) => p.resourceVersion,
  index: (p) => p.jobName,
};

/** One informer per namespace, made on first use; each runs only while held. */
export class NamespaceInformers<T> {
  private readonly byNamespace = new Map<string, SharedInformer<T>>();

  constructor(private readonly make: (namespace: string) => SharedInformer<T>) {}

  of(namespace: string): SharedInformer<T> {
    let informer = this.byNamespace.get(namespace);
    if (!informer) this.byNamespace.set(namespace, (informer = this.make(namespace)));
    return informer;
  }

  /** The namespace's informer if it is running and synced. */
  synced(namespace: string): SharedInformer<T> | undefined {
    const informer = this.byNamespace.get(namespace);
    return informer?.isSynced ? informer : undefined;
  }

  /** Stops every namespace's informer (a closing process). */
  shutdown(): void {
    for (const i of this.byNamespace.values()) i.shutdown();
  }

  /** Requests of every namespace's informer, summed. */
  stats(): { lists: number; watches: number; silentReopens: number; relists: number; starts: number } {
    const sum = { lists: 0, watches: 0, silentReopens: 0, relists: 0, starts: 0 };
    for (const i of this.byNamespace.values()) {
      sum.lists += i.stats.lists;
      sum.watches += i.stats.watches;
      sum.silentReopens += i.stats.silentReopens;
      sum.relists += i.stats.relists;
      sum.starts += i.stats.starts;
    }
    return sum;
  }
}

/** The Job and pod informers of a cluster adapter, over its list and watch calls. */
export function sharedWatches(
  sources: { readonly jobs: (namespace: string) => ListWatchSource<JobSnapshot>; readonly pods: (namespace: string) => ListWatchSource<PodSnapshot> },
  options: InformerOptions,
): { readonly jobs: NamespaceInformers<JobSnapshot>; readonly pods: NamespaceInformers<PodSnapshot> } {
  return {
    jobs: new NamespaceInformers((ns) => new SharedInformer(sources.jobs(ns), JOB_INFORMER_KEYS, options)),
    pods: new NamespaceInformers((ns) => new SharedInformer(sources.pods(ns), POD_INFORMER_KEYS, options)),
  };
}

/**
 * How long an adapter's informers keep running after the last run of the namespace let go of them (their
 * `lingerMs`): a guard's read followed by its run's watch, and runs that follow one another, share one list
 * and one watch.
 */
export const INFORMER_LINGER_MS = 60_000;

/**
 * `ClusterPort.listJobs` from the namespace's shared Job informer: the synced cache's Jobs carrying every label
 * of `selector` (this process's own creates and deletes already applied). Starts the informer if no run holds
 * it (its first list is then this read); it lingers for the run that follows. Throws the informer's list error
 * (a `ClusterError`) when it cannot sync.
 */
export async function listJobsShared(informers: NamespaceInformers<JobSnapshot>, namespace: string, selector: LabelSelector): Promise<JobSnapshot[]> {
  const informer = informers.of(namespace);
  const release = informer.acquire();
  try {
    await informer.waitSynced();
    const wanted = Object.entries(selector);
    return informer.items().filter((j) => wanted.every(([k, v]) => j.labels[k] === v));
  } finally {
    release();
  }
}

/**
 * `ClusterPort.watchJob` over the namespace's Job informer: the current Job first (`added`), then each change
 * (`modified`), then `deleted` and the end. A Job the cache does not know (created by another process a moment
 * ago, or never) is read once with `getJob`: absent, it is one `deleted` with no Job. With a uid in `ref`, a
 * same-named Job of another uid is not this one. Throws the informer's error when a list or watch attempt fails
 * (the informer itself keeps trying).
 */
export async function* watchJobShared(informer: SharedInformer<JobSnapshot>, ref: ObjectRef, signal: AbortSignal, getJob: () => Promise<JobSnapshot | null>): AsyncGenerator<JobWatchEvent> {
  const wantedUid = "uid" in ref && typeof ref.uid === "string" && ref.uid !== "" ? ref.uid : undefined;
  const view = new ChangeQueue<JobSnapshot>(informer, ref.name, signal);
  try {
    await informer.waitSynced(signal);
    if (signal.aborted) return;
    let current = informer.getByName(ref.name);
    if (current !== undefined && wantedUid !== undefined && current.ref.uid !== wantedUid) current = undefined;
    if (current === undefined) {
      const gone = wantedUid === undefined ? undefined : informer.deleted(wantedUid);
      if (gone !== undefined) {
        yield { type: "deleted", job: gone };
        return;
      }
      const read = await getJob();
      if (read === null || (wantedUid !== undefined && read.ref.uid !== wantedUid)) {
        yield { type: "deleted", job: null };
        return;
      }
      current = read;
    }
    const uid = current.ref.uid;
    let seenVersion = current.resourceVersion;
    yield { type: "added", job: current };
    for (;;) {
      const change = await view.next();
      if (change === null) return;
      if (change.type === "error") throw change.error;
      if (change.object.ref.uid !== uid) continue;
      if (change.type === "deleted") {
        yield { type: "deleted", job: change.final ? change.object : null };
        return;
      }
      if (change.object.resourceVersion === seenVersion) continue;
      seenVersion = change.object.resourceVersion;
      yield { type: "modified", job: change.object };
    }
  } finally {
    view.close();
  }
}

/**
 * `ClusterPort.watchPods` over the namespace's pod informer: the Job's current pods first (`added`), then
 * their changes. Runs until `signal` aborts; throws the informer's error when a list or watch attempt fails.
 */
export async function* watchPodsShared(informer: SharedInformer<PodSnapshot>, job: ObjectRef, signal: AbortSignal): AsyncGenerator<PodWatchEvent> {
  const view = new ChangeQueue<PodSnapshot>(informer, job.name, signal);
  try {
    await informer.waitSynced(signal);
    if (signal.aborted) return;
    const versions = new Map<string, string>();
    for (const pod of informer.itemsOf(job.name)) {
      versions.set(pod.ref.uid, pod.resourceVersion);
      yield { type: "added", pod };
    }
    for (;;) {
      const change = await view.next();
      if (change === null) return;
      if (change.type === "error") throw change.error;
      const pod = change.object;
      if (change.type === "deleted") {
        versions.delete(pod.ref.uid);
        yield { type: "deleted", pod };
        continue;
      }
      const before = versions.get(pod.ref.uid);
      if (before === pod.resourceVersion) continue;
      versions.set(pod.ref.uid, pod.resourceVersion);
      yield { type: before === undefined ? "added" : "modified", pod };
    }
  } finally {
    view.close();
  }
}

/** One subscriber's changes, queued from the moment it subscribed; holds the informer until closed. */
class ChangeQueue<T> {
  private readonly queue: InformerChange<T>[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private readonly release: () => void;
  private readonly unsubscribe: () => void;
  private readonly onAbort = (): void => this.close();

  constructor(
    informer: SharedInformer<T>,
    index: string,
    private readonly signal: AbortSignal,
  ) {
    this.unsubscribe = informer.subscribe(index, (change) => {
      this.queue.push(change);
      this.poke();
    });
    this.release = informer.acquire();
    signal.addEventListener("abort", this.onAbort, { once: true });
    if (signal.aborted) this.close();
  }

  /** The next change, or `null` once closed (the signal aborted). */
  async next(): Promise<InformerChange<T> | null> {
    for (;;) {
      const change = this.queue.shift();
      if (change !== undefined) return change;
      if (this.closed) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.unsubscribe();
    this.release();
    this.signal.removeEventListener("abort", this.onAbort);
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * This process deleted a Job: a Background delete removes it from the API at once (pods follow by garbage
 * collection), so the cache forgets it now; a Foreground delete keeps it, marked as being deleted, until its
 * pods are gone. Either way a guard right after the delete sees what the server holds.
 */
export function noteJobDeleted(informer: SharedInformer<JobSnapshot>, ref: ObjectRef, propagation: PropagationPolicy, clock: Clock): void {
  const refUid = "uid" in ref && typeof ref.uid === "string" && ref.uid !== "" ? ref.uid : undefined;
  const cached = informer.getByName(ref.name);
  if (cached === undefined || (refUid !== undefined && cached.ref.uid !== refUid)) return;
  if (propagation === "Background") informer.noteDeleted(cached.ref.uid);
  else if (cached.deletionTimestamp === undefined) informer.noteDeleting(cached.ref.uid, { ...cached, deletionTimestamp: new Date(clock.now()).toISOString() });
}
