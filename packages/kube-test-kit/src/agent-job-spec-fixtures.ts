import type { AgentJobSpec } from "@clipjob/core";
import { plannedJobSpec } from "./planned-job-spec.js";

// Two specs that bracket what the renderer must handle: the planner's spec for a minimal run (default
// config, no host facts — from core's planAgentJob, so a change to the planned spec shows in the goldens),
// and a hand-written spec with every knob the AgentJobSpec type admits on, including some the planner never
// sets (envFrom, secret env, field refs).

export const minimalSpec: AgentJobSpec = plannedJobSpec({
  namespace: "agents",
  name: "claude-run-a1b2c3",
  image: "ghcr.io/example/paperclip:1.0.0",
});

export const fullSpec: AgentJobSpec = {
  ref: { namespace: "agents", name: "claude-run-d4e5f6" },
  labels: {
    "app.kubernetes.io/managed-by": "clipjob",
    "paperclip.io/adapter-type": "claude_k8s",
    "paperclip.io/agent-id": "agent-2",
    "paperclip.io/run-id": "run-2",
    "paperclip.io/task-id": "task-9",
  },
  annotations: { "paperclip.io/agent-name": "Ada (reviewer)" },
  image: "ghcr.io/example/paperclip@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  imagePullPolicy: "Always",
  imagePullSecrets: ["ghcr-pull"],
  serviceAccountName: "paperclip-agent",
  automountServiceAccountToken: true,
  command: ["/usr/local/bin/run-claude", "--model", "claude-sonnet-4-5"],
  claudeArgs: ["--print", "-", "--model", "claude-sonnet-4-5"],
  workingDir: "/paperclip/workspaces/task-9",
  env: [
    { name: "HOME", source: { kind: "literal", value: "/paperclip" } },
    { name: "ANTHROPIC_API_KEY", source: { kind: "secretKey", secretName: "anthropic", key: "api-key" } },
    { name: "OPTIONAL_TOKEN", source: { kind: "secretKey", secretName: "extras", key: "token", optional: true } },
    { name: "FEATURE_FLAGS", source: { kind: "configMapKey", configMapName: "paperclip-flags", key: "flags", optional: false } },
    { name: "POD_NAME", source: { kind: "field", fieldPath: "metadata.name" } },
    { name: "PAPERCLIP_API_KEY", source: { kind: "payload", key: "run-token" } },
  ],
  envFrom: [
    { kind: "secret", name: "bedrock-creds", optional: true },
    { kind: "configMap", name: "paperclip-env", prefix: "PC_" },
  ],
  payload: { prompt: "Wake reason: comment\n\nComment: héllo — 日本語 \u0000 end", runToken: "eyJhbGciOi.run.token" },
  resources: { requests: { cpu: "1000m", memory: "2Gi" }, limits: { cpu: "4000m", memory: "8Gi", "ephemeral-storage": "10Gi" } },
  nodeSelector: { "kubernetes.io/arch": "arm64" },
  tolerations: [{ key: "dedicated", operator: "Equal", value: "agents", effect: "NoSchedule" }],
  dnsConfig: { nameservers: ["10.0.0.10"], searches: ["svc.cluster.local"], options: [{ name: "ndots", value: "2" }] },
  volumes: [
    { kind: "pvc", name: "data", claimName: "paperclip-data", mountPath: "/paperclip" },
    { kind: "secret", name: "gcloud", secretName: "gcloud-key", mountPath: "/etc/gcloud", defaultMode: 0o400, optional: true },
    { kind: "emptyDir", name: "scratch", mountPath: "/tmp", sizeLimit: "1Gi" },
  ],
  podSecurity: { runAsUser: 1001, runAsGroup: 1002, fsGroup: 1003, runAsNonRoot: true },
  activeDeadlineSeconds: 3600,
  ttlSecondsAfterFinished: 300,
  terminationGracePeriodSeconds: 45,
};

export const searchOnlyDnsSpec: AgentJobSpec = {
  ...minimalSpec,
  dnsConfig: { searches: ["paperclip.svc.cluster.local"], options: [{ name: "ndots", value: "1" }] },
};
