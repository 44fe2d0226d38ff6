// List, then watch from the list's resourceVersion; on a dropped or timed-out watch resume from the last
// resourceVersion seen (bookmarks included); on 410 Gone relist and reconcile what changed while blind.
import { ClusterError, createLineDecoder, type Clock } from "@clipjob/core";
import type { KubeConfig } from "@kubernetes/client-node";
import { toClusterError } from "../errors/classify-kube-error.js";
import type { KubeOperation } from "../errors/kube-operation.js";
import { openKubeStream } from "../http/kube-stream-request.js";
import { backoffDelay, retryRead, type RetryPolicy } from "../retry/read-retry.js";

export interface KubeObject {
  readonly metadata?: { readonly name?: string; readonly resourceVersion?: string };
}

export type ListWatchEvent<T> =
  | { readonly type: "added" | "modified"; readonly object: T }
  /**
   * `object` is the last state seen: the final state from a DELETED event (`relisted: false`), or the last
   * known state of an object a relist no longer returns (`relisted: true`: its final state is unknown).
   */
  | { readonly type: "deleted"; readonly object: T; readonly relisted: boolean }
  /** The first list found nothing (only reported when `reportAbsent`). */
  | { readonly type: "absent" };

export interface ListWatchSource<T extends KubeObject> {
  readonly list: (signal: AbortSignal) => Promise<{ readonly items: readonly T[]; readonly resourceVersion: string }>;
  readonly listOperation: KubeOperation;
  readonly watchOperation: KubeOperation;
  readonly watchPath: string;
  readonly selector: Readonly<Record<string, string>>;
  /** Report `absent` when the first list matches nothing (a watch on one named object). */
  readonly reportAbsent: boolean;
}

export interface ListWatchSettings {
  readonly clock: Clock;
  readonly policy: RetryPolicy;
  readonly random: () => number;
  /**
   * Shortest server-side watch duration: each watch asks for a random duration between this and twice it
   * (the server then closes it and it is reopened), so watches opened together are not all renewed together.
   */
  readonly minTimeoutSeconds: number;
  /** A watch that ends sooner than this without delivering anything counts as a failed attempt. */
  readonly minHealthyMs: number;
}

export async function* listWatch<T extends KubeObject>(kc: KubeConfig, source: ListWatchSource<T>, settings: ListWatchSettings, signal: AbortSignal): AsyncGenerator<ListWatchEvent<T>> {
  const known = new Map<string, T>();
  let resourceVersion = "";
  let needList = true;
  let firstList = true;
  let failures = 0;

  const fail = async (err: ClusterError): Promise<void> => {
    failures++;
    if (!err.transient || failures >= settings.policy.attempts) throw err;
    await settings.clock.sleep(backoffDelay(err, failures, settings.policy, settings.random), signal);
  };

  while (!signal.aborted) {
    if (needList) {
      const listed = await retryRead(source.listOperation, { policy: settings.policy, clock: settings.clock, random: settings.random, signal }, () => source.list(signal));
      if (signal.aborted) return;
      const seen = new Set<string>();
      for (const item of listed.items) {
        const name = item.metadata?.name ?? "";
        seen.add(name);
        known.set(name, item);
        yield { type: firstList ? "added" : "modified", object: item };
      }
      for (const [name, last] of [...known]) {
        if (seen.has(name)) continue;
        known.delete(name);
        yield { type: "deleted", object: last, relisted: true };
      }
      if (firstList && source.reportAbsent && listed.items.length === 0) yield { type: "absent" };
      resourceVersion = listed.resourceVersion;
      needList = false;
      firstList = false;
    }

    const opened = settings.clock.now();
    let delivered = false;
    let failure: ClusterError | undefined;
    let response: Awaited<ReturnType<typeof openKubeStream>>;
    const timeoutSeconds = Math.floor(settings.minTimeoutSeconds * (1 + settings.random()));
    try {
      response = await openKubeStream(kc, {
        path: source.watchPath,
        query: {
          watch: "true",
          allowWatchBookmarks: "true",
          resourceVersion,
          timeoutSeconds: String(timeoutSeconds),
          ...source.selector,
        },
        signal,
        // Bookmarks are not guaranteed (a server without the watch cache sends none), so a quiet watch may stay
        // silent until its timeout: only past that is silence a dead connection.
        idleTimeoutMs: (timeoutSeconds + 60) * 1000,
      });
    } catch (e) {
      if (signal.aborted) return;
      const err = toClusterError(e, source.watchOperation);
      if (err.code === "gone") needList = true;
      else await fail(err);
      continue;
    }

    try {
      const lines = createLineDecoder();
      stream: for await (const chunk of response as AsyncIterable<Buffer>) {
        for (const line of lines.push(chunk)) {
          const event = parseEvent(line);
          if (event === undefined) continue;
          if (event.type === "ERROR") {
            const err = toClusterError({ statusCode: event.object["code"] ?? 500, body: event.object }, source.watchOperation);
            if (err.code === "gone") needList = true;
            else failure = err;
            break stream;
          }
          delivered = true;
          const object = event.object as T;
          const rv = object.metadata?.resourceVersion;
          if (rv) resourceVersion = rv;
          if (event.type === "BOOKMARK") continue;
          const name = object.metadata?.name ?? "";
          if (event.type === "DELETED") {
            known.delete(name);
            yield { type: "deleted", object, relisted: false };
          } else {
            known.set(name, object);
            yield { type: event.type === "ADDED" ? "added" : "modified", object };
          }
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      // A connection reset after events arrived is the normal way watches die: resume from the last version.
      if (!delivered) failure = toClusterError(e, source.watchOperation);
    } finally {
      response.destroy();
    }
    if (delivered) failures = 0;
    if (failure !== undefined) await fail(failure);
    else if (!delivered && !needList && settings.clock.now() - opened < settings.minHealthyMs) {
      await fail(new ClusterError({ code: "unavailable", operation: source.watchOperation.name, message: "the server closed the watch at once" }));
    }
  }
}

interface RawEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  readonly object: Record<string, any>;
}

function parseEvent(line: string): RawEvent | undefined {
  if (line.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { type, object } = value as { type?: unknown; object?: unknown };
  if (typeof object !== "object" || object === null) return undefined;
  if (type === "ADDED" || type === "MODIFIED" || type === "DELETED" || type === "BOOKMARK" || type === "ERROR") return { type, object: object as Record<string, any> };
  return undefined;
}
