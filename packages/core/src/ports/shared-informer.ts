// One list-then-watch per resource and namespace, shared by every run of the process (docs/architecture.md,
// "The ports"): N concurrent runs hold one Job watch and one pod watch per namespace, not 2N. The informer
// keeps the namespace's objects in memory and fans each change out to the runs that asked for that object.
// Pure: the adapter supplies the list and the watch (`ListWatchSource`), the clock drives every wait.

import { ClusterError, isClusterError } from "./cluster-error.js";
import type { InformerChange, InformerKeys, InformerOptions, InformerStats, ListWatchSource } from "./shared-informer-types.js";

const DEFAULT_SILENCE_MS = 180_000;
/** Deletions remembered by uid, so a late event cannot bring a deleted object back and a late subscriber learns it is gone. */
const TOMBSTONES = 1024;

type Listener<T> = (change: InformerChange<T>) => void;

/**
 * A shared, reference-counted list-watch cache of one resource in one namespace. It runs while at least one
 * holder (`acquire`) needs it: the first list, then a watch from the list's resourceVersion, resumed from the
 * last resourceVersion seen (bookmarks included) when the server closes it, reopened the same way when it stays
 * silent for `silenceMs`, relisted on 410 Gone (the changes missed while blind are reported as changes). When
 * the last holder releases it, it stops and forgets everything.
 */
export class SharedInformer<T> {
  readonly stats: InformerStats = { lists: 0, watches: 0, silentReopens: 0, relists: 0, starts: 0 };
  private readonly objects = new Map<string, T>();
  private readonly uidByName = new Map<string, string>();
  private readonly tombstones = new Map<string, T>();
  private readonly listeners = new Map<string, Set<Listener<T>>>();
  private readonly syncWaiters = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();
  private holders = 0;
  /** Bumped by `shutdown`: holds taken before it no longer count. */
  private generation = 0;
  private running: AbortController | null = null;
  /** The pending stop after the last release (`lingerMs`), cancelled by the next acquire. */
  private linger: AbortController | null = null;
  private synced = false;
  private readonly silenceMs: number;
  private readonly backoffMs: number;
  private readonly backoffMaxMs: number;
  private readonly minHealthyMs: number;
  private readonly watchFailuresReported: number;

  constructor(
    private readonly source: ListWatchSource<T>,
    private readonly keys: InformerKeys<T>,
    private readonly options: InformerOptions,
  ) {
    this.silenceMs = options.silenceMs ?? DEFAULT_SILENCE_MS;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.minHealthyMs = options.minHealthyMs ?? 1_000;
    this.watchFailuresReported = options.watchFailuresReported ?? 4;
  }

  /** True once the current start has listed: `get`/`items` then answer from memory. */
  get isSynced(): boolean {
    return this.synced;
  }

  /** Holders now (runs watching through it). */
  get holderCount(): number {
    return this.holders;
  }

  /** Starts the informer if nobody held it; the returned function releases this hold (idempotent). */
  acquire(): () => void {
    this.holders += 1;
    this.linger?.abort();
    this.linger = null;
    if (this.running === null) this.start();
    let released = false;
    const generation = this.generation;
    return () => {
      if (released || generation !== this.generation) return;
      released = true;
      this.holders -= 1;
      if (this.holders === 0) this.stopLater();
    };
  }

  /**
   * Resolves once synced; rejects with the error of a failed attempt before that (the informer keeps trying),
   * resolves at once when `signal` aborts. Only while held.
   */
  waitSynced(signal?: AbortSignal): Promise<void> {
    if (this.synced || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => done(resolve),
        reject: (e: unknown) => done(() => reject(e)),
      };
      const onAbort = (): void => done(resolve);
      const done = (settle: () => void): void => {
        this.syncWaiters.delete(waiter);
        signal?.removeEventListener("abort", onAbort);
        settle();
      };
      this.syncWaiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Receives every change of the objects whose index is `index`, and every error. Returns the unsubscribe. */
  subscribe(index: string, listener: Listener<T>): () => void {
    let set = this.listeners.get(index);
    if (!set) this.listeners.set(index, (set = new Set()));
    set.add(listener);
    return () => {
      const s = this.listeners.get(index);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) this.listeners.delete(index);
    };
  }

  /** The cached object named `name`, if any. */
  getByName(name: string): T | undefined {
    const uid = this.uidByName.get(name);
    return uid === undefined ? undefined : this.objects.get(uid);
  }

  /** The last state of a deleted object with this uid, if the informer saw it go. */
  deleted(uid: string): T | undefined {
    return this.tombstones.get(uid);
  }

