import { createLineDecoder, DEFAULT_MAX_LINE_BYTES, systemClock, type Clock, type LogCursor, type LogLine, type LogPort, type ObjectRef } from "@clipjob/core";
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeOperation } from "../errors/kube-operation.js";
import { openKubeStream } from "../http/kube-stream-request.js";
import { DEFAULT_READ_RETRY, retryRead, type RetryPolicy } from "../retry/read-retry.js";
import { createResumeFilter, parseKubeletLine, sinceTimeFor } from "./kubelet-log-line.js";

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

  async *follow(pod: ObjectRef, container: string, from: LogCursor | null, signal: AbortSignal): AsyncIterable<LogLine> {
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
    const accept = createResumeFilter(from);
    // The kubelet stamps every line when asked for timestamps; a line without one (a rewriting proxy)
    // is placed at the last timestamp seen so the cursor stays monotonic.
    let lastTimestamp = from?.timestamp ?? "1970-01-01T00:00:00Z";
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        for (const raw of lines.push(chunk)) {
          const parsed = parseKubeletLine(raw) ?? { timestamp: lastTimestamp, text: raw };
          lastTimestamp = parsed.timestamp;
          const cursor = accept(parsed.timestamp);
          if (cursor !== null) yield { text: parsed.text, timestamp: parsed.timestamp, cursor };
        }
      }
      // A fragment left at the end is a line the stream cut; the kubelet ends every line it writes with a
      // newline, so the whole line arrives again when the caller resumes from the cursor.
    } catch {
      // A reset or abort mid-stream ends this follow like EOF does: the cursor says where to resume.
    } finally {
      response.destroy();
    }
  }
}
