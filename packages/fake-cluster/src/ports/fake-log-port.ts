import { advanceCursor, compareLogTimestamps, type LogCursor, type LogLine, type LogPort, type ObjectRef } from "@clipjob/core";
import type { ApiGateway } from "../api/api-gateway.js";
import type { FaultInjector } from "../faults/fault-injector.js";
import { resetError } from "../faults/fault-injector.js";
import type { LogEntry } from "../kubelet/container-log.js";
import type { LogRequest } from "../kubelet/log-api.js";
import type { VirtualClock } from "../virtual-clock.js";
import type { PortSession } from "./port-session.js";

export type OpenLog = (namespace: string, pod: string, container: string, req: LogRequest) => AsyncIterable<LogEntry>;

/**
 * LogPort over the fake pods/log API. A resume asks for sinceTime at the cursor's whole second (what every
 * client can send), then drops lines stamped before the cursor and the ones it already delivered at the
 * cursor's timestamp: nothing lost, nothing repeated.
 */
export class FakeLogPort implements LogPort {
  constructor(
    private readonly api: ApiGateway,
    private readonly open: OpenLog,
    private readonly faults: FaultInjector,
    private readonly clock: VirtualClock,
    private readonly session: PortSession,
  ) {}

  async *follow(pod: ObjectRef, container: string, from: LogCursor | null, signal: AbortSignal): AsyncIterable<LogLine> {
    this.session.check("follow log");
    const caller = this.session.link(signal);
    const cutter = new AbortController();
    const stop = AbortSignal.any([caller, cutter.signal]);
    const sinceTime = from ? `${from.timestamp.slice(0, 19)}Z` : undefined;
    const stream = await this.api.call("follow log", pod.namespace, () =>
      this.open(pod.namespace, pod.name, container, { follow: true, ...(sinceTime !== undefined ? { sinceTime } : {}), signal: stop }),
    );
    const cut = this.faults.logCut();
    const timer = cut ? this.clock.schedule(cut.everyMs, () => { cut.hits++; cutter.abort(); }, { daemon: true }) : null;
    let cursor: LogCursor | null = from;
    let skipped = 0;
    try {
      for await (const e of stream) {
        if (from) {
          const c = compareLogTimestamps(e.timestamp, from.timestamp);
          if (c < 0) continue;
          if (c === 0 && skipped < from.seenAtTimestamp) {
            skipped++;
            continue;
          }
        }
        cursor = advanceCursor(cursor, e.timestamp);
        yield { text: e.text, timestamp: e.timestamp, cursor };
      }
    } finally {
      timer?.cancel();
    }
    if (cutter.signal.aborted && !caller.aborted && cut?.mode === "error") throw resetError("follow log");
  }
}
