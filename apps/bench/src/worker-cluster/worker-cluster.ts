// The main thread's side: a FakeCluster running in a worker thread, seen through proxies of the ports a run
// uses (ClusterPort, LogPort, HostPort, Clock). now() reads the worker's virtual clock from shared memory;
// every other call is a message and its answer.

import { Worker } from "node:worker_threads";
import { AgentLocks, runAgentJob, type AccessPort, type Clock, type ClusterPort, type HostPort, type LeasePort, type LogPort, type RunDependencies, type RunOptions, type RunOutcome, type RunRequest } from "@clipjob/core";
import type { FakeClusterOptions } from "@clipjob/fake-cluster";
import { deserializeError, type FromWorker, type PortName, type ToWorker, type WorkerClusterData } from "./protocol.js";

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface StreamSink {
  push(values: readonly unknown[]): void;
  end(error: Error | null): void;
}

export interface WorkerCluster {
  deps(): RunDependencies;
  /** The permission checks of the adapter's identity (the environment test's; runs do not use them). */
  readonly access: AccessPort;
  run(request: RunRequest, options?: RunOptions): Promise<RunOutcome>;
  /** The simulation's virtual time (ms since the epoch). */
  now(): number;
  jobsLeft(): Promise<number>;
  requests(): Promise<Readonly<Record<string, number>>>;
  dispose(): Promise<void>;
}

