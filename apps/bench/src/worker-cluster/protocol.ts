// Messages between the bench's main thread (the runs) and the worker thread that hosts the simulated
// cluster. Port calls cross as structured clones; an AbortSignal crosses as an abort message for the call's
// id; a thrown ClusterError crosses as its fields and is rebuilt, so the run classifies it as it would the
// in-process one.

import { ClusterError, type ClusterErrorCode, type MissingPermission } from "@clipjob/core";
import type { FakeClusterOptions } from "@clipjob/fake-cluster";

/** Which port a call goes to. `clock` carries `sleep`; `now` is read from shared memory. */
export type PortName = "cluster" | "logs" | "host" | "access" | "leases" | "clock" | "bench";

export interface CallMessage {
  readonly t: "call";
  readonly id: number;
  readonly port: PortName;
  readonly method: string;
  readonly args: readonly unknown[];
  /** Argument index of an AbortSignal, replaced by `null`; the worker passes its own controller's signal there. */
  readonly signalAt: number | null;
  /** The method returns an async iterable: items come back one message each. */
  readonly stream: boolean;
}

export interface AbortMessage {
  readonly t: "abort";
  readonly id: number;
}

export type ToWorker = CallMessage | AbortMessage | { readonly t: "dispose" };

export type SerializedError =
  | { readonly kind: "cluster"; readonly code: ClusterErrorCode; readonly operation: string; readonly message: string; readonly httpStatus?: number; readonly retryAfterMs?: number; readonly permission?: MissingPermission }
  | { readonly kind: "error"; readonly name: string; readonly message: string };

export type FromWorker =
  | { readonly t: "result"; readonly id: number; readonly value: unknown }
  | { readonly t: "items"; readonly id: number; readonly values: readonly unknown[] }
  | { readonly t: "end"; readonly id: number }
  | { readonly t: "error"; readonly id: number; readonly error: SerializedError }
  | { readonly t: "ready" };

/** What the worker builds: the FakeCluster's options (plain data) and programs by their name in `programs.ts`. */
export interface WorkerClusterData {
  readonly options: FakeClusterOptions;
  readonly programs: Readonly<Record<string, string>>;
  /** Float64Array[1] over this buffer: the cluster's virtual now(), written by the worker. */
  readonly clock: SharedArrayBuffer;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ClusterError) {
    const operationPrefix = `${error.operation}: `;
    const message = error.message.startsWith(operationPrefix) ? error.message.slice(operationPrefix.length) : error.message;
    return {
      kind: "cluster",
      code: error.code,
      operation: error.operation,
      message,
      ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error.permission === undefined ? {} : { permission: error.permission }),
    };
  }
  if (error instanceof Error) return { kind: "error", name: error.name, message: error.message };
  return { kind: "error", name: "Error", message: String(error) };
}

export function deserializeError(error: SerializedError): Error {
  if (error.kind === "cluster") {
    const { kind: _kind, ...init } = error;
    return new ClusterError(init);
  }
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}
