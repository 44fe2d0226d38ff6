import type { FakeCluster, FakeClusterOptions } from "@clipjob/fake-cluster";
import { longLineScript, rotationScript, type ChaosScript } from "./chaos-scripts.js";

/** What a fault can act on while a run is under way. */
export interface FaultTarget {
  readonly fake: FakeCluster;
  /** The run's Job, once it exists. */
  job(): string | undefined;
  cancel(): void;
  shutdown(): void;
  /** The host process dies and comes back; the next heartbeat starts a new run for the same task. */
  restartHost(): void;
}

export interface Fault {
  /** Human-readable, with the seeded parameters, for a replayable failure report. */
  readonly describe: string;
  /** Virtual ms after the run started. */
  readonly at: number;
  apply(target: FaultTarget): void;
}

export const FAULT_KINDS = [
  "api-429",
  "api-500",
  "api-503",
  "api-reset",
  "log-cut-eof",
  "log-cut-error",
  "watch-expiry",
  "status-lag",
  "condition-lag",
  "external-delete",
  "eviction",
  "node-loss",
  "cancel",
  "shutdown",
  "host-restart",
  "long-line-cut",
  "rotation-cut",
  "watch-stall",
  "log-stall",
  "process-race",
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** What one seeded run of a kind does: its faults, and what differs from the plain run. */
export interface ChaosPlan {
  readonly faults: readonly Fault[];
  /** How the container writes its transcript (and strikes faults keyed to its own writes); default: the realistic lines, evenly spread. */
  readonly script?: ChaosScript;
  /** The fake cluster's options beyond the bench's (a small log rotation…). */
  readonly cluster?: Partial<FakeClusterOptions>;
  /**
   * Two host processes (own ports, own locks, one cluster) start a run for the same agent `offsetMs` apart
   * (the second one `second`), for the same task or not.
   */
  readonly race?: { readonly offsetMs: number; readonly first: "a" | "b"; readonly sameTask: boolean };
  /** Seeded parameters that are not a timed fault, for the replayable report. */
  readonly describe?: readonly string[];
}

/** A kind's plan with seeded parameters, for a run of `runMs` whose transcript is `lines`. */
export function planChaos(kind: FaultKind, random: () => number, runMs: number, lines: readonly string[]): ChaosPlan {
  switch (kind) {
    case "long-line-cut": {
      const { script, describe } = longLineScript(random, runMs, lines);
      return { faults: [], script, describe };
    }
    case "rotation-cut": {
      // Files of a few lines down to one record each, so whatever is written while the follow is down rotates.
      const maxFileBytes = [512, 2_048, 8_192, 32_768, 131_072][Math.floor(random() * 5)]!;
      const { script, describe } = rotationScript(random, runMs, lines);
      return { faults: [], script, cluster: { containerLogRotation: { maxFileBytes, maxFiles: 5 } }, describe: [`log rotates at ${maxFileBytes} B`, ...describe] };
    }
    case "watch-stall": {
      // Half-open watches: no event, no bookmark, no close; only the watchers' own silence bound notices.
      const times = Array.from({ length: 1 + Math.floor(random() * 3) }, () => Math.floor(random() * runMs)).sort((a, b) => a - b);
      return { faults: times.map((t) => ({ describe: `watches go silent at ${t} ms`, at: t, apply: ({ fake }) => fake.faults.silenceWatches() })) };
    }
    case "log-stall": {
      const at = Math.floor(random() * runMs);
      const later = random() < 0.5 ? 1_000 + Math.floor(random() * 60_000) : null;
      return {
        faults: [
          {
            describe: `the open log stream goes half-open at ${at} ms${later === null ? "" : `, every later one ${later} ms after it opens`}`,
            at,
            apply: ({ fake }) => {
              fake.faults.stallOpenLogStreams();
              if (later !== null) fake.faults.stallLogStreams({ afterMs: later });
            },
          },
        ],
      };
    }
    case "process-race": {
      const offsetMs = random() < 0.25 ? 0 : Math.floor(random() * 3_000);
      const first = random() < 0.5 ? "a" : "b";
      const sameTask = random() < 0.5;
      return { faults: [], race: { offsetMs, first, sameTask }, describe: [`process ${first === "a" ? "b" : "a"} starts ${offsetMs} ms after ${first}, ${sameTask ? "same" : "another"} task`] };
    }
    default:
      return { faults: planFault(kind, random, runMs) };
  }
}

const OPERATIONS = ["get job", "list jobs", "watch jobs", "list pods", "watch pods", "follow log", "get pod", "create job", "create secret", "patch job", "delete job"];

/** One fault of `kind` with seeded parameters, striking at a seeded moment of a `runMs` run. */
function planFault(kind: Exclude<FaultKind, "long-line-cut" | "rotation-cut" | "watch-stall" | "log-stall" | "process-race">, random: () => number, runMs: number): Fault[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const at = Math.floor(random() * runMs);
  switch (kind) {
    case "api-429":
    case "api-500":
    case "api-503":
    case "api-reset": {
      const error = kind.slice(4) as "429" | "500" | "503" | "reset";
      const operation = pick(OPERATIONS);
      const mode = pick(["count", "probability", "window"] as const);
      const count = 1 + Math.floor(random() * 5);
      const probability = random() * 0.5;
      const span = Math.floor(random() * 180_000);
      return [
        {
          describe: `${operation} fails ${error} (${mode === "count" ? `next ${count}` : mode === "probability" ? `p=${probability.toFixed(2)}` : `${span} ms window`}) from ${at} ms`,
          at,
          apply: ({ fake }) =>
            void fake.faults.failRequests(
              mode === "count"
                ? { operation, error, count, retryAfterMs: 2_000 }
                : mode === "probability"
                  ? { operation, error, probability, retryAfterMs: 2_000 }
                  : { operation, error, from: fake.clock.now(), until: fake.clock.now() + span, retryAfterMs: 2_000 },
            ),
        },
      ];
    }
    case "log-cut-eof":
    case "log-cut-error": {
      const everyMs = 200 + Math.floor(random() * 10_000);
      const mode = kind === "log-cut-eof" ? "eof" : "error";
      return [{ describe: `log streams cut (${mode}) every ${everyMs} ms from ${at} ms`, at, apply: ({ fake }) => void fake.faults.cutLogStreams({ everyMs, mode }) }];
    }
    case "watch-expiry": {
      const times = Array.from({ length: 1 + Math.floor(random() * 3) }, () => Math.floor(random() * runMs));
      return times.map((t) => ({ describe: `watches expire at ${t} ms`, at: t, apply: ({ fake }) => fake.faults.expireWatches() }));
    }
    case "status-lag": {
      const lag = Math.floor(random() * 30_000);
      return [{ describe: `kubelet status lag ${lag} ms from ${at} ms`, at, apply: ({ fake }) => fake.faults.statusLag(lag) }];
    }
    case "condition-lag": {
      const lag = Math.floor(random() * 90_000);
      return [{ describe: `Job condition lag ${lag} ms from ${at} ms`, at, apply: ({ fake }) => fake.faults.jobConditionLag(lag) }];
    }
    case "external-delete": {
      const propagation = pick(["Background", "Foreground"] as const);
      return [
        {
          describe: `Job deleted externally (${propagation}) at ${at} ms`,
          at,
          apply: ({ fake, job }) => {
            const name = job();
            if (name) void fake.deleteJobExternally(name, propagation).catch(() => undefined);
          },
        },
      ];
    }
    case "eviction": {
      const how = pick(["api", "node-pressure"] as const);
      return [
        {
          describe: `pod evicted (${how}) at ${at} ms`,
          at,
          apply: ({ fake }) => {
            const pod = fake.pods()[0];
            if (pod) void fake.evictPod(pod.ref.name, how).catch(() => undefined);
          },
        },
      ];
    }
    case "node-loss":
      return [
        {
          describe: `node lost at ${at} ms`,
          at,
          apply: ({ fake }) => {
            const pod = fake.pods()[0];
            if (pod?.nodeName) fake.loseNode(pod.nodeName);
          },
        },
      ];
    case "cancel":
      return [{ describe: `cancel at ${at} ms`, at, apply: (t) => t.cancel() }];
    case "shutdown":
      return [{ describe: `host shutdown at ${at} ms`, at, apply: (t) => t.shutdown() }];
    case "host-restart":
      return [{ describe: `host restart at ${at} ms`, at, apply: (t) => t.restartHost() }];
  }
}
