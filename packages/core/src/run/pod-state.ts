// Pure readings of a pod snapshot: which states are fatal before Claude runs, which mean the pod was
// disrupted, and the claude container's termination. Kept apart from the loop so each rule is tested alone.

import { AGENT_CONTAINER } from "../job/agent-job-spec.js";
import type { ContainerState, ContainerStatus, PodSnapshot } from "../ports/cluster-objects.js";
import type { ErrorCode } from "../outcome/error-codes.js";
import type { PodTermination } from "../outcome/run-outcome.js";

export interface PodFatal {
  readonly code: ErrorCode;
  readonly message: string;
}

const IMAGE_PULL = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"]);
/** Pull failures no retry can fix: the reference is malformed, pulling is forbidden by policy. */
const DEFINITE_PULL_REASONS = new Set(["InvalidImageName", "ErrImageNeverPull"]);
// What containerd and registries say when the image is not there or the pull is not allowed (the kubelet
// puts the runtime's error in the ErrImagePull message).
const NOT_FOUND = /\bnot found\b|manifest unknown|name unknown|repository does not exist|no such image/i;
const UNAUTHORISED = /unauthori[sz]ed|authentication required|authorization failed|access (is )?denied|pull access denied|insufficient_scope|\b401\b|\b403 forbidden\b/i;

/**
 * What an image pull failure is: `definite` (not found, unauthorised, invalid name, never-pull policy: end the
 * run at once) or `transient` (timeouts, refused connections, registry 5xx or rate limits: worth waiting a
 * bounded time). ImagePullBackOff carries no cause, so it is transient unless an earlier ErrImagePull said more.
 */
export function classifyImagePull(state: ContainerState): { readonly kind: "definite" | "transient"; readonly cause: string } | null {
  if (state.kind !== "waiting" || !state.reason || !IMAGE_PULL.has(state.reason)) return null;
  if (DEFINITE_PULL_REASONS.has(state.reason)) return { kind: "definite", cause: state.reason === "InvalidImageName" ? "invalid image name" : "the image is not present and imagePullPolicy is Never" };
  const message = state.message ?? "";
  if (state.reason === "ErrImagePull" && NOT_FOUND.test(message)) return { kind: "definite", cause: "image not found" };
  if (state.reason === "ErrImagePull" && UNAUTHORISED.test(message)) return { kind: "definite", cause: "the registry refused the credentials (unauthorised)" };
  return { kind: "transient", cause: "transient registry error" };
}

/** A transient image pull failure the pod shows now ("<reason>: <message>" of the container), or null. */
export function detectTransientPull(pod: PodSnapshot): string | null {
  for (const c of [...pod.initContainers, ...pod.containers]) {
    if (classifyImagePull(c.state)?.kind === "transient") return `container "${c.name}": ${waitingDetail(c.state)}`;
  }
  return null;
}
const CONFIG_ERRORS = new Set(["CreateContainerConfigError", "CreateContainerError", "RunContainerError", "PreCreateHookError", "PreStartHookError"]);

function waitingDetail(state: ContainerState): string {
  if (state.kind !== "waiting") return "";
  return [state.reason, state.message].filter(Boolean).join(": ");
}

/**
 * A state that can never turn into a running Claude: end the run now with the pod's own words, instead of
 * waiting out a start timeout (the predecessor waited 120 s for a missing secret it could already see).
 */
