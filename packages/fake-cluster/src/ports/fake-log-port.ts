import { createKubeletLogReader, logFollow, sinceTimeFor, type LogCursor, type LogFollow, type LogGap, type LogLine, type LogPort, type ObjectRef } from "@clipjob/core";
import type { ApiGateway } from "../api/api-gateway.js";
import type { FaultInjector } from "../faults/fault-injector.js";
import { resetError } from "../faults/fault-injector.js";
import type { LogPiece } from "../kubelet/container-log.js";
import type { LogRequest } from "../kubelet/log-api.js";
import type { VirtualClock } from "../virtual-clock.js";
import type { PortSession } from "./port-session.js";
import type { ReadRetrier } from "./read-retrier.js";

export type OpenLog = (namespace: string, pod: string, container: string, req: LogRequest) => AsyncIterable<LogPiece>;

/**
 * LogPort over the fake pods/log API, reading its body the way the real follower does (core's kubelet log
 * reader): a resume asks for sinceTime at the cursor's whole second, then drops lines stamped before the
 * cursor, the ones it already delivered at the cursor's timestamp and the unprefixed rest of a long line the
 * second began inside; a line after a rotation gap carries the gap, and a response that ended without
 * reaching the cursor's place says so in its `endGap`. Opening the stream is retried on a transient failure
 * as the real adapter does (`ReadRetrier`).
 */
export class FakeLogPort implements LogPort {
  constructor(
    private readonly api: ApiGateway,
    private readonly open: OpenLog,
    private readonly faults: FaultInjector,
    private readonly clock: VirtualClock,
    private readonly session: PortSession,
    private readonly reads: ReadRetrier,
  ) {}

  follow(pod: ObjectRef, container: string, from: LogCursor | null, signal: AbortSignal): LogFollow {
    return logFollow((end) => this.lines(pod, container, from, signal, end));
  }

  private async *lines(pod: ObjectRef, container: string, from: LogCursor | null, signal: AbortSignal, end: { gap: LogGap | null }): AsyncIterable<LogLine> {
    this.session.check("follow log");
    const caller = this.session.link(signal);
    const cutter = new AbortController();
    const staller = new AbortController();
    const stop = AbortSignal.any([caller, cutter.signal, staller.signal]);
    const sinceTime = from ? sinceTimeFor(from) : undefined;
    // Opening the stream is a read, retried like the real adapter's; what breaks once it is open is not.
    let stream: AsyncIterable<LogPiece>;
    try {
      stream = await this.reads.read(
        () => this.api.call("follow log", pod.namespace, () => this.open(pod.namespace, pod.name, container, { follow: true, timestamps: true, ...(sinceTime !== undefined ? { sinceTime } : {}), signal: stop })),
        caller,
      );
    } catch (err) {
      if (caller.aborted) return;
      throw err;
    }
    const cut = this.faults.logCut();
    let cutMode: "eof" | "error" = cut?.mode ?? "eof";
    const timer = cut ? this.clock.schedule(cut.everyMs, () => { cut.hits++; cutter.abort(); }, { daemon: true }) : null;
    const stall = this.faults.logStall();
    const stallTimer = stall ? this.clock.schedule(stall.afterMs, () => { stall.hits++; staller.abort(); }, { daemon: true }) : null;
    const untrack = this.faults.trackLogStream({
      cut: (mode) => {
        if (cutter.signal.aborted || staller.signal.aborted) return;
        cutMode = mode;
        cutter.abort();
      },
      stall: () => void (cutter.signal.aborted || staller.abort()),
    });
    const reader = createKubeletLogReader(from);
    // The body arrives in pieces that end a line or not; a line still open when the stream ends is not
    // delivered (see KubeLogAdapter).
    let open: { timestamp: string | null; text: string } | null = null;
    try {
      for await (const piece of stream) {
        if (open === null) open = { timestamp: piece.timestamp, text: piece.text };
        else open.text += piece.timestamp === null ? piece.text : `${piece.timestamp} ${piece.text}`;
        if (!piece.newline) continue;
        const line = reader.acceptParts(open.timestamp, open.text);
        open = null;
        if (line !== null) yield line;
      }
    } finally {
      timer?.cancel();
      stallTimer?.cancel();
      untrack();
    }
    if (staller.signal.aborted && !cutter.signal.aborted) {
      // Half-open: nothing more arrives, not even an EOF, until the reader gives up on the stream.
      await new Promise<void>((resolve) => (caller.aborted ? resolve() : caller.addEventListener("abort", () => resolve(), { once: true })));
      return;
    }
    if (cutter.signal.aborted && !caller.aborted && cutMode === "error") throw resetError("follow log");
    if (!caller.aborted) end.gap = reader.end();
  }
}
