import { ClusterError } from "@clipjob/core";
import { apiError } from "../api/api-errors.js";
import type { Random } from "../prng.js";
import type { VirtualClock } from "../virtual-clock.js";

/** "401": the credentials are rejected; "certificate": the server's TLS certificate fails verification. */
export type InjectedError = "429" | "500" | "503" | "504" | "reset" | "403" | "401" | "certificate";

export interface RequestFaultRule {
  /** A request kind as counted by `requests()` ("create job", "follow log"…), or a pattern over them. */
  readonly operation: string | RegExp;
  readonly error: InjectedError;
  /** Fail the next N matching requests, then stop. */
  readonly count?: number;
  /** Fail each matching request with this probability (seeded). */
  readonly probability?: number;
  /** Only inside this virtual-time window [from, until). */
  readonly from?: number;
  readonly until?: number;
  /** Retry-After for 429 (default 1000 ms). */
  readonly retryAfterMs?: number;
  /**
   * The request reached the server and was applied, and only the response was lost (a write that "failed"
   * but happened). Default false: the request never arrived.
   */
  readonly afterCommit?: boolean;
}

export interface FaultHandle {
  remove(): void;
  /** How many requests this fault has failed so far. */
  readonly hits: number;
}

export interface LogCutRule {
  readonly everyMs: number;
  /** "eof": the stream just ends (what most drops look like); "error": it fails with a connection reset. */
  readonly mode: "eof" | "error";
  /** Streams cut so far. */
  hits: number;
}

export interface LogStallRule {
  readonly afterMs: number;
  /** Streams stalled so far. */
  hits: number;
}

/** A log stream open right now, as a one-shot fault strikes it. */
export interface OpenLogStream {
  /** Ends the stream: "eof" as most drops look, "error" with a connection reset. */
  cut(mode: "eof" | "error"): void;
  /** Half-open from now on: no more bytes, no EOF, until its reader gives up on it. */
  stall(): void;
}

interface ActiveRule {
  readonly rule: RequestFaultRule;
  remaining: number;
  hits: number;
}