  /** Every cached object. */
  items(): T[] {
    return [...this.objects.values()];
  }

  /** Cached objects whose index is `index`. */
  itemsOf(index: string): T[] {
    const out: T[] = [];
    for (const o of this.objects.values()) if (this.keys.index(o) === index) out.push(o);
    return out;
  }

  /**
   * This process wrote `object` (the server's answer to a create): cache it now if the informer has not seen
   * it yet, so a read right after the write finds it although the watch event is still on its way. Ignored
   * before the first list (that list would not know it and take it for deleted) and for a deleted uid.
   */
  noteWritten(object: T): void {
    if (!this.synced) return;
    const uid = this.keys.uid(object);
    if (this.objects.has(uid) || this.tombstones.has(uid)) return;
    this.apply({ type: "added", object });
  }

  /** This process deleted the object with `uid` and the server removed it at once (no finalizer pending). */
  noteDeleted(uid: string): void {
    const object = this.objects.get(uid);
    if (object !== undefined) this.apply({ type: "deleted", object });
  }

  /**
   * This process asked to delete the object with `uid` and the server keeps it until its dependents are gone
   * (foreground propagation): replace the cached state with `marked` (the same object, marked as being deleted).
   */
  noteDeleting(uid: string, marked: T): void {
    if (this.objects.has(uid)) this.store(marked);
  }

  /** Stops now whoever still holds it (their views end with the informer's next start); for a closing process. */
  shutdown(): void {
    this.generation += 1;
    this.holders = 0;
    this.stop();
  }

  private stopLater(): void {
    const lingerMs = this.options.lingerMs ?? 0;
    if (lingerMs <= 0) return this.stop();
    const linger = new AbortController();
    this.linger = linger;
    void this.options.clock.sleep(lingerMs, linger.signal).then(() => {
      if (linger.signal.aborted || this.holders > 0) return;
      this.linger = null;
      this.stop();
    });
  }

  private start(): void {
    const run = new AbortController();
    this.running = run;
    this.stats.starts += 1;
    void this.loop(run.signal);
  }

  private stop(): void {
    this.linger?.abort();
    this.linger = null;
    this.running?.abort();
    this.running = null;
    this.synced = false;
    this.objects.clear();
    this.uidByName.clear();
    this.tombstones.clear();
    for (const w of [...this.syncWaiters]) w.resolve();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let resourceVersion = "";
    let needList = true;
    let firstList = true;
    let failures = 0;
    const failed = async (error: unknown, report: boolean): Promise<void> => {
      failures += 1;
      if (report || failures >= this.watchFailuresReported) {
        // The cache can no longer be trusted as current: views that (re)subscribe now wait for the relist
        // that ends the outage instead of taking the old state for news, and changes missed meanwhile are
        // reported by that relist.
        this.synced = false;
        needList = true;
        this.broadcastError(error);
      }
      const retryAfter = isClusterError(error) ? (error.retryAfterMs ?? 0) : 0;
      const backoff = Math.min(this.backoffMs * 2 ** (failures - 1), this.backoffMaxMs);
      await this.options.clock.sleep(Math.max(backoff, retryAfter), signal);
    };

    while (!signal.aborted) {
      if (needList) {
        let listed: Awaited<ReturnType<ListWatchSource<T>["list"]>>;
        try {
          this.stats.lists += 1;
          if (!firstList) this.stats.relists += 1;
          listed = await this.source.list(signal);
        } catch (error) {
          if (signal.aborted) return;
          await failed(error, true);
          continue;
        }
        if (signal.aborted) return;
        this.reconcile(listed.items, firstList);
        resourceVersion = listed.resourceVersion;
        needList = false;
        firstList = false;
        failures = 0;
        if (!this.synced) {
          this.synced = true;
          for (const w of [...this.syncWaiters]) w.resolve();
        }
      }

      const watch = new AbortController();
      const stopWatch = (): void => watch.abort();
      signal.addEventListener("abort", stopWatch, { once: true });
      const opened = this.options.clock.now();
      let lastHeard = opened;
      let delivered = false;
      let silent = false;
      let failure: unknown;
      // One timer per silence window, not one per event: it checks when the watch last spoke and sleeps the rest.
      const watchdog = (async () => {
        while (!watch.signal.aborted) {
          const quiet = this.options.clock.now() - lastHeard;
          if (quiet >= this.silenceMs) {
            silent = true;
            watch.abort();
            return;
          }
          await this.options.clock.sleep(this.silenceMs - quiet, watch.signal);
        }
      })();
      try {
        this.stats.watches += 1;
        for await (const event of this.source.watch(resourceVersion, watch.signal)) {
          // A stopped informer's last events must not reach the next start's cache.
          if (watch.signal.aborted) break;
          lastHeard = this.options.clock.now();
          delivered = true;
          failures = 0;
          if (event.type === "bookmark") {
            resourceVersion = event.resourceVersion;
            continue;
          }
          const rv = this.keys.resourceVersion(event.object);
          if (rv !== "") resourceVersion = rv;
          this.apply(event);
        }
      } catch (error) {
        if (signal.aborted) return;
        if (!silent) {
          if (isClusterError(error) && error.code === "gone") needList = true;
          else failure = error;
        }
      } finally {
        watch.abort();
        signal.removeEventListener("abort", stopWatch);
        await watchdog;
      }
      if (signal.aborted) return;
      if (silent) this.stats.silentReopens += 1;
      else if (failure !== undefined) await failed(failure, false);
      else if (!delivered && !needList && this.options.clock.now() - opened < this.minHealthyMs) {
        await failed(new ClusterError({ code: "unavailable", operation: this.source.watchOperation, message: "the server closed the watch at once" }), false);
      }
    }
  }

