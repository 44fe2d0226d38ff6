// The shapes around core's SharedInformer (shared-informer.ts): what an adapter supplies (the list and the
// watch), how the informer reads its objects, what subscribers receive, and its options.

import type { Clock } from "./clock.js";

/** What a watch delivers: a change, or a bookmark (no change, the resourceVersion the server has reached). */
export type SourceEvent<T> =
  | { readonly type: "added" | "modified" | "deleted"; readonly object: T }
  | { readonly type: "bookmark"; readonly resourceVersion: string };

/** The API calls behind an informer; each adapter implements them over its own transport. */
export interface ListWatchSource<T> {
  /** How errors of the watch name their operation, e.g. "watch jobs". */
  readonly watchOperation: string;
  /** Lists the namespace: its objects and the list's resourceVersion. Throws `ClusterError`. */
  list(signal: AbortSignal): Promise<{ readonly items: readonly T[]; readonly resourceVersion: string }>;
  /**
   * Watches from `resourceVersion` with bookmarks on. Ends when the server closes the watch (its timeout);
   * throws `ClusterError` with code `gone` (410) when the version is too old, at open or mid-stream.
   */
  watch(resourceVersion: string, signal: AbortSignal): AsyncIterable<SourceEvent<T>>;
}

/** How the informer reads the objects it caches. */
export interface InformerKeys<T> {
  uid(object: T): string;
  name(object: T): string;
  resourceVersion(object: T): string;
  /** The key subscribers select by: a Job's name, a pod's Job name. `undefined`: nobody selects it. */
  index(object: T): string | undefined;
}

export type InformerChange<T> =
  | { readonly type: "added" | "modified"; readonly object: T }
  /**
   * `final`: `object` is the state the DELETED event carried. Otherwise a relist no longer returned the object
   * (it vanished while the watch was blind) and `object` is only the last state seen.
   */
  | { readonly type: "deleted"; readonly object: T; readonly final: boolean }
  /** An attempt to list or watch failed; the informer keeps trying while anyone subscribes. */
  | { readonly type: "error"; readonly error: unknown };

export interface InformerOptions {
  readonly clock: Clock;
  /**
   * A watch that delivered neither an event nor a bookmark for this long is taken for dead (a half-open
   * connection is otherwise noticed only when the server's timeout would have closed it, 30–60 min on) and
   * reopened from the last resourceVersion. The API server sends a bookmark about once a minute to a watch
   * opened with allowWatchBookmarks, so a live watch is never this quiet. Default 180 000 ms.
   */
  readonly silenceMs?: number;
  /** First wait after a failed list or watch, doubled per consecutive failure up to `backoffMaxMs`. Default 1000 ms. */
  readonly backoffMs?: number;
  /** Default 30 000 ms. */
  readonly backoffMaxMs?: number;
  /** A watch the server ends sooner than this without delivering anything counts as a failed attempt. Default 1000 ms. */
  readonly minHealthyMs?: number;
  /**
   * How long the informer keeps running after its last holder let go, so runs that follow one another (and a
   * guard's read followed by its run's watch) share one list and watch. Default 0: it stops at once.
   */
  readonly lingerMs?: number;
  /**
   * Consecutive failed watch attempts before subscribers hear of it (a dropped watch is normal and resumed
   * quietly). A failed list is reported at once: the list call retries transient errors itself. Default 4.
   */
  readonly watchFailuresReported?: number;
}

/** Requests the informer made since it was created (all starts included). */
export interface InformerStats {
  lists: number;
  watches: number;
  /** Watches reopened because they stayed silent for `silenceMs`. */
  silentReopens: number;
  /** Lists after the first of a start: the watch answered 410 Gone. */
  relists: number;
  /** Times the informer started (a first subscriber after none). */
  starts: number;
}
