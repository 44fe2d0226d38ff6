// A container's log as a node keeps it: the container runtime turns what the process writes into CRI log
// records in a file the kubelet rotates, and the kubelet's pods/log reader turns records back into text.
// Facts modelled (containerd 1.6 + kubelet v1.36, k8s.io/cri-client logs.ReadLogs):
// - a line longer than 16 KiB is stored as `P` (partial) records of 16 KiB, then an `F` record; a last
//   line the process never ended with a newline is stored as `P`;
// - each record is stamped when the runtime writes it (RFC3339Nano, trailing zeros trimmed in the file);
// - the reader writes the timestamp prefix (9 fractional digits, always) only when the previous record read
//   ended a line, one flag for stdout and stderr together; `sinceTime` is applied per record, inclusively;
// - the kubelet's container log manager checks every container's log every containerLogMonitorInterval
//   (10 s) and rotates a file that has reached containerLogMaxSize: between two checks the runtime writes on
//   into the same file, however much (a burst never rotates in the middle);
// - a read opened after a rotation serves only the current file; a follow open during a rotation reads the
//   old file to its end and goes on in the new one.
import { utf8ByteLength } from "@clipjob/core";
import { rfc3339Nano } from "../rfc3339.js";

/** One CRI log record: `<timestamp> <stream> <P|F> <content>` in the file. */
export interface CriRecord {
  /** As the runtime writes it: RFC3339Nano with trailing zeros trimmed. */
  readonly timestamp: string;
  readonly ms: number;
  readonly stream: "stdout" | "stderr";
  /** `P`: the line goes on in a later record of the same stream. */
  readonly partial: boolean;
  /** Without the newline. */
  readonly content: string;
  /**
   * On the first record of a line the process wrote whole in one write: the line and how many records
   * hold it, so a reader can serve it in one piece (the same bytes) without copying it.
   */
  readonly whole?: { readonly line: string; readonly records: number };
}

/**
 * A piece of the pods/log response body: `<timestamp> ` when the kubelet writes the prefix, the text, and
 * a newline when the piece ends a line. The body's bytes are these pieces concatenated.
 */
export interface LogPiece {
  /** The prefix timestamp (nine fractional digits), null when the kubelet writes none. */
  readonly timestamp: string | null;
  readonly text: string;
  readonly newline: boolean;
}

/** A response body as text. */
export function pieceText(p: LogPiece): string {
  return `${p.timestamp === null ? "" : `${p.timestamp} `}${p.text}${p.newline ? "\n" : ""}`;
}

/** A line as a test reads the kubelet's files: its stream, its first record's timestamp, its text. */
export interface LogEntry {
  readonly timestamp: string;
  readonly stream: "stdout" | "stderr";
  readonly text: string;
}

/** containerd's max_container_log_line_size: longer lines are split into records of this many bytes. */
export const CRI_MAX_RECORD_BYTES = 16 * 1024;
/**
 * containerd (1.6) reads a container's pipe through a 4 KiB buffer and cuts a `P` record only once it holds
 * more than 16 KiB of a line: of an unfinished line, the bytes past the last whole 4 KiB stay in its reader,
 * unseen. So a piece of 17 000 bytes without a newline makes no record until the line goes on; one of
 * 20 480 makes a `P` at once. (Measured on a real node: apps/e2e/node, `pnpm test:node`.)
 */
export const CRI_READ_BUFFER_BYTES = 4 * 1024;

/** How the kubelet rotates container logs (KubeletConfiguration containerLogMaxSize / containerLogMaxFiles). */
export interface LogRotation {
  /** Bytes of the current file that trigger a rotation (default 10 MiB). */
  readonly maxFileBytes: number;
  /** Files kept, the current one included (default 5); older ones are deleted. */
  readonly maxFiles: number;
  /** How often the kubelet checks log sizes and rotates (KubeletConfiguration containerLogMonitorInterval, default 10 s). */
  readonly monitorIntervalMs: number;
}

export const DEFAULT_LOG_ROTATION: LogRotation = { maxFileBytes: 10 * 1024 * 1024, maxFiles: 5, monitorIntervalMs: 10_000 };

interface LogFile {
  readonly seq: number;
  readonly records: CriRecord[];
  bytes: number;
}

export interface LogReadOptions {
  readonly follow: boolean;
  /** Epoch ms, whole seconds (what the API server passes on): records stamped at or after it. */
  readonly sinceMs?: number;
  /** Prefix each line with its timestamp (9 fractional digits) and a space. */
  readonly timestamps: boolean;
  readonly signal: AbortSignal;
}

