// The contract driver for a real node (kubelet + containerd + runc): nothing is simulated. Each behaviour
// becomes a bash script in the agent image, delivered as the payload Secret's `prompt` file and run as the
// container's command: it writes the lines to stdout/stderr at their moments, then exits with the code,
// or exceeds a small memory limit (the kernel's OOM killer). Pull failures use an image no registry serves
// (the namespace has no route out), a missing Secret is really missing, eviction goes through the API.
import { PAYLOAD_MOUNT_PATH, type AgentJobSpec, type EnvVar, type ObjectRef } from "@clipjob/core";
import { type ContainerBehaviour, type ContractDriver } from "@clipjob/cluster-contract";
import { contractBaseSpec } from "@clipjob/kube-test-kit/planned-job-spec";
import { contractClusterActions } from "./contract-cluster-actions.js";
import type { AdminClient } from "./e2e-control-plane.js";

export interface RealNodeDriverOptions {
  readonly namespace: string;
  /** An image present on the node, with bash and coreutils (the agent image). */
  readonly image: string;
  readonly admin: AdminClient;
}

/** An image reference no registry serves: the kubelet's pull fails (ErrImagePull, then ImagePullBackOff). */
export const UNPULLABLE_IMAGE = "registry.invalid/clipjob/absent:1";
/** The memory limit an OOM behaviour runs under; the script then allocates without bound. */
export const OOM_LIMIT = "32Mi";

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A bash script that writes `lines` (stdout) and `stderrLines` (stderr) spread evenly over `runMs`, lines
 * falling in the same millisecond in one write, and the raw `writes` at their moments (newlines only where
 * their data has them: a line in pieces); then exits with `exitCode` (or allocates memory until the OOM
 * killer ends it, with `oom`).
 */
export function behaviourScript(b: ContainerBehaviour): string {
  const runMs = b.runMs ?? 1000;
  type Write = { at: number; fd: 1 | 2; text: string; raw: boolean };
  const spread = (lines: readonly string[], fd: 1 | 2): Write[] => lines.map((text, i) => ({ text, fd, raw: false, at: Math.floor((i * runMs) / lines.length) }));
  const raw: Write[] = (b.writes ?? []).map((w) => ({ at: w.atMs, fd: w.stream === "stderr" ? 2 : 1, text: w.data, raw: true }));
  // A stable sort keeps the given order of writes at the same moment.
  const timeline = [...spread(b.lines ?? [], 1), ...spread(b.stderrLines ?? [], 2), ...raw].sort((x, y) => x.at - y.at);
  const out: string[] = ["set -u"];
  let now = 0;
  const sleepUntil = (at: number) => {
    if (at > now) out.push(`sleep ${((at - now) / 1000).toFixed(3)}`);
    now = Math.max(now, at);
  };
  const redirect = (fd: 1 | 2) => (fd === 2 ? " >&2" : "");
  for (let i = 0; i < timeline.length; ) {
    const first = timeline[i]!;
    sleepUntil(first.at);
    if (first.raw) {
      out.push(`printf '%s' ${quote(first.text)}${redirect(first.fd)}`);
      i++;
      continue;
    }
    const group: string[] = [];
    while (i < timeline.length && !timeline[i]!.raw && timeline[i]!.at === first.at && timeline[i]!.fd === first.fd) group.push(timeline[i++]!.text);
    out.push(`printf '%s\\n' ${group.map(quote).join(" ")}${redirect(first.fd)}`);
  }
  sleepUntil(runMs);
  // `tail` keeps the longest line it has seen; /dev/zero has none, so it grows until the memory limit.
  out.push(b.oom ? "exec tail /dev/zero" : `exit ${b.exitCode ?? 0}`);
  return `${out.join("\n")}\n`;
}

export function createRealNodeDriver(opts: RealNodeDriverOptions): ContractDriver {
  const { namespace, admin } = opts;
  const baseSpec = (name: string): AgentJobSpec => contractBaseSpec(namespace, name, opts.image);

  return {
    baseSpec,
    async specFor(name: string, b: ContainerBehaviour, overrides: Partial<AgentJobSpec> = {}): Promise<AgentJobSpec> {
      if (b.initFails) throw new Error("real node driver: AgentJobSpec has no init containers");
      const base = baseSpec(name);
      const missingSecretName = `${name}-absent`;
      const env: EnvVar[] = b.missingSecret ? [{ name: "API_KEY", source: { kind: "secretKey", secretName: missingSecretName, key: "key" } }] : [];
      return {
        ...base,
        image: b.imagePullFails ? UNPULLABLE_IMAGE : base.image,
        command: ["bash", `${PAYLOAD_MOUNT_PATH}/prompt`],
        payload: { prompt: behaviourScript(b) },
        env,
        resources: b.oom ? { requests: { cpu: "100m", memory: OOM_LIMIT }, limits: { memory: OOM_LIMIT } } : base.resources,
        nodeSelector: b.unschedulable ? { "clipjob.dev/no-such-node": "true" } : base.nodeSelector,
        ...overrides,
      };
    },
    ...contractClusterActions(admin, namespace),
  };
}
