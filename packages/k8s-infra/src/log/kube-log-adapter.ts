import {
  createKubeletLogReader,
  createLineDecoder,
  DEFAULT_MAX_LINE_BYTES,
  logFollow,
  sinceTimeFor,
  systemClock,
  type Clock,
  type LogCursor,
  type LogFollow,
  type LogGap,
  type LogLine,
  type LogPort,
  type ObjectRef,
} from "@clipjob/core";
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeOperation } from "../errors/kube-operation.js";
import { openKubeStream } from "../http/kube-stream-request.js";
import { DEFAULT_READ_RETRY, retryRead, type RetryPolicy } from "../retry/read-retry.js";

export interface KubeLogAdapterOptions {
  readonly clock?: Clock;
  readonly readRetry?: RetryPolicy;
  readonly random?: () => number;
  readonly maxLineBytes?: number;
}

/**
 * Follows a container log through the API server (pods/log, follow + timestamps). One call is one HTTP
 * stream: the iterable completes when that stream ends, for whatever reason (the container exited, the
 * kubelet or a proxy cut an idle stream, the connection reset). The caller resumes with the last cursor.
 *
 * Errors opening the stream are ClusterErrors: 404 → `not_found` (the pod is gone); 400 → `invalid`,
 * which is what the API answers while the container is still waiting to start (or for a container name
 * the pod does not have); the caller reads the pod to tell which, and follows again once it runs.
 */
export class KubeLogAdapter implements LogPort {
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly maxLineBytes: number;

  constructor(
    private readonly kc: KubeConfig,
    opts: KubeLogAdapterOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.policy = opts.readRetry ?? DEFAULT_READ_RETRY;
    this.random = opts.random ?? Math.random;
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  follow(pod: ObjectRef, container: string, from: LogCursor | null, signal: AbortSignal): LogFollow {
    return logFollow((end) => this.lines(pod, container, from, signal, end));
  }

  private async *lines(pod: ObjectRef, container: string, from: LogCursor | null, signal: AbortSignal, end: { gap: LogGap | null }): AsyncIterable<LogLine> {
    if (signal.aborted) return;
    const op = kubeOperation("follow log", "get", "pods", pod.namespace, { subresource: "log" });
    let response: Awaited<ReturnType<typeof openKubeStream>>;
    try {
      response = await retryRead(op, { policy: this.policy, clock: this.clock, random: this.random, signal }, () =>
        openKubeStream(this.kc, {
          path: `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/log`,
          query: { container, follow: "true", timestamps: "true", ...(from === null ? {} : { sinceTime: sinceTimeFor(from) }) },
          signal,
        }),
      );
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    }

    const lines = createLineDecoder({ maxLineBytes: this.maxLineBytes });
    // Drops what the cursor already delivered and the unprefixed rest of a long line the resume began
    // inside, and marks a gap where the kubelet no longer serves what followed the cursor.
    const reader = createKubeletLogReader(from);
    // Lines of one chunk with the byte lengths the decoder counted (the run then never re-counts them).
    const texts: string[] = [];
    const sizes: number[] = [];
    const collect = (raw: string, bytes: number): void => {
      texts.push(raw);
      sizes.push(bytes);
    };
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        lines.feed(chunk, collect);
        for (let i = 0; i < texts.length; i++) {
          const line = reader.accept(texts[i]!, sizes[i]!);
          if (line !== null) yield line;
        }
        texts.length = 0;
        sizes.length = 0;
      }
      // A fragment left at the end is not delivered. The kubelet ends a response properly both when the
      // container exited (then it is the last line, written without a newline and stored as a `P` record)
      // and when its own upstream read broke mid-line (then the whole line arrives again on resume, and
      // delivering the fragment would record a cut line under the whole line's cursor).
    } catch {
      // A reset or abort mid-stream ends this follow like EOF does: the cursor says where to resume.
    } finally {
      response.destroy();
    }
    // A resume that never reached the cursor's place: the log's end may be missing lines (rotated away).
    if (!signal.aborted) end.gap = reader.end();
  }
}
