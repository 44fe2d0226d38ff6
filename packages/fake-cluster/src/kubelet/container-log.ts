import { compareLogTimestamps } from "@clipjob/core";
import { rfc3339Nano } from "../rfc3339.js";

export interface LogEntry {
  /** RFC3339Nano, as the kubelet stamps each line when it reads it from the container. */
  readonly timestamp: string;
  readonly stream: "stdout" | "stderr";
  readonly text: string;
}

/**
 * The kubelet rotates container logs (containerLogMaxSize 10Mi × containerLogMaxFiles 5 by default), so a
 * node never holds more than about 50 MiB per container; older lines are gone for every reader. Simulating
 * that keeps the fake's memory bounded on gigabyte transcripts, and makes a reader that falls far behind
 * lose lines exactly as it would on a real node.
 */
export const LOG_RETENTION_BYTES = 50 * 1024 * 1024;

/** One container's log file: append-only while the process runs, sealed when it exits. */
export class ContainerLog {
  private entries: LogEntry[] = [];
  /** Lines rotated away: absolute line index = dropped + index in `entries`. */
  private dropped = 0;
  private bytes = 0;
  private ended = false;
  private readonly wakers = new Set<() => void>();

  append(ms: number, stream: "stdout" | "stderr", text: string): void {
    if (this.ended) return;
    const timestamp = rfc3339Nano(ms);
    for (const line of text.split("\n")) {
      this.entries.push({ timestamp, stream, text: line });
      this.bytes += timestamp.length + line.length + 2;
    }
    if (this.bytes > LOG_RETENTION_BYTES) this.rotate();
    this.wake();
  }

  private rotate(): void {
    // Drop whole "files" (a fifth of the budget at a time), oldest first, like the kubelet's rotation.
    let cut = 0;
    let freed = 0;
    while (cut < this.entries.length - 1 && this.bytes - freed > LOG_RETENTION_BYTES - LOG_RETENTION_BYTES / 5) {
      const e = this.entries[cut]!;
      freed += e.timestamp.length + e.text.length + 2;
      cut += 1;
    }
    this.entries = this.entries.slice(cut);
    this.dropped += cut;
    this.bytes -= freed;
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
    // `abs` is an absolute line number, so rotation while a reader is paused cannot shift its position.
    let abs = this.dropped;
    if (opts.sinceTime !== undefined) {
      const since = opts.sinceTime;
      while (abs - this.dropped < this.entries.length && compareLogTimestamps(this.entries[abs - this.dropped]!.timestamp, since) < 0) abs++;
    }
    for (;;) {
      if (opts.signal.aborted) return;
      for (;;) {
        if (abs < this.dropped) abs = this.dropped;
        if (abs - this.dropped >= this.entries.length) break;
        yield this.entries[abs - this.dropped]!;
        abs++;
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
