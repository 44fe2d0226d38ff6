// Wire helpers of the fake API server: Status bodies, JSON responses, selectors, merge patch.
import type { IncomingMessage, ServerResponse } from "node:http";

export type Obj = Record<string, any>;

export function status(code: number, reason: string, message: string): Obj {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

export function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json", ...headers });
  res.end(text);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function selectorMatcher(labelSelector: string | null, fieldSelector: string | null): (o: Obj) => boolean {
  const labels = (labelSelector ?? "").split(",").filter(Boolean).map((t) => t.split("=") as [string, string]);
  const fields = (fieldSelector ?? "").split(",").filter(Boolean).map((t) => t.split("=") as [string, string]);
  return (o) =>
    labels.every(([k, v]) => (v === undefined ? o.metadata.labels?.[k] !== undefined : o.metadata.labels?.[k] === v)) &&
    fields.every(([k, v]) => (k === "metadata.name" ? o.metadata.name === v : k === "metadata.namespace" ? o.metadata.namespace === v : false));
}

/** RFC 7386 JSON merge patch, in place. */
export function mergePatch(target: Obj, patch: Obj): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (typeof v === "object" && !Array.isArray(v)) {
      if (typeof target[k] !== "object" || target[k] === null || Array.isArray(target[k])) target[k] = {};
      mergePatch(target[k], v);
    } else target[k] = structuredClone(v);
  }
}
