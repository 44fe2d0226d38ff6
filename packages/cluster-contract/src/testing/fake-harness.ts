import type { AgentJobSpec } from "@clipjob/core";
import { FakeCluster, INIT_CONTAINERS_ANNOTATION, SCRIPT_ENV, simImage, type ScriptBehaviour } from "@clipjob/fake-cluster";
import { contractBaseSpec } from "@clipjob/kube-test-kit/planned-job-spec";
import type { ContainerBehaviour, ContractCapabilities, ContractDriver, ContractHarness } from "../contract-harness.js";

export const FAKE_CAPABILITIES: ContractCapabilities = { expireWatches: true, initContainers: true };

/** The contract's driver on the fake cluster: behaviours become the `script` sim program's SIM_SCRIPT. */
export async function fakeHarness(): Promise<ContractHarness> {
  const fake = new FakeCluster({ seed: 7 });
  const namespace = fake.namespace;

  const baseSpec = (name: string): AgentJobSpec => contractBaseSpec(namespace, name, simImage("script"));

  const driver: ContractDriver = {
    baseSpec,
    async specFor(name: string, b: ContainerBehaviour, overrides: Partial<AgentJobSpec> = {}): Promise<AgentJobSpec> {
      const base = baseSpec(name);
      const script: ScriptBehaviour = {
        lines: b.lines ?? [],
        stderrLines: b.stderrLines ?? [],
        writes: b.writes ?? [],
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
    leases: fake.leases,
    clock: fake.clock,
    namespace,
    driver,
    capabilities: FAKE_CAPABILITIES,
    cleanup: async () => fake.dispose(),
  };
}
