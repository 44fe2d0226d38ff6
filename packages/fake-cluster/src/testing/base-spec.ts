import { PAYLOAD_MOUNT_PATH, type AgentJobSpec } from "@clipjob/core";
import { simImage } from "../programs/program.js";

/** A minimal valid AgentJobSpec the way the planner renders one, running the given sim program. */
export function baseSpec(name: string, program = "success", overrides: Partial<AgentJobSpec> = {}): AgentJobSpec {
  const claudeArgs = ["--print", "-", "--output-format", "stream-json", "--verbose"];
  return {
    ref: { namespace: "clipjob", name },
    labels: { "app.kubernetes.io/managed-by": "clipjob", "clipjob.dev/agent": "agent-1" },
    annotations: {},
    image: simImage(program),
    imagePullPolicy: "IfNotPresent",
    imagePullSecrets: [],
    automountServiceAccountToken: false,
    command: ["sh", "-c", `exec "$0" "$@" < ${PAYLOAD_MOUNT_PATH}/prompt`, "claude", ...claudeArgs],
    claudeArgs,
    workingDir: "/paperclip",
    env: [{ name: "PAPERCLIP_RUN_ID", source: { kind: "literal", value: "run-1" } }],
    envFrom: [],
    payload: { prompt: "Fix the failing test in src/app.ts" },
    resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "2Gi" } },
    nodeSelector: {},
    tolerations: [],
    volumes: [],
    podSecurity: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true },
    terminationGracePeriodSeconds: 30,
    ...overrides,
  };
}
