import type { EnvSource, Resources, Toleration } from "../job/spec-values.js";
import type { SimulatedScenario } from "./simulated-scenarios.js";

/**
 * adapterConfig after validation and legacy-key normalisation (see `config-schema.ts`, the single source
 * of types, defaults and docs). Everything downstream reads this, never the raw object.
 */
export interface ClipjobConfig {
  // Claude
  readonly model: string | null;
  readonly effort: string | null;
  /** 0 = unlimited. */
  readonly maxTurnsPerRun: number;
  readonly dangerouslySkipPermissions: boolean;
  readonly instructionsFilePath: string | null;
  readonly extraArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /**
   * `config.env` entries given as `{ secretKeyRef: { name, key } }`: reach the pod by reference only.
   * Optional so configs built by hand stay valid; `parseConfig` always sets it.
   */
  readonly envSecretRefs?: Readonly<Record<string, Extract<EnvSource, { kind: "secretKey" }>>>;
  readonly promptTemplate: string;
  readonly bootstrapPromptTemplate: string;
  readonly cwd: string | null;
  /** The Claude executable inside the agent image (a name on its PATH or an absolute path); `claude` by default. */
  readonly command: string;
  // Cluster
  /** Which cluster binding the composition root uses: a real API server or the embedded simulation. */
  readonly cluster: "kubernetes" | "simulated";
  /** Scripted Claude behaviour when `cluster` is `simulated`. */
  readonly simulatedScenario: SimulatedScenario;
  readonly namespace: string | null;
  readonly image: string | null;
  readonly imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  readonly kubeconfig: string | null;
  readonly kubeContext: string | null;
  readonly serviceAccountName: string | null;
  readonly automountServiceAccountToken: boolean;
  readonly resources: Resources;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly labels: Readonly<Record<string, string>>;
  /** Names of host env vars (beyond the built-in allowlist) that agent pods inherit. */
  readonly inheritEnv: readonly string[];
  readonly secretRef: string;
  // Lifecycle
  readonly ttlSecondsAfterFinished: number;
  readonly retainJobs: boolean;
  readonly reattachOrphanedJobs: boolean;
  /** 0 = no deadline. */
  readonly timeoutSec: number;
  readonly graceSec: number;
  /** How long a run waits for its pod to start before giving up (fatal states end it at once). */
  readonly startTimeoutSec: number;
  /** How long the cluster may stay unreachable before the run reports `k8s_outcome_unknown`. */
  readonly apiUnreachableSec: number;
  readonly keepaliveSec: number;
}
