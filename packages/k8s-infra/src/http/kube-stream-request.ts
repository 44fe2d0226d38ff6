// Long-lived GETs (watches, log follows) go straight through node:http(s) with the KubeConfig's own TLS
// and auth options. client-node's Log helper turns every transport error into an opaque "HTTP 500" and
// drops the Status body of a 400, and its Watch helper swallows malformed lines; the run needs to tell
// "container not started" from "pod gone" from "connection reset", so this reads the response itself.
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** A non-200 answer to a stream request, in the shape the error classifier reads (`statusCode`, `body`, `headers`). */
export class KubeHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super(`HTTP ${statusCode}`);
    this.name = "KubeHttpError";
  }
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;
const KEEPALIVE_MS = 30_000;

export interface StreamRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
  /** Destroy the connection when no byte arrives for this long (a dead peer behind a silent network). */
  readonly idleTimeoutMs?: number;
}

/** Resolves with the 200 response, ready to iterate; rejects with `KubeHttpError` or the transport error. */
export async function openKubeStream(kc: KubeConfig, req: StreamRequest): Promise<IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const url = new URL(cluster.server.replace(/\/+$/, "") + req.path);
  for (const [k, v] of Object.entries(req.query)) if (v !== undefined) url.searchParams.set(k, v);
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const headers = { ...(options.headers ?? {}), Accept: "application/json, */*" };
  const transport = url.protocol === "http:" ? http : https;

  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = transport.request(url, { ...options, method: "GET", headers, signal: req.signal }, (res) => {
      if (res.statusCode === 200) {
        resolve(res);
        return;
      }
      readBounded(res).then(
        (body) => reject(new KubeHttpError(res.statusCode ?? 0, body, flatHeaders(res.headers))),
        reject,
      );
    });
    request.on("error", reject);
    request.on("socket", (socket) => socket.setKeepAlive(true, KEEPALIVE_MS));
    if (req.idleTimeoutMs !== undefined) {
      request.setTimeout(req.idleTimeoutMs, () => request.destroy(Object.assign(new Error("stream idle timeout"), { code: "ETIMEDOUT" })));
    }
    request.end();
  });
}

async function readBounded(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < MAX_ERROR_BODY_BYTES) chunks.push(chunk.subarray(0, MAX_ERROR_BODY_BYTES - size));
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString("utf8");
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v) && v[0] !== undefined) out[k] = v[0];
  }
  return out;
}