/** One container's log: append-only while the process runs, sealed when it exits. */
export class ContainerLog {
  private files: LogFile[] = [{ seq: 0, records: [], bytes: 0 }];
  private readonly pending = { stdout: "", stderr: "" };
  /** Whether a stream's unfinished line already has records in the file. */
  private readonly begun = { stdout: false, stderr: false };
  private ended = false;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly rotation: LogRotation = DEFAULT_LOG_ROTATION) {}

  /** One line the process wrote to `stream`, newline included. */
  append(ms: number, stream: "stdout" | "stderr", line: string): void {
    if (this.pending[stream] !== "" || line.includes("\n")) {
      this.write(ms, stream, `${line}\n`);
      return;
    }
    // The common case, without building `line + "\n"`: the stored record keeps the program's own string.
    if (this.ended) return;
    this.writeLine(ms, stream, line, false);
    this.wake();
  }

  /**
   * Bytes the process wrote to `stream`, as the runtime reads them from its pipe: every completed line
   * becomes its records now; an unfinished line is held until its newline, except whole 16 KiB records,
   * which are written (as `P`) as soon as the runtime has read more than 16 KiB of it (CRI_READ_BUFFER_BYTES).
   */
  write(ms: number, stream: "stdout" | "stderr", chunk: string): void {
    if (this.ended || chunk === "") return;
    let buffered = this.pending[stream] === "" ? chunk : this.pending[stream] + chunk;
    for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
      this.writeLine(ms, stream, buffered.slice(0, nl), false);
      buffered = buffered.slice(nl + 1);
    }
    this.pending[stream] = this.writeLine(ms, stream, buffered, true);
    this.wake();
  }

  /**
   * Writes `text` as records; with `open` (no newline yet), cuts only the `P` records the runtime can see
   * (CRI_READ_BUFFER_BYTES) and keeps (and returns) the rest instead of ending the line.
   */
  private writeLine(ms: number, stream: "stdout" | "stderr", text: string, open: boolean): string {
    const timestamp = rfc3339Nano(ms);
    let bytes = utf8ByteLength(text);
    let readable = open ? Math.floor(bytes / CRI_READ_BUFFER_BYTES) * CRI_READ_BUFFER_BYTES : bytes;
    if (!open && bytes <= CRI_MAX_RECORD_BYTES) {
      this.begun[stream] = false;
      this.record({ ms, timestamp, stream, partial: false, content: text });
      return "";
    }
    const first = { file: this.files.at(-1)!, index: -1 };
    let start = 0;
    let count = 0;
    while (readable > CRI_MAX_RECORD_BYTES) {
      const end = start + cutAtBytes(text, start, CRI_MAX_RECORD_BYTES);
      const content = text.slice(start, end);
      this.record({ ms, timestamp, stream, partial: true, content });
      if (count === 0) first.file = this.files.at(-1)!, first.index = first.file.records.length - 1;
      count++;
      const cut = utf8ByteLength(content);
      bytes -= cut;
      readable -= cut;
      start = end;
    }
    const rest = text.slice(start);
    const begun = this.begun[stream];
    if (open) {
      this.begun[stream] = begun || count > 0;
      return rest;
    }
    this.begun[stream] = false;
    this.record({ ms, timestamp, stream, partial: false, content: rest });
    count++;
    // Written whole and not split by a rotation: the first record can stand for the line.
    if (!begun && first.file === this.files.at(-1) && first.index >= 0) {
      const r = first.file.records[first.index]!;
      first.file.records[first.index] = { ...r, whole: { line: text, records: count } };
    }
    return "";
  }

  private record(r: CriRecord): void {
    const file = this.files.at(-1)!;
    file.records.push(r);
    file.bytes += r.timestamp.length + r.stream.length + utf8ByteLength(r.content) + 5;
  }

  /**
   * The kubelet's periodic check (every LogRotation.monitorIntervalMs): a current file that has reached
   * maxFileBytes is rotated — the runtime writes on into a new, empty file — and files beyond maxFiles are
   * deleted. A container that exited is no longer rotated. Returns whether it rotated.
   */
  rotateIfFull(): boolean {
    const file = this.files.at(-1)!;
    if (this.ended || file.bytes < this.rotation.maxFileBytes) return false;
    this.files.push({ seq: file.seq + 1, records: [], bytes: 0 });
    if (this.files.length > this.rotation.maxFiles) this.files = this.files.slice(-this.rotation.maxFiles);
    return true;
  }

  /** The process exited at `ms`: an unfinished line is stored as `P`; followers drain and end. */
  seal(ms?: number): void {
    if (this.ended) return;
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.pending[stream];
      if (rest !== "") {
        const at = ms ?? this.files.at(-1)!.records.at(-1)?.ms ?? 0;
        this.record({ ms: at, timestamp: rfc3339Nano(at), stream, partial: true, content: rest });
      }
      this.pending[stream] = "";
    }
    this.ended = true;
    this.wake();
  }

  get sealed(): boolean {
    return this.ended;
  }

  /** The records of every file still on the node, oldest first. */
  records(): CriRecord[] {
    return this.files.flatMap((f) => f.records);
  }

  /** The lines of every file still on the node, each joined from its records. */
  snapshot(): LogEntry[] {
    const out: LogEntry[] = [];
    const open: Partial<Record<"stdout" | "stderr", { timestamp: string; text: string }>> = {};
    for (const r of this.records()) {
      const line = open[r.stream] ?? { timestamp: r.timestamp, text: "" };
      line.text += r.content;
      if (r.partial) open[r.stream] = line;
      else {
        delete open[r.stream];
        out.push({ timestamp: line.timestamp, stream: r.stream, text: line.text });
      }
    }
    for (const stream of ["stdout", "stderr"] as const) {
      const line = open[stream];
      if (line) out.push({ timestamp: line.timestamp, stream, text: line.text });
    }
    return out;
  }

  /**
   * Reads like the kubelet serving `GET pods/log`: yields the response body in pieces (see LogPiece), one
   * per CRI record, or one per line for a line its records hold whole. Starts at the current file; with
   * `follow`, waits for new records until the process exits or `signal` aborts.
   */
  async *read(opts: LogReadOptions): AsyncGenerator<LogPiece> {
    let file = this.files.at(-1)!;
    let index = 0;
    let lineStart = true;
    for (;;) {
      if (opts.signal.aborted) return;
      for (;;) {
        if (index >= file.records.length) {
          // At the end of a file that is no longer current, the kubelet reopens the log path: the newest file.
          const current = this.files.at(-1)!;
          if (!opts.follow || current.seq === file.seq) break;
          file = current;
          index = 0;
          continue;
        }
        const r = file.records[index]!;
        const prefix = lineStart && opts.timestamps ? fixedNano(r.ms) : null;
        if (r.whole && lineStart && index + r.whole.records <= file.records.length) {
          // Every record of the line shares the first one's time, so sinceTime keeps all or none of them.
          index += r.whole.records;
          if (opts.sinceMs !== undefined && r.ms < opts.sinceMs) continue;
          yield { timestamp: prefix, text: r.whole.line, newline: true };
        } else {
          index++;
          lineStart = !r.partial;
          if (opts.sinceMs !== undefined && r.ms < opts.sinceMs) continue;
          yield { timestamp: prefix, text: r.content, newline: !r.partial };
        }
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

/** The kubelet's output timestamp (RFC3339NanoFixed): UTC, always nine fractional digits. */
export function fixedNano(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, "0")}000000Z`;
}

/**
 * The string index where the first `bytes` UTF-8 bytes end, moved back to a character boundary: the fake
 * keeps records as text, while containerd cuts raw bytes (the joined line is the same either way).
 */
function cutAtBytes(text: string, start: number, bytes: number): number {
  let used = 0;
  for (let i = start; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length;
    const size = unit < 0x80 ? 1 : unit < 0x800 ? 2 : pair ? 4 : 3;
    if (used + size > bytes) return Math.max(i - start, 1);
    used += size;
    if (pair) i++;
  }
  return text.length - start;
}

/** The kubelet's log files, per pod incarnation. A deleted pod's logs are gone with it. */
export class LogFiles {
  private readonly files = new Map<string, ContainerLog>();

  constructor(private readonly rotation: LogRotation = DEFAULT_LOG_ROTATION) {}

  open(podUid: string, container: string): ContainerLog {
    const k = `${podUid}/${container}`;
    let f = this.files.get(k);
    if (!f) {
      f = new ContainerLog(this.rotation);
      this.files.set(k, f);
    }
    return f;
  }

  find(podUid: string, container: string): ContainerLog | undefined {
    return this.files.get(`${podUid}/${container}`);
  }

  /** How often the kubelet checks the logs for rotation. */
  get monitorIntervalMs(): number {
    return this.rotation.monitorIntervalMs;
  }

  /** The kubelet's periodic check over every container's log (see ContainerLog.rotateIfFull). */
  rotateFull(): void {
    for (const f of this.files.values()) f.rotateIfFull();
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
