// Kubernetes objects as the API server returns them, for the adapter's tests.

export const NS = "agents";

export function job(name: string, labels: Record<string, string> = {}) {
  return { apiVersion: "batch/v1", kind: "Job", metadata: { name, namespace: NS, labels }, spec: { suspend: false } };
}

export function pod(name: string, jobName: string, phase = "Pending") {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS, labels: { "job-name": jobName, "batch.kubernetes.io/job-name": jobName } }, spec: { containers: [{ name: "claude" }] }, status: { phase } };
}