/** Starts the worker; resolves once its FakeCluster is built. `programs`: image program name → name in `programs.ts`. */
export async function startWorkerCluster(options: FakeClusterOptions, programs: Readonly<Record<string, string>>, namespace: string): Promise<WorkerCluster> {
  const clock = new SharedArrayBuffer(8);
  const virtualNow = new Float64Array(clock);
  const data: WorkerClusterData = { options, programs, clock };
  const worker = new Worker(new URL("./cluster-worker.js", import.meta.url), { workerData: data });
  const calls = new Map<number, Pending>();
  const streams = new Map<number, StreamSink>();
  let nextId = 1;
  let ready!: () => void;
  let failed!: (error: Error) => void;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  worker.on("error", (error) => {
    failed(error);
    for (const call of calls.values()) call.reject(error);
    for (const stream of streams.values()) stream.end(error);
  });
  worker.on("message", (message: FromWorker) => {
    switch (message.t) {
      case "ready":
        ready();
        break;
      case "result":
        calls.get(message.id)?.resolve(message.value);
        calls.delete(message.id);
        break;
      case "items":
        streams.get(message.id)?.push(message.values);
        break;
      case "end":
        streams.get(message.id)?.end(null);
        streams.delete(message.id);
        break;
      case "error": {
        const error = deserializeError(message.error);
        calls.get(message.id)?.reject(error);
        calls.delete(message.id);
        streams.get(message.id)?.end(error);
        streams.delete(message.id);
        break;
      }
    }
  });
  await started;

  const post = (message: ToWorker): void => worker.postMessage(message);

  /** Passes `signal`'s abort to the worker for call `id`; returns the argument list with the signal removed. */
  const withSignal = (id: number, args: unknown[], signalAt: number | null): { args: unknown[]; detach: () => void } => {
    if (signalAt === null) return { args, detach: () => {} };
    const signal = args[signalAt] as AbortSignal | undefined;
    const copy = [...args];
    copy[signalAt] = null;
    if (!signal) return { args: copy, detach: () => {} };
    const onAbort = (): void => post({ t: "abort", id });
    if (signal.aborted) queueMicrotask(onAbort);
    else signal.addEventListener("abort", onAbort, { once: true });
    return { args: copy, detach: () => signal.removeEventListener("abort", onAbort) };
  };

  const call = <T>(port: PortName, method: string, args: unknown[], signalAt: number | null = null): Promise<T> => {
    const id = nextId++;
    const sent = withSignal(id, args, signalAt);
    return new Promise<T>((resolve, reject) => {
      calls.set(id, {
        resolve: (value) => {
          sent.detach();
          resolve(value as T);
        },
        reject: (error) => {
          sent.detach();
          reject(error);
        },
      });
      post({ t: "call", id, port, method, args: sent.args, signalAt, stream: false });
    });
  };

  const stream = <T>(port: PortName, method: string, args: unknown[], signalAt: number): AsyncIterable<T> => ({
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const id = nextId++;
      const sent = withSignal(id, args, signalAt);
      const queue: T[] = [];
      let head = 0;
      let ended = false;
      let failure: Error | null = null;
      let wake: (() => void) | null = null;
      streams.set(id, {
        push(values) {
          for (const value of values) queue.push(value as T);
          wake?.();
        },
        end(error) {
          ended = true;
          failure = error;
          sent.detach();
          wake?.();
        },
      });
      post({ t: "call", id, port, method, args: sent.args, signalAt, stream: true });
      return {
        async next(): Promise<IteratorResult<T>> {
          for (;;) {
            if (head < queue.length) {
              const value = queue[head++]!;
              if (head > 1024 && head * 2 > queue.length) {
                queue.splice(0, head);
                head = 0;
              }
              return { value, done: false };
            }
            if (ended) {
              if (failure) throw failure;
              return { value: undefined, done: true };
            }
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
          }
        },
        async return(): Promise<IteratorResult<T>> {
          // The consumer stopped early: end the worker's side too.
          if (!ended) post({ t: "abort", id });
          ended = true;
          sent.detach();
          return { value: undefined, done: true };
        },
      };
    },
  });

  const cluster: ClusterPort = {
    submit: (spec, signal) => call("cluster", "submit", [spec, signal], 1),
    getClaim: (ref) => call("cluster", "getClaim", [ref]),
    createClaim: (ref, holder, labels, data) => call("cluster", "createClaim", [ref, holder, labels, data]),
    adoptClaim: (current, holder) => call("cluster", "adoptClaim", [current, holder]),
    markClaimReported: (current) => call("cluster", "markClaimReported", [current]),
    deleteClaim: (current, propagation) => call("cluster", "deleteClaim", [current, propagation]),
    getJob: (ref) => call("cluster", "getJob", [ref]),
    listJobs: (ns, selector) => call("cluster", "listJobs", [ns, selector]),
    relabel: (ref, labels) => call("cluster", "relabel", [ref, labels]),
    deleteJob: (ref, propagation) => call("cluster", "deleteJob", [ref, propagation]),
    listPods: (job) => call("cluster", "listPods", [job]),
    watchJob: (ref, signal) => stream("cluster", "watchJob", [ref, signal], 1),
    watchPods: (job, signal) => stream("cluster", "watchPods", [job, signal], 1),
  };
  const logs: LogPort = {
    follow: (pod, container, from, signal) => stream("logs", "follow", [pod, container, from, signal], 3),
  };
  const host: HostPort = { describeHost: () => call("host", "describeHost", []) };
  const access: AccessPort = {
    review: (checks) => call("access", "review", [checks]),
    namespaceExists: (namespace) => call("access", "namespaceExists", [namespace]),
    secretExists: (namespace, name) => call("access", "secretExists", [namespace, name]),
    claimAccessModes: (namespace, claimName) => call("access", "claimAccessModes", [namespace, claimName]),
  };
  const leases: LeasePort = {
    getLease: (ref) => call("leases", "getLease", [ref]),
    createLease: (ref, holding, labels) => call("leases", "createLease", [ref, holding, labels]),
    updateLease: (current, holding) => call("leases", "updateLease", [current, holding]),
    deleteLease: (current) => call("leases", "deleteLease", [current]),
  };
  const simClock: Clock = {
    now: () => virtualNow[0]!,
    sleep: (ms, signal) => call<void>("clock", "sleep", [ms, signal], 1),
  };
  const locks = new AgentLocks();
  const deps = (): RunDependencies => ({ cluster, logs, host, leases, clock: simClock, defaultNamespace: namespace, locks });
  return {
    deps,
    access,
    run: (request, runOptions = {}) => runAgentJob(deps(), request, runOptions),
    now: () => virtualNow[0]!,
    jobsLeft: () => call<number>("bench", "jobsLeft", []),
    requests: () => call<Readonly<Record<string, number>>>("bench", "requests", []),
    async dispose() {
      post({ t: "dispose" });
      await worker.terminate();
    },
  };
}
