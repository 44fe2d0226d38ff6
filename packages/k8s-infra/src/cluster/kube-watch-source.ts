// The list and the watch behind one shared informer (core's `SharedInformer`) over the Kubernetes API: a
// namespace's Jobs or pods, listed through client-node, watched as a line-delimited JSON stream.
import { createLineDecoder, type ListWatchSource, type SourceEvent } from "@clipjob/core";
import type { KubeConfig } from "@kubernetes/client-node";
import { toClusterError } from "../errors/classify-kube-error.js";
import type { KubeOperation } from "../errors/kube-operation.js";
import { openKubeStream } from "../http/kube-stream-request.js";

export interface KubeObject {
  readonly metadata?: { readonly name?: string; readonly resourceVersion?: string };
}

export interface KubeWatchSourceOptions<K extends KubeObject, T> {
  /** The list call (with its read retry); `items` as the API returns them. */
  readonly list: (signal: AbortSignal) => Promise<{ readonly items: readonly K[]; readonly resourceVersion: string }>;
  readonly watchOperation: KubeOperation;
  /** The collection's path, e.g. /apis/batch/v1/namespaces/agents/jobs. */
  readonly watchPath: string;
  readonly translate: (object: K) => T;
  /** A watch asks the server for this duration (seconds); a fresh value per watch spreads renewals out. */
  readonly timeoutSeconds: () => number;
}

export function kubeWatchSource<K extends KubeObject, T>(kc: KubeConfig, o: KubeWatchSourceOptions<K, T>): ListWatchSource<T> {
  return {
    watchOperation: o.watchOperation.name,
    async list(signal) {
      const listed = await o.list(signal);
      return { items: listed.items.map(o.translate), resourceVersion: listed.resourceVersion };
    },
    watch: (resourceVersion, signal) => watchStream(kc, o, resourceVersion, signal),
  };
}

async function* watchStream<K extends KubeObject, T>(kc: KubeConfig, o: KubeWatchSourceOptions<K, T>, resourceVersion: string, signal: AbortSignal): AsyncGenerator<SourceEvent<T>> {
  const timeoutSeconds = o.timeoutSeconds();
  let response: Awaited<ReturnType<typeof openKubeStream>>;
  try {
    response = await openKubeStream(kc, {
      path: o.watchPath,
      query: { watch: "true", allowWatchBookmarks: "true", resourceVersion, timeoutSeconds: String(timeoutSeconds) },
      signal,
      // The informer reopens a watch that stays silent for a few minutes (bookmarks come about once a minute);
      // this socket bound is only the backstop past the server's own timeout.
      idleTimeoutMs: (timeoutSeconds + 60) * 1000,
    });
  } catch (e) {
    if (signal.aborted) return;
    throw toClusterError(e, o.watchOperation);
  }
  try {
    const lines = createLineDecoder();
    for await (const chunk of response as AsyncIterable<Buffer>) {
      for (const line of lines.push(chunk)) {
        const event = parseEvent(line);
        if (event === undefined) continue;
        if (event.type === "ERROR") throw toClusterError({ statusCode: event.object["code"] ?? 500, body: event.object }, o.watchOperation);
        if (event.type === "BOOKMARK") {
          yield { type: "bookmark", resourceVersion: String((event.object as KubeObject).metadata?.resourceVersion ?? resourceVersion) };
          continue;
        }
        const object = o.translate(event.object as K);
        yield { type: event.type === "ADDED" ? "added" : event.type === "MODIFIED" ? "modified" : "deleted", object };
      }
    }
  } catch (e) {
    if (signal.aborted) return;
    throw toClusterError(e, o.watchOperation);
  } finally {
    response.destroy();
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
