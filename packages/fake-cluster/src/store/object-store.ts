import type { VirtualClock, TimerHandle } from "../virtual-clock.js";
import type { Random } from "../prng.js";
import { AsyncQueue } from "../async-queue.js";
import { apiError, alreadyExists, conflict, notFound } from "../api/api-errors.js";
import { matchesSelector } from "./label-selector.js";
import { copySharingFrozen, deepFreeze, draftOf } from "./frozen.js";
import { ObjectIndex } from "./object-index.js";
import { CLUSTER_SCOPED, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type AnyObject, type Kind, type ObjectMeta, type ObjectOfKind } from "./objects.js";
import { WatchRoutes } from "./watch-routes.js";

export type StoreEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent<O extends AnyObject = AnyObject> {
  readonly type: StoreEventType;
  readonly object: O;
  /** The object before this change (MODIFIED and DELETED). */
  readonly previous?: O;
  readonly resourceVersion: number;
  readonly at: number;
}

/** What a watch opened with `allowBookmarks` also delivers: no object change, just the revision it has reached. */
export interface BookmarkEvent {
  readonly type: "BOOKMARK";
  readonly resourceVersion: number;
  readonly at: number;
}

export type WatchEvent = StoreEvent | BookmarkEvent;

/** How often the API server's watch cache sends a watcher a bookmark (its default bookmark frequency). */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** The API server also sends one this long before it closes a watch on timeout, so the resume starts there. */
export const BOOKMARK_BEFORE_CLOSE_MS = 2_000;

export interface WatchOptions {
  readonly namespace?: string;
  readonly labelSelector?: Readonly<Record<string, string>>;
  /** fieldSelector metadata.name=… */
  readonly name?: string;
  /** Resume after this resourceVersion; 410 Gone when history no longer reaches back that far. */
  readonly resourceVersion?: string;
  /** allowWatchBookmarks=true: periodic BOOKMARK events carrying the current resourceVersion. */
  readonly allowBookmarks?: boolean;
  readonly signal?: AbortSignal;
}

export interface DeleteOptions {
  /** Orphan: the object waits (finalizer `orphan`) until the garbage collector has removed it from its dependents' ownerReferences. */
  readonly propagation?: "Background" | "Foreground" | "Orphan";
  readonly gracePeriodSeconds?: number;
  /** Precondition: delete only this incarnation of the name. */
  readonly uid?: string;
  /** Precondition: delete only this version of the object (409 Conflict otherwise). */
  readonly resourceVersion?: string;
}

export type NewObject<K extends Kind> = Omit<ObjectOfKind<K>, "metadata"> & {
  metadata: Pick<ObjectMeta, "name" | "namespace"> & Partial<ObjectMeta>;
};

interface ServerWatch {
  readonly kind: Kind;
  readonly options: WatchOptions;
  readonly queue: AsyncQueue<WatchEvent>;
  readonly seq: number;
  /** When the server closes this watch (virtual ms). */
  readonly deadline: number;
  timeout: TimerHandle | null;
  bookmark: TimerHandle | null;
  /** Half-open: the client still waits on it, the server sends nothing more (see `silenceWatches`). */
  silent: boolean;
}

export interface StoreOptions {
  readonly eventHistoryMs: number;
  readonly watchTimeoutMs: number;
}

/**
 * The API server's storage: objects with resourceVersions from one global counter (like etcd revisions),
 * an event history with compaction, watches that time out and answer 410 Gone for compacted versions,
 * finalizers and graceful pod deletion. Stored objects are deeply frozen and every write stores a new one, so
 * reads (and events) hand out the stored object itself: what a caller holds never changes under it.
 */