export function detectStartFatal(pod: PodSnapshot): PodFatal | null {
  for (const c of pod.initContainers) {
    if (c.state.kind === "terminated" && c.state.exitCode !== 0) {
      const why = [c.state.reason, c.state.message].filter(Boolean).join(": ") || "no reason given";
      return { code: "k8s_init_container_failed", message: `Init container "${c.name}" failed with exit code ${c.state.exitCode}: ${why}` };
    }
    if (c.state.kind === "waiting" && c.state.reason === "CrashLoopBackOff") {
      return { code: "k8s_init_container_failed", message: `Init container "${c.name}" is crash-looping: ${waitingDetail(c.state)}` };
    }
  }
  for (const c of [...pod.initContainers, ...pod.containers]) {
    if (c.state.kind !== "waiting" || !c.state.reason) continue;
    const pull = classifyImagePull(c.state);
    if (pull?.kind === "definite") {
      return { code: "k8s_image_pull_failed", message: `Image pull failed for container "${c.name}" (${pull.cause}; not retried): ${waitingDetail(c.state)}` };
    }
    if (CONFIG_ERRORS.has(c.state.reason)) {
      return { code: "k8s_container_config_error", message: `Container "${c.name}" cannot be created: ${waitingDetail(c.state)}` };
    }
  }
  const scheduled = pod.conditions.find((c) => c.type === "PodScheduled");
  if (scheduled && scheduled.status === "False" && scheduled.reason === "Unschedulable") {
    return { code: "k8s_pod_unschedulable", message: `Pod unschedulable: ${scheduled.message || "no node fits the pod"}` };
  }
  return null;
}

/** Eviction, preemption or node loss: the pod was taken away rather than finishing on its own. */
export function detectDisruption(pod: PodSnapshot): PodFatal | null {
  const reason = pod.reason ?? "";
  const target = pod.conditions.find((c) => c.type === "DisruptionTarget" && c.status === "True");
  if (reason === "NodeLost" || reason === "NodeShutdown" || pod.phase === "Unknown" || target?.reason === "DeletionByPodGC") {
    return { code: "k8s_pod_lost", message: `Pod ${pod.ref.name} was lost with its node${pod.message ? `: ${pod.message}` : ""}` };
  }
  if (reason === "Evicted" || reason === "Preempting" || (target && target.reason !== "DeletionByTaintManager")) {
    const why = pod.message || target?.message || target?.reason || reason;
    return { code: "k8s_pod_evicted", message: `Pod ${pod.ref.name} was evicted${why ? `: ${why}` : ""}` };
  }
  if (target?.reason === "DeletionByTaintManager") {
    return { code: "k8s_pod_lost", message: `Pod ${pod.ref.name} was removed by the taint manager${target.message ? `: ${target.message}` : ""}` };
  }
  return null;
}

export function agentContainer(pod: PodSnapshot | null): ContainerStatus | undefined {
  return pod?.containers.find((c) => c.name === AGENT_CONTAINER);
}

/** Claude's container has started (so its log can be followed). */
export function agentStarted(pod: PodSnapshot | null): boolean {
  const kind = agentContainer(pod)?.state.kind;
  return kind === "running" || kind === "terminated";
}

export function agentTermination(pod: PodSnapshot | null): PodTermination | null {
  const state = agentContainer(pod)?.state;
  if (!state || state.kind !== "terminated") return null;
  return {
    exitCode: state.exitCode,
    ...(state.signal !== undefined ? { signal: state.signal } : {}),
    ...(state.reason ? { reason: state.reason } : {}),
    ...(state.message ? { message: state.message.trim() } : {}),
  };
}

function describeContainer(c: ContainerStatus): string {
  switch (c.state.kind) {
    case "waiting":
      return `${c.name}=waiting${c.state.reason ? `(${c.state.reason})` : ""}`;
    case "running":
      return `${c.name}=running`;
    case "terminated":
      return `${c.name}=terminated(exit ${c.state.exitCode}${c.state.reason ? `, ${c.state.reason}` : ""})`;
    default:
      return `${c.name}=unknown`;
  }
}

/** One line describing the pod; the run reports it whenever it changes. */
export function describePod(pod: PodSnapshot): string {
  const parts = [`phase=${pod.phase}`];
  if (pod.initContainers.length) parts.push(`init[${pod.initContainers.map(describeContainer).join(", ")}]`);
  if (pod.containers.length) parts.push(pod.containers.map(describeContainer).join(", "));
  const scheduled = pod.conditions.find((c) => c.type === "PodScheduled" && c.status === "False");
  if (scheduled?.reason) parts.push(`scheduling=${scheduled.reason}`);
  if (pod.reason) parts.push(`reason=${pod.reason}`);
  return parts.join(" ");
}
