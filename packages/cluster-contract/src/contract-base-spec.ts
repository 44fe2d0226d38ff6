import { PAYLOAD_MOUNT_PATH, type AgentJobSpec } from "@clipjob/core";

/**
 * The smallest valid agent Job every driver starts from: one `claude` container reading the payload
 * prompt on stdin, the security defaults, modest resources. Drivers add what makes their containers behave.
 */
export function contractBaseSpec(namespace: string, name: string, image: string): AgentJobSpec {
  const claudeArgs = ["--print", "-", "--output-format", "stream-json", "--verbose"];
  return {
    ref: { namespace, name },
    labels: { "app.kubernetes.io/managed-by": "clipjob" },
    annotations: {},
    image,
    imagePullPolicy: "IfNotPresent",
    imagePullSecrets: [],
    automountServiceAccountToken: false,
    command: ["sh", "-c", `exec "$0" "$@" < ${PAYLOAD_MOUNT_PATH}/prompt`, "claude", ...claudeArgs],
    claudeArgs,
    workingDir: "/paperclip",
    env: [],
    envFrom: [],
    payload: { prompt: "contract" },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "1Gi" } },
    nodeSelector: {},
    tolerations: [],
    volumes: [],
    podSecurity: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true },
    terminationGracePeriodSeconds: 5,
  };
}
