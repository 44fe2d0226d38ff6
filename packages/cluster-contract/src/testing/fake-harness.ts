import { PAYLOAD_MOUNT_PATH, type AgentJobSpec } from "@clipjob/core";
import { FakeCluster, INIT_CONTAINERS_ANNOTATION, SCRIPT_ENV, simImage, type ScriptBehaviour } from "@clipjob/fake-cluster";
import type { ContainerBehaviour, ContractCapabilities, ContractDriver, ContractHarness } from "../contract-harness.js";

export const FAKE_CAPABILITIES: ContractCapabilities = { expireWatches: true, initContainers: true };

/** The contract's driver on the fake cluster: behaviours become the `script` sim program's SIM_SCRIPT. */
export async function fakeHarness(): Promise<ContractHarness> {
  const fake = new FakeCluster({ seed: 7 });
  const namespace = fake.namespace;

  const baseSpec = (name: string): AgentJobSpec => {
    const claudeArgs = ["--print", "-", "--output-format", "stream-json", "--verbose"];
    return {
      ref: { namespace, name },
      labels: { "app.kubernetes.io/managed-by": "clipjob" },
      annotations: {},
      image: simImage("script"),
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
  };

  const driver: ContractDriver = {
    baseSpec,
    async specFor(name: string, b: ContainerBehaviour, overrides: Partial<AgentJobSpec> = {}): Promise<AgentJobSpec> {
      const base = baseSpec(name);
      const script: ScriptBehaviour = {
        lines: b.lines ?? [],
        stderrLines: b.stderrLines ?? [],
        exitCode: b.exitCode ?? 0,
        runMs: b.runMs ?? 1000,
        ...(b.oom ? { allocateBytes: 4 * 1024 ** 3 } : {}),
      };
      return {
        ...base,
        image: b.imagePullFails ? simImage("no-such-program") : base.image,
        nodeSelector: b.unschedulable ? { "clipjob.dev/no-such-node": "true" } : base.nodeSelector,
        annotations: b.initFails ? { [INIT_CONTAINERS_ANNOTATION]: JSON.stringify([{ name: "setup", exitCode: b.initFails.exitCode }]) } : base.annotations,
        env: [
          { name: SCRIPT_ENV, source: { kind: "literal", value: JSON.stringify(script) } },
          ...(b.missingSecret ? [{ name: "API_KEY", source: { kind: "secretKey" as const, secretName: `${name}-absent`, key: "key" } }] : []),
        ],
        ...overrides,
      };
    },
    deletePodLikeEviction: (pod) => fake.evictPod(pod.name, "api", pod.namespace),
    createSecret: async (name, data) => fake.addSecret(name, data),
    createClaim: async (name, modes) => fake.addPvc(name, modes),
    expireWatches: async () => fake.faults.expireWatches(),
  };

  return {
    cluster: fake.cluster,
    logs: fake.logs,
    access: fake.access,
    clock: fake.clock,
    namespace,
    driver,
    capabilities: FAKE_CAPABILITIES,
    cleanup: async () => fake.dispose(),
  };
}
