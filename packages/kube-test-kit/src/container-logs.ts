// Container logs of the fake API server: CRI records per container, served like the kubelet serves them
// (sinceTime at second precision, timestamps, follow) and cut on request to simulate dropped streams.
import type { ServerResponse } from "node:http";
import { send, status } from "./wire.js";

/** One CRI record of the container log: a whole line, or with `partial` a piece the next entry continues. */
export interface LogEntry {
  readonly ts: string;
  readonly text: string;
  readonly partial?: boolean;
}

/** How log responses are cut, to simulate the drops a real API server path produces. */
export interface LogCutting {
  /** End each response after this many lines. */
  readonly afterLines?: number;
  /** And first write this many bytes of the next line, so the client sees a fragment. */
  readonly fragmentBytes?: number;
  /** Write the body in chunks of this many bytes (splits multi-byte characters). */
  readonly chunkBytes?: number;
}

interface LogState {
  entries: LogEntry[];
  finished: boolean;
  waiting?: string;
  followers: Set<(entry: LogEntry | null) => void>;
}

export class ContainerLogs {
  private readonly logs = new Map<string, LogState>();

  clear(): void {
    this.logs.clear();
  }

  setLog(namespace: string, pod: string, container: string, entries: LogEntry[], opts: { finished?: boolean; waiting?: string } = {}): void {
    this.logs.set(`${namespace}/${pod}/${container}`, {
      entries: [...entries],
      finished: opts.finished ?? false,
      ...(opts.waiting === undefined ? {} : { waiting: opts.waiting }),
      followers: new Set(),
    });
  }

  appendLog(namespace: string, pod: string, container: string, entry: LogEntry): void {
    const log = this.logs.get(`${namespace}/${pod}/${container}`);
    if (!log) throw new Error("no such log");
    log.entries.push(entry);
    for (const f of log.followers) f(entry);
  }

  finishLog(namespace: string, pod: string, container: string): void {
    const log = this.logs.get(`${namespace}/${pod}/${container}`);
    if (!log) throw new Error("no such log");
    log.finished = true;
    for (const f of log.followers) f(null);
  }

  /** Serves `pods/log` for an existing pod, with the kubelet's query semantics. */
  serve(ns: string, podName: string, q: URLSearchParams, res: ServerResponse, cut: LogCutting): void {
    const container = q.get("container") ?? "";
    const log = this.logs.get(`${ns}/${podName}/${container}`);
    if (!log) return send(res, 400, status(400, "BadRequest", `container ${container} is not valid for pod ${podName}`));
    if (log.waiting) return send(res, 400, status(400, "BadRequest", `container "${container}" in pod "${podName}" is waiting to start: ${log.waiting}`));
    const since = q.get("sinceTime");
    // The real API takes sinceTime at second precision and the kubelet keeps lines at or after it.
    const sinceMs = since === null ? -Infinity : Math.floor(Date.parse(since) / 1000) * 1000;
    const timestamps = q.get("timestamps") === "true";
    res.writeHead(200, { "content-type": "text/plain", "transfer-encoding": "chunked" });
    let written = 0;
    const writeBytes = (bytes: Buffer) => {
      const size = cut.chunkBytes ?? bytes.length;
      for (let i = 0; i < bytes.length; i += size) res.write(bytes.subarray(i, i + size));
    };
    // The kubelet writes the prefix only when the previous record read (even one sinceTime skips) ended a line.
    let lineStart = true;
    const emit = (entry: LogEntry): boolean => {
      const prefix = lineStart;
      lineStart = entry.partial !== true;
      if (Date.parse(entry.ts) < sinceMs) return true;
      const line = Buffer.from(`${timestamps && prefix ? `${entry.ts} ` : ""}${entry.text}${entry.partial ? "" : "\n"}`, "utf8");
      if (cut.afterLines !== undefined && written >= cut.afterLines) {
        if (cut.fragmentBytes) writeBytes(line.subarray(0, cut.fragmentBytes));
        res.end();
        return false;
      }
      writeBytes(line);
      written++;
      return true;
    };
    for (const entry of log.entries) if (!emit(entry)) return;
    if (q.get("follow") !== "true" || log.finished) {
      res.end();
      return;
    }
    const follower = (entry: LogEntry | null) => {
      if (entry === null || !emit(entry)) {
        log.followers.delete(follower);
        if (entry === null) res.end();
      }
    };
    log.followers.add(follower);
    res.on("close", () => log.followers.delete(follower));
  }
}
