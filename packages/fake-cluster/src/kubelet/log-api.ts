import { AGENT_CONTAINER } from "@clipjob/core";
import { apiError, notFound } from "../api/api-errors.js";
import type { ObjectStore } from "../store/object-store.js";
import type { Kubelet } from "./kubelet.js";
import type { LogFiles, LogPiece } from "./container-log.js";

export interface LogRequest {
  readonly follow: boolean;
  /** RFC 3339: records stamped at or after its whole second (the API server drops any fraction). */
  readonly sinceTime?: string;
  /** Prefix each line with its timestamp (default true: what every follower of this project asks for). */
  readonly timestamps?: boolean;
  readonly signal: AbortSignal;
}

/**
 * `GET /api/v1/namespaces/{ns}/pods/{pod}/log`: the API server proxying to the node's kubelet. Yields the
 * response body as the kubelet writes it (see LogPiece).
 */
export function openPodLog(store: ObjectStore, kubelet: Kubelet, files: LogFiles, namespace: string, podName: string, container: string, req: LogRequest): AsyncIterable<LogPiece> {
  const op = req.follow ? "follow log" : "get log";
  const pod = store.get("Pod", namespace, podName);
  if (!pod) throw notFound("Pod", podName, op);
  const names = [AGENT_CONTAINER, ...pod.spec.initContainers.map((c) => c.name)];
  if (!names.includes(container)) throw apiError("invalid", op, `container ${container} is not valid for pod ${podName}`);
  if (pod.spec.nodeName !== undefined && kubelet.isNodeDead(pod.spec.nodeName)) {
    throw apiError("server_error", op, `Get "https://10.0.0.10:10250/containerLogs/${namespace}/${podName}/${container}": dial tcp 10.0.0.10:10250: connect: no route to host`);
  }
  const file = files.find(pod.metadata.uid, container);
  if (!file) {
    const status = [...pod.status.containerStatuses, ...pod.status.initContainerStatuses].find((c) => c.name === container);
    const reason = status?.state.kind === "waiting" ? status.state.reason : "ContainerCreating";
    throw apiError("invalid", op, `container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
  }
  let sinceMs: number | undefined;
  if (req.sinceTime !== undefined) {
    const parsed = Date.parse(req.sinceTime);
    if (Number.isNaN(parsed)) throw apiError("invalid", op, `sinceTime: Invalid value: "${req.sinceTime}": must be RFC 3339`);
    sinceMs = Math.floor(parsed / 1000) * 1000;
  }
  return file.read({ follow: req.follow, timestamps: req.timestamps ?? true, signal: req.signal, ...(sinceMs !== undefined ? { sinceMs } : {}) });
}
