// The worker thread's side: one FakeCluster on this thread's own event loop, its ports served to the main
// thread over the worker's MessagePort. The simulation (API store, controllers, kubelet, pacer) then never
// competes with the runs for the main thread, as a real API server and kubelet would not.

import { parentPort, workerData } from "node:worker_threads";
import { FakeCluster, type Program } from "@clipjob/fake-cluster";
import { PROGRAMS } from "../programs.js";
import { serializeError, type CallMessage, type FromWorker, type ToWorker, type WorkerClusterData } from "./protocol.js";

const port = parentPort;
if (!port) throw new Error("cluster-worker runs only as a worker thread");
const data = workerData as WorkerClusterData;
const fake = new FakeCluster(data.options);
for (const [name, program] of Object.entries(data.programs)) {
  const found: Program | undefined = PROGRAMS[program];
  if (!found) throw new Error(`unknown program ${program}`);
  fake.registerProgram(name, found);
}

// The virtual clock, published for the main thread's synchronous now(): after every message handled and on a
// short real-time interval (the pacer advances it every 20 ms).
const now = new Float64Array(data.clock);
const publish = (): void => void (now[0] = fake.clock.now());
publish();
const publisher = setInterval(publish, 2);

const send = (message: FromWorker): void => {
  publish();
  port.postMessage(message);
};

const controllers = new Map<number, AbortController>();

/** The benchmark's own reads of the simulation (not ports of the run). */
const bench = {
  jobsLeft: () => fake.jobs().length,
  requests: () => fake.requests(),
};

function target(call: CallMessage): Record<string, (...args: unknown[]) => unknown> {
  switch (call.port) {
    case "cluster":
      return fake.cluster as unknown as Record<string, (...args: unknown[]) => unknown>;
    case "logs":
      return fake.logs as unknown as Record<string, (...args: unknown[]) => unknown>;
    case "leases":
      return fake.leases as unknown as Record<string, (...args: unknown[]) => unknown>;
    case "host":
      return fake.host as unknown as Record<string, (...args: unknown[]) => unknown>;
    case "access":
      return fake.access as unknown as Record<string, (...args: unknown[]) => unknown>;
    case "clock":
      return fake.clock as unknown as Record<string, (...args: unknown[]) => unknown>;
    case "bench":
      return bench as unknown as Record<string, (...args: unknown[]) => unknown>;
  }
}

async function handle(call: CallMessage): Promise<void> {
  const controller = new AbortController();
  controllers.set(call.id, controller);
  const args = [...call.args];
  if (call.signalAt !== null) args[call.signalAt] = controller.signal;
  const object = target(call);
  try {
    const method = object[call.method];
    if (typeof method !== "function") throw new Error(`no method ${call.port}.${call.method}`);
    if (!call.stream) {
      send({ t: "result", id: call.id, value: await method.apply(object, args) });
      return;
    }
    // Items are sent in batches per turn of this loop: one message per batch, not per log line.
    let batch: unknown[] = [];
    let flushing = false;
    const flush = (): void => {
      flushing = false;
      if (batch.length === 0) return;
      send({ t: "items", id: call.id, values: batch });
      batch = [];
    };
    for await (const value of method.apply(object, args) as AsyncIterable<unknown>) {
      batch.push(value);
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    }
    flush();
    send({ t: "end", id: call.id });
  } catch (error) {
    send({ t: "error", id: call.id, error: serializeError(error) });
  } finally {
    controllers.delete(call.id);
  }
}

port.on("message", (message: ToWorker) => {
  switch (message.t) {
    case "call":
      void handle(message);
      break;
    case "abort":
      controllers.get(message.id)?.abort();
      break;
    case "dispose":
      clearInterval(publisher);
      for (const controller of controllers.values()) controller.abort();
      fake.dispose();
      port.close();
      break;
  }
});
send({ t: "ready" });