  /** A list replaces the cache; what changed since the cache was last right is reported as changes. */
  private reconcile(items: readonly T[], first: boolean): void {
    const seen = new Set<string>();
    for (const object of items) {
      const uid = this.keys.uid(object);
      seen.add(uid);
      this.tombstones.delete(uid);
      const before = this.objects.get(uid);
      if (before !== undefined && this.keys.resourceVersion(before) === this.keys.resourceVersion(object)) continue;
      this.store(object);
      this.emit(object, { type: before === undefined ? "added" : "modified", object });
    }
    if (first) return;
    for (const [uid, object] of [...this.objects]) {
      if (seen.has(uid)) continue;
      this.forget(uid, object);
      this.emit(object, { type: "deleted", object, final: false });
    }
  }

  private apply(event: { readonly type: "added" | "modified" | "deleted"; readonly object: T }): void {
    const { object } = event;
    const uid = this.keys.uid(object);
    if (event.type === "deleted") {
      const known = this.objects.has(uid);
      const wasTombstoned = this.tombstones.has(uid);
      this.forget(uid, object);
      // Already reported when this process deleted it (noteDeleted): a second report would be a second deletion.
      if (known || !wasTombstoned) this.emit(object, { type: "deleted", object, final: true });
      return;
    }
    // A late event of an object already deleted must not bring it back.
    if (this.tombstones.has(uid)) return;
    const before = this.objects.get(uid);
    if (before !== undefined && this.keys.resourceVersion(before) === this.keys.resourceVersion(object)) return;
    this.store(object);
    this.emit(object, { type: before === undefined ? "added" : "modified", object });
  }

  private store(object: T): void {
    const uid = this.keys.uid(object);
    const name = this.keys.name(object);
    const previous = this.uidByName.get(name);
    // A same-named successor replaces the name's entry; the predecessor's DELETED event still finds it by uid.
    if (previous !== undefined && previous !== uid && !this.objects.has(previous)) this.uidByName.delete(name);
    this.uidByName.set(name, uid);
    this.objects.set(uid, object);
  }

  private forget(uid: string, object: T): void {
    this.objects.delete(uid);
    const name = this.keys.name(object);
    if (this.uidByName.get(name) === uid) {
      this.uidByName.delete(name);
      // Another live object of that name (a successor created before this one's DELETED arrived) takes the name.
      for (const [otherUid, other] of this.objects) {
        if (this.keys.name(other) === name) {
          this.uidByName.set(name, otherUid);
          break;
        }
      }
    }
    this.tombstones.set(uid, object);
    if (this.tombstones.size > TOMBSTONES) {
      const oldest = this.tombstones.keys().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
  }

  private emit(object: T, change: InformerChange<T>): void {
    const index = this.keys.index(object);
    if (index === undefined) return;
    const set = this.listeners.get(index);
    if (set) for (const l of [...set]) l(change);
  }

  private broadcastError(error: unknown): void {
    const e = isClusterError(error) ? error : new ClusterError({ code: "unknown", operation: "watch", message: String(error), cause: error });
    for (const w of [...this.syncWaiters]) w.reject(e);
    for (const set of [...this.listeners.values()]) for (const l of [...set]) l({ type: "error", error: e });
  }
}
