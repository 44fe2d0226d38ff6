import { compareLogTimestamps } from "@clipjob/core";
import { rfc3339Nano } from "../rfc3339.js";

export interface LogEntry {
  /** RFC3339Nano, as the kubelet stamps each line when it reads it from the container. */
  readonly timestamp: string;
  readonly stream: "stdout" | "stderr";
  readonly text: string;
}

/** One container's log file: append-only while the process runs, sealed when it exits. */
export class ContainerLog {
  private readonly entries: LogEntry[] = [];
  private ended = false;
  private readonly wakers = new Set<() => void>();

  append(ms: number, stream: "stdout" | "stderr", text: string): void {
    if (this.ended) return;
    const timestamp = rfc3339Nano(ms);
    for (const line of text.split("\n")) this.entries.push({ timestamp, stream, text: line });
    this.wake();
  }

  /** The process exited: followers drain and end. */
  seal(): void {
    this.ended = true;
    this.wake();
  }

  get sealed(): boolean {
    return this.ended;
  }

  snapshot(): LogEntry[] {
    return [...this.entries];
  }

  /**
   * Reads like `GET pods/log`: lines stamped at or after `sinceTime`; with `follow`, waits for new lines
   * until the process exits or `signal` aborts.
   */
  async *read(opts: { follow: boolean; sinceTime?: string; signal: AbortSignal }): AsyncGenerator<LogEntry> {
    let i = 0;
    if (opts.sinceTime !== undefined) {
      const since = opts.sinceTime;
      while (i < this.entries.length && compareLogTimestamps(this.entries[i]!.timestamp, since) < 0) i++;
    }
    for (;;) {
      if (opts.signal.aborted) return;
      while (i < this.entries.length) {
        yield this.entries[i++]!;
        if (opts.signal.aborted) return;
      }
      if (!opts.follow || this.ended) return;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.wakers.delete(done);
          opts.signal.removeEventListener("abort", done);
          resolve();
        };
        this.wakers.add(done);
        opts.signal.addEventListener("abort", done, { once: true });
      });
    }
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }
}

/** The kubelet's log files, per pod incarnation. A deleted pod's logs are gone with it. */
export class LogFiles {
  private readonly files = new Map<string, ContainerLog>();

  open(podUid: string, container: string): ContainerLog {
    const k = `${podUid}/${container}`;
    let f = this.files.get(k);
    if (!f) {
      f = new ContainerLog();
      this.files.set(k, f);
    }
    return f;
  }

  find(podUid: string, container: string): ContainerLog | undefined {
    return this.files.get(`${podUid}/${container}`);
  }

  removePod(podUid: string): void {
    for (const [k, f] of this.files) {
      if (k.startsWith(`${podUid}/`)) {
        f.seal();
        this.files.delete(k);
      }
    }
  }
}