export class ObjectStore {
  private readonly index = new ObjectIndex();
  private revision = 0;
  /** Event history; entries before `historyStart` are compacted away (dropped in bulk now and then). */
  private history: StoreEvent[] = [];
  private historyStart = 0;
  private compactedRevision = 0;
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly watches = new WatchRoutes<ServerWatch>();
  private watchSeq = 0;
  private openCount = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: Random,
    private readonly options: StoreOptions,
  ) {}

  get<K extends Kind>(kind: K, namespace: string, name: string): ObjectOfKind<K> | undefined {
    return this.index.get(kind, namespace, name) as ObjectOfKind<K> | undefined;
  }

  /** `name` is the fieldSelector metadata.name=…; `selector` the equality label selector. */
  list<K extends Kind>(kind: K, namespace?: string, selector: Readonly<Record<string, string>> = {}, name?: string): { items: ObjectOfKind<K>[]; resourceVersion: string } {
    const resourceVersion = String(this.revision);
    if (name !== undefined) {
      const obj = namespace === undefined && !CLUSTER_SCOPED.has(kind) ? undefined : this.index.get(kind, namespace ?? "", name);
      const found = obj ? [obj] : this.index.candidates(kind, namespace, selector).filter((o) => o.metadata.name === name);
      return { items: found.filter((o) => matchesSelector(o.metadata.labels, selector)) as ObjectOfKind<K>[], resourceVersion };
    }
    const items = this.index.candidates(kind, namespace, selector).filter((o) => matchesSelector(o.metadata.labels, selector)) as ObjectOfKind<K>[];
    items.sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp || a.metadata.name.localeCompare(b.metadata.name));
    return { items, resourceVersion };
  }

  getByUid(uid: string): AnyObject | undefined {
    return this.index.getByUid(uid);
  }

  /** The stored objects whose ownerReferences name `uid`, in storage order. */
  dependents(uid: string): AnyObject[] {
    return this.index.dependents(uid);
  }

  /** Sorts objects into storage (creation) order, the order a full scan of the store visits them. */
  inStorageOrder(objs: AnyObject[]): AnyObject[] {
    return this.index.inStorageOrder(objs);
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  create<K extends Kind>(obj: NewObject<K>): ObjectOfKind<K> {
    const kind = obj.kind as K;
    const ns = CLUSTER_SCOPED.has(kind) ? "" : obj.metadata.namespace;
    const op = `create ${kind.toLowerCase()}`;
    if (!CLUSTER_SCOPED.has(kind) && !this.index.get("Namespace", "", ns)) {
      throw notFound("Namespace", ns, op);
    }
    if (this.index.get(kind, ns, obj.metadata.name)) throw alreadyExists(kind, obj.metadata.name, op);
    const metadata: ObjectMeta = {
      labels: {},
      annotations: {},
      finalizers: [],
      ownerReferences: [],
      ...copySharingFrozen(obj.metadata),
      namespace: ns,
      uid: this.random.uuid(),
      resourceVersion: "",
      creationTimestamp: this.clock.now(),
    };
    delete metadata.deletionTimestamp;
    const stored = { ...copySharingFrozen(obj), metadata } as unknown as AnyObject;
    this.commit("ADDED", stored, undefined);
    return stored as ObjectOfKind<K>;
  }

  /**
   * Read-modify-write. `expectResourceVersion` / `expectUid` are optimistic-concurrency preconditions (409).
   * Clearing the last finalizer of an object being deleted removes it. `mutate` gets a draft (see draftOf):
   * metadata and status are writable throughout, spec only at its top level.
   */
  update<K extends Kind>(
    kind: K,
    namespace: string,
    name: string,
    mutate: (obj: ObjectOfKind<K>) => void,
    pre: { resourceVersion?: string; uid?: string } = {},
  ): ObjectOfKind<K> {
    const op = `update ${kind.toLowerCase()}`;
    const current = this.index.get(kind, namespace, name) as ObjectOfKind<K> | undefined;
    if (!current) throw notFound(kind, name, op);
    if (pre.uid !== undefined && pre.uid !== current.metadata.uid) {
      throw conflict(kind, name, op, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(kind, name, op, "the object has been modified; please apply your changes to the latest version and try again");
    }
    const next = draftOf(current);
    mutate(next);
    next.metadata.uid = current.metadata.uid;
    next.metadata.name = current.metadata.name;
    next.metadata.namespace = current.metadata.namespace;
    this.commit(this.removable(next) ? "DELETED" : "MODIFIED", next, current);
    return next;
  }

  /** Returns the object as it is after the call, and whether it is gone from storage. */
  delete<K extends Kind>(kind: K, namespace: string, name: string, options: DeleteOptions = {}): { object: ObjectOfKind<K>; removed: boolean } {
    const op = `delete ${kind.toLowerCase()}`;
    const current = this.index.get(kind, namespace, name) as ObjectOfKind<K> | undefined;
    if (!current) throw notFound(kind, name, op);
    if (options.uid !== undefined && options.uid !== current.metadata.uid) {
      throw conflict(kind, name, op, `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (options.resourceVersion !== undefined && options.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(kind, name, op, `Precondition failed: ResourceVersion in precondition: ${options.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    const next = draftOf(current) as AnyObject;
    const m = next.metadata;
    const now = this.clock.now();
    if (m.deletionTimestamp !== undefined) {
      // Already terminating: only a shorter grace (the kubelet's final grace-0 delete) changes anything.
      if (options.gracePeriodSeconds === 0 && m.deletionGracePeriodSeconds !== 0) {
        m.deletionGracePeriodSeconds = 0;
        return this.finishDelete(next as ObjectOfKind<K>, current);
      }
      return { object: current, removed: false };
    }
    if (options.propagation === "Orphan") {
      m.deletionTimestamp = now;
      m.deletionGracePeriodSeconds = 0;
      if (!m.finalizers.includes(ORPHAN_FINALIZER)) m.finalizers.push(ORPHAN_FINALIZER);
      this.commit("MODIFIED", next, current);
      return { object: next as ObjectOfKind<K>, removed: false };
    }
    if (options.propagation === "Foreground") {
      m.deletionTimestamp = now;
      m.deletionGracePeriodSeconds = 0;
      if (!m.finalizers.includes(FOREGROUND_FINALIZER)) m.finalizers.push(FOREGROUND_FINALIZER);
      this.commit("MODIFIED", next, current);
      return { object: next as ObjectOfKind<K>, removed: false };
    }
    const grace = next.kind === "Pod" ? (options.gracePeriodSeconds ?? next.spec.terminationGracePeriodSeconds) : 0;
    const graceful = next.kind === "Pod" && next.spec.nodeName !== undefined && !isTerminalPhase(next.status.phase) && grace > 0;
    m.deletionTimestamp = graceful ? now + grace * 1000 : now;
    m.deletionGracePeriodSeconds = graceful ? grace : 0;
    return this.finishDelete(next as ObjectOfKind<K>, current);
  }

  /** Internal informer: every committed change, synchronously. Controllers use it (no expiry, no faults). */
  onChange(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A watch as the API server serves it. Throws ClusterError `gone` (410) for a compacted resourceVersion.
   * With `allowBookmarks` it also sends BOOKMARK events, so a watcher that saw no change of its own for a
   * long time can still resume from a recent resourceVersion instead of one history no longer holds.
   */
  watch(kind: Kind, options: WatchOptions & { readonly allowBookmarks: true }): AsyncIterable<WatchEvent>;
  watch(kind: Kind, options?: WatchOptions): AsyncIterable<StoreEvent>;
  watch(kind: Kind, options: WatchOptions = {}): AsyncIterable<WatchEvent> {
    this.compact();
    const from = options.resourceVersion === undefined || options.resourceVersion === "" ? this.revision : Number(options.resourceVersion);
    if (!Number.isFinite(from) || from < this.compactedRevision) {
      throw apiError("gone", `watch ${kind.toLowerCase()}`, `too old resource version: ${options.resourceVersion} (${this.compactedRevision})`);
    }
    const span = this.options.watchTimeoutMs * (1 + this.random.next());
    const w: ServerWatch = { kind, options, queue: new AsyncQueue<WatchEvent>(), seq: this.watchSeq++, deadline: this.clock.now() + span, timeout: null, bookmark: null, silent: false };
    for (let i = this.firstAfter(from); i < this.history.length; i++) this.deliver(w, this.history[i]!);
    this.watches.add(w);
    this.openCount++;
    w.timeout = this.clock.schedule(span, () => this.closeWatch(w), { daemon: true });
    if (options.allowBookmarks) this.scheduleBookmark(w);
    options.signal?.addEventListener("abort", () => this.closeWatch(w), { once: true });
    return w.queue;
  }

  /** Ends every open watch (as an API server restart or watch-cache reset does) and compacts all history. */
  expireWatches(): void {
    for (const w of this.watches.all()) this.closeWatch(w);
    this.history = [];
    this.historyStart = 0;
    this.compactedRevision = this.revision;
  }

  /**
   * Every open watch turns half-open, as when a connection dies without a FIN or RST: the client still
   * waits on it, but nothing arrives any more — no event, no bookmark, not even the close at its timeout.
   * Only the client giving up on it (its signal) ends it.
   */
  silenceWatches(): void {
    for (const w of this.watches.all()) {
      w.silent = true;
      w.timeout?.cancel();
      w.bookmark?.cancel();
    }
  }

  openWatches(): number {
    return this.openCount;
  }

  /** Open watches of `kind` in `namespace` (half-open ones included: the client still holds them). */
  openWatchesOf(kind: Kind, namespace: string): number {
    return this.watches.all().filter((w) => w.kind === kind && w.options.namespace === namespace).length;
  }

  private finishDelete<K extends Kind>(next: ObjectOfKind<K>, current: ObjectOfKind<K>): { object: ObjectOfKind<K>; removed: boolean } {
    const removed = this.removable(next);
    this.commit(removed ? "DELETED" : "MODIFIED", next, current);
    return { object: next, removed };
  }

  private removable(obj: AnyObject): boolean {
    const m = obj.metadata;
    return m.deletionTimestamp !== undefined && m.finalizers.length === 0 && m.deletionGracePeriodSeconds === 0;
  }

  private commit(type: StoreEventType, obj: AnyObject, previous: AnyObject | undefined): void {
    this.revision++;
    obj.metadata.resourceVersion = String(this.revision);
    deepFreeze(obj);
    if (type === "DELETED") this.index.remove(previous ?? obj);
    else this.index.put(obj, previous);
    const event: StoreEvent = {
      type,
      object: obj,
      ...(previous ? { previous } : {}),
      resourceVersion: this.revision,
      at: this.clock.now(),
    };
    Object.freeze(event);
    this.history.push(event);
    this.compact();
    for (const w of this.watches.candidates(obj, previous)) this.deliver(w, event);
    for (const l of this.listeners) l(event);
  }

  private compact(): void {
    const horizon = this.clock.now() - this.options.eventHistoryMs;
    let start = this.historyStart;
    while (start < this.history.length && this.history[start]!.at < horizon) start++;
    if (start === this.historyStart) return;
    this.compactedRevision = Math.max(this.compactedRevision, this.history[start - 1]!.resourceVersion);
    this.historyStart = start;
    if (start > 1024 && start * 2 > this.history.length) {
      this.history = this.history.slice(start);
      this.historyStart = 0;
    }
  }

  /** Index of the first retained event after resourceVersion `from` (history is in resourceVersion order). */
  private firstAfter(from: number): number {
    let lo = this.historyStart;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid]!.resourceVersion > from) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private deliver(w: ServerWatch, e: StoreEvent): void {
    if (e.object.kind !== w.kind || w.silent) return;
    const o = w.options;
    if (o.namespace !== undefined && !CLUSTER_SCOPED.has(w.kind) && e.object.metadata.namespace !== o.namespace) return;
    if (o.name !== undefined && e.object.metadata.name !== o.name) return;
    const sel = o.labelSelector ?? {};
    const now = matchesSelector(e.object.metadata.labels, sel);
    const before = e.previous !== undefined && e.type !== "ADDED" ? matchesSelector(e.previous.metadata.labels, sel) : false;
    // A label change that moves an object into or out of the selection is an ADDED or DELETED to this watch.
    let type: StoreEventType | null = null;
    if (e.type === "ADDED") type = now ? "ADDED" : null;
    else if (e.type === "DELETED") type = now || before ? "DELETED" : null;
    else if (now && before) type = "MODIFIED";
    else if (now) type = "ADDED";
    else if (before) type = "DELETED";
    if (type) w.queue.push(type === e.type ? e : { ...e, type });
  }

  /** The next bookmark: a minute on, or just before the timeout closes the watch if that comes first. */
  private scheduleBookmark(w: ServerWatch): void {
    const now = this.clock.now();
    const beforeClose = w.deadline - BOOKMARK_BEFORE_CLOSE_MS;
    const at = beforeClose > now ? Math.min(now + BOOKMARK_INTERVAL_MS, beforeClose) : now + BOOKMARK_INTERVAL_MS;
    if (at >= w.deadline) return;
    w.bookmark = this.clock.schedule(at - now, () => {
      // Every change up to this revision was delivered synchronously at commit, so the bookmark never runs ahead.
      w.queue.push({ type: "BOOKMARK", resourceVersion: this.revision, at: this.clock.now() });
      this.scheduleBookmark(w);
    }, { daemon: true });
  }

  private closeWatch(w: ServerWatch): void {
    if (!this.watches.delete(w)) return;
    this.openCount--;
    w.timeout?.cancel();
    w.bookmark?.cancel();
    w.queue.end();
  }
}

export function isTerminalPhase(phase: string): boolean {
  return phase === "Succeeded" || phase === "Failed";
}