/** Injected failures, all in virtual time and seeded. The ports consult it on every request. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private logCuts: LogCutRule[] = [];
  private logStalls: LogStallRule[] = [];
  private readonly openLogStreams = new Set<OpenLogStream>();
  statusLagMs: number;
  jobConditionLagMs = 0;
  private registryDownUntil = 0;
  private registryMessage = "";

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: Random,
    statusLagMs: number,
    private readonly hooks: { expireWatches(): void; silenceWatches(): void },
  ) {
    this.statusLagMs = statusLagMs;
  }

  failRequests(rule: RequestFaultRule): FaultHandle {
    const active: ActiveRule = { rule, remaining: rule.count ?? Number.POSITIVE_INFINITY, hits: 0 };
    this.rules.push(active);
    return {
      remove: () => {
        this.rules = this.rules.filter((r) => r !== active);
      },
      get hits() {
        return active.hits;
      },
    };
  }

  /** Closes every open watch and compacts the watch history: resuming from an old resourceVersion gets 410 Gone. */
  expireWatches(): void {
    this.hooks.expireWatches();
  }

  /** Every open watch goes silent as a half-open connection does: no event, no bookmark, no close. */
  silenceWatches(): void {
    this.hooks.silenceWatches();
  }

  /** Every log stream opened from now on is cut `everyMs` after it opens. */
  cutLogStreams(opts: { everyMs: number; mode?: "eof" | "error" }): FaultHandle {
    const rule: LogCutRule = { everyMs: opts.everyMs, mode: opts.mode ?? "eof", hits: 0 };
    this.logCuts.push(rule);
    return {
      remove: () => {
        this.logCuts = this.logCuts.filter((r) => r !== rule);
      },
      get hits() {
        return rule.hits;
      },
    };
  }

  /**
   * The image registry fails transiently until `untilMs` (virtual epoch ms): every pull gets ErrImagePull
   * with `message` (default an i/o timeout), then ImagePullBackOff, until the registry answers again.
   */
  flakyRegistry(opts: { untilMs: number; message?: string }): void {
    this.registryDownUntil = opts.untilMs;
    this.registryMessage = opts.message ?? 'failed to do request: Head "https://registry.example/v2/agents/manifests/1": dial tcp 10.0.0.5:443: i/o timeout';
  }

  /** The transient registry failure a pull gets now, or null. */
  registryFailure(): string | null {
    return this.clock.now() < this.registryDownUntil ? this.registryMessage : null;
  }

  /** Kubelet status lag (ms between a container change and its pod status) from now on. */
  statusLag(ms: number): void {
    this.statusLagMs = ms;
  }

  /** Delay between the interim Job condition (SuccessCriteriaMet / FailureTarget) and the terminal one. */
  jobConditionLag(ms: number): void {
    this.jobConditionLagMs = ms;
  }

  /**
   * Every log stream opened from now on stalls `afterMs` after it opens: a half-open connection that delivers
   * neither bytes nor EOF (the container goes on writing) until its reader gives up on it.
   */
  stallLogStreams(opts: { afterMs: number }): FaultHandle {
    const rule: LogStallRule = { afterMs: opts.afterMs, hits: 0 };
    this.logStalls.push(rule);
    return {
      remove: () => {
        this.logStalls = this.logStalls.filter((r) => r !== rule);
      },
      get hits() {
        return rule.hits;
      },
    };
  }

  /** Every log stream open now is cut once (at the moment of the call); streams opened later are not. Returns how many. */
  cutOpenLogStreams(mode: "eof" | "error" = "eof"): number {
    const open = [...this.openLogStreams];
    for (const s of open) s.cut(mode);
    return open.length;
  }

  /** Every log stream open now goes half-open (see `stallLogStreams`); streams opened later are not. Returns how many. */
  stallOpenLogStreams(): number {
    const open = [...this.openLogStreams];
    for (const s of open) s.stall();
    return open.length;
  }

  /** The log port registers each stream while it is open; the returned function unregisters it. */
  trackLogStream(stream: OpenLogStream): () => void {
    this.openLogStreams.add(stream);
    return () => void this.openLogStreams.delete(stream);
  }

  /** The log stall that applies to a stream opened now, if any. */
  logStall(): LogStallRule | undefined {
    return this.logStalls[0];
  }

  /** The log cut that applies to a stream opened now, if any. */
  logCut(): LogCutRule | undefined {
    return this.logCuts[0];
  }

  /** The error a request of this kind gets now, and whether the server applied it anyway. */
  check(operation: string): { error: ClusterError; afterCommit: boolean } | null {
    const now = this.clock.now();
    for (const a of this.rules) {
      const r = a.rule;
      if (typeof r.operation === "string" ? r.operation !== operation : !r.operation.test(operation)) continue;
      if (r.from !== undefined && now < r.from) continue;
      if (r.until !== undefined && now >= r.until) continue;
      if (a.remaining <= 0) continue;
      if (r.probability !== undefined && this.random.next() >= r.probability) continue;
      a.remaining--;
      a.hits++;
      return { error: injected(r, operation), afterCommit: r.afterCommit ?? false };
    }
    return null;
  }
}

function injected(rule: RequestFaultRule, operation: string): ClusterError {
  switch (rule.error) {
    case "429": {
      const retryAfterMs = rule.retryAfterMs ?? 1000;
      return apiError("rate_limited", operation, "the server has received too many requests and has asked us to try again later", { retryAfterMs });
    }
    case "500":
      return apiError("server_error", operation, "Internal error occurred: etcdserver: request timed out");
    case "503":
      return apiError("unavailable", operation, "the server is currently unable to handle the request");
    case "504":
      return apiError("timeout", operation, "the server was unable to return a response in the time allotted, but may still be processing the request");
    case "403":
      return apiError("forbidden", operation, "forbidden (injected)");
    case "401":
      return apiError("unauthorized", operation, "Unauthorized");
    case "certificate":
      return new ClusterError({ code: "certificate_untrusted", operation, message: "self-signed certificate in certificate chain" });
    case "reset":
      return resetError(operation);
  }
}

/** A dropped connection has no HTTP status at all. */
export function resetError(operation: string): ClusterError {
  return new ClusterError({ code: "unavailable", operation, message: "read ECONNRESET: connection reset by peer" });
}
