// The contract driver for the e2e control plane: kwok Stages play the kubelet's pod lifecycle (exit code
// and run time come from the container env), and the kubelet simulator serves the log file this driver
// writes for the Job. The few kubelet outcomes kwok has no Stage for (image pull and container config
// errors) are reported the way a kubelet would: the admin client patches the pod's status.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AgentJobSpec, EnvVar, ObjectRef } from "@clipjob/core";
import { contractBaseSpec, type ContainerBehaviour, type ContractDriver } from "@clipjob/cluster-contract";
import type { AdminClient } from "./e2e-control-plane.js";

export interface KwokDriverOptions {
  readonly namespace: string;
  /** The kubelet simulator's log root (`cp.logsDir`). */
  readonly logsDir: string;
  readonly admin: AdminClient;
}

const AGENT_CONTAINER = "claude";
/** Long enough that kwok never starts the container while a case watches its waiting state. */
const HELD_PENDING = "1h";

/** The kubelet's timestamp layout: UTC, always nine fractional digits. */
function kubeletTimestamp(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}.${String(epochMs % 1000).padStart(3, "0")}000000Z`;
}

/** kubelet-sim's per-Job log file: every container of the Job's pods reads it. */
export function jobLogFile(logsDir: string, namespace: string, jobName: string): string {
  return join(logsDir, namespace, `job-${jobName}.log`);
}

/**
 * Writes stdout and stderr lines into the Job's log file as a running process would: each at its moment
 * (spread evenly over runMs), stamped with the time it was written. Lines falling in the same millisecond
 * are written together and share a timestamp, like a burst the kubelet reads in one go.
 */
function scheduleLog(file: string, behaviour: ContainerBehaviour, runMs: number): void {
  const spread = (lines: readonly string[]) => lines.map((text, i) => ({ text, at: Math.floor((i * runMs) / lines.length) }));
  const timeline = [...spread(behaviour.lines ?? []), ...spread(behaviour.stderrLines ?? [])].sort((a, b) => a.at - b.at);
  if (timeline.length === 0) return;
  mkdirSync(dirname(file), { recursive: true });
  const byMoment = new Map<number, string[]>();
  for (const { text, at } of timeline) byMoment.set(at, [...(byMoment.get(at) ?? []), text]);
  const write = (texts: readonly string[]) => {
    const stamp = kubeletTimestamp(Date.now());
    appendFileSync(file, texts.map((t) => `${stamp} ${t}\n`).join(""));
  };
  for (const [at, texts] of byMoment) {
    if (at === 0) write(texts);
    // unref: a case that ends early must not keep the worker alive for the rest of a long run.
    else setTimeout(() => write(texts), at).unref();
  }
}

export function createKwokDriver(opts: KwokDriverOptions): ContractDriver {
  const { namespace, admin } = opts;
  const podsPath = `/api/v1/namespaces/${namespace}/pods`;

  const baseSpec = (name: string): AgentJobSpec => contractBaseSpec(namespace, name, "ghcr.io/example/paperclip:contract");

  /** Waits for the Job's scheduled pod, then reports each waiting state in turn as its kubelet would. */
  const reportWaiting = async (jobName: string, states: readonly { reason: string; message: string }[]) => {
    const deadline = Date.now() + 60_000;
    let pod: { metadata: { name: string } } | undefined;
    while (!pod && Date.now() < deadline) {
      const list = await admin.get(podsPath, { labelSelector: `batch.kubernetes.io/job-name=${jobName}` });
      pod = list.items.find((p: { spec: { nodeName?: string } }) => p.spec.nodeName);
      if (!pod) await new Promise((r) => setTimeout(r, 200));
    }
    if (!pod) return;
    for (const waiting of states) {
      const containerStatuses = [{ name: AGENT_CONTAINER, image: "ghcr.io/example/paperclip:contract", imageID: "", ready: false, started: false, restartCount: 0, state: { waiting } }];
      await admin.patch(`${podsPath}/${pod.metadata.name}/status`, { status: { containerStatuses } }, "merge");
      await new Promise((r) => setTimeout(r, 1_000));
    }
  };

  return {
    baseSpec,
    async specFor(name: string, b: ContainerBehaviour, overrides: Partial<AgentJobSpec> = {}): Promise<AgentJobSpec> {
      const base = baseSpec(name);
      const runMs = b.runMs ?? 1000;
      const sim = (n: string, value: string): EnvVar => ({ name: `CLIPJOB_SIM_${n}`, source: { kind: "literal", value } });
      const missingSecretName = `${name}-absent`;
      const env: EnvVar[] =
        b.imagePullFails || b.missingSecret
          ? [sim("START_DELAY", HELD_PENDING)]
          : [sim("EXIT_CODE", String(b.oom ? 137 : (b.exitCode ?? 0))), sim("RUN_FOR", `${runMs}ms`), ...(b.oom ? [sim("REASON", "OOMKilled")] : [])];
      if (b.missingSecret) env.push({ name: "API_KEY", source: { kind: "secretKey", secretName: missingSecretName, key: "key" } });
      if (b.initFails) throw new Error("kwok driver: AgentJobSpec has no init containers");

      scheduleLog(jobLogFile(opts.logsDir, namespace, name), b, runMs);
      if (b.imagePullFails) {
        const message = `Back-off pulling image "${base.image}"`;
        void reportWaiting(name, [
          { reason: "ErrImagePull", message: `failed to pull and unpack image "${base.image}": not found` },
          { reason: "ImagePullBackOff", message },
        ]);
      }
      if (b.missingSecret) void reportWaiting(name, [{ reason: "CreateContainerConfigError", message: `secret "${missingSecretName}" not found` }]);

      return {
        ...base,
        nodeSelector: b.unschedulable ? { "clipjob.dev/no-such-node": "true" } : base.nodeSelector,
        env,
        ...overrides,
      };
    },
    async deletePodLikeEviction(pod: ObjectRef): Promise<void> {
      await admin.post(`/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/eviction`, {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name: pod.name, namespace: pod.namespace },
      });
    },
    async createSecret(name: string, data: Readonly<Record<string, string>>): Promise<void> {
      const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
      await admin.post(`/api/v1/namespaces/${namespace}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name }, data: encoded });
    },
    async createClaim(name: string, accessModes: readonly string[]): Promise<void> {
      await admin.post(`/api/v1/namespaces/${namespace}/persistentvolumeclaims`, {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name },
        spec: { accessModes, resources: { requests: { storage: "1Gi" } } },
      });
    },
  };
}
