// The contract driver for the e2e control plane: kwok Stages play the kubelet's pod lifecycle (exit code
// and run time come from the container env), and the kubelet simulator serves the log file this driver
// writes for the Job. The few kubelet outcomes kwok has no Stage for (image pull and container config
// errors) are reported the way a kubelet would: the admin client patches the pod's status.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AgentJobSpec, EnvVar, ObjectRef } from "@clipjob/core";
import { type ContainerBehaviour, type ContractDriver } from "@clipjob/cluster-contract";
import { contractBaseSpec } from "@clipjob/kube-test-kit/planned-job-spec";
import { contractClusterActions } from "./contract-cluster-actions.js";
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

/** containerd's max_container_log_line_size: a longer line is stored as partial records of this many bytes. */
const CRI_MAX_RECORD_BYTES = 16 * 1024;
/** containerd reads the pipe through a buffer of this size: of an unfinished line it sees only whole buffers. */
const CRI_READ_BUFFER_BYTES = 4 * 1024;

/**
 * What containerd does with a container's output: per stream, each completed line becomes CRI records
 * (`<time> <stream> P|F <content>`) stamped when written; a line over 16 KiB is cut into `P` records (the
 * fake cuts on a character boundary, the kubelet joins them either way); an unfinished line is held until
 * its newline, except whole 16 KiB pieces once containerd has read more than 16 KiB of it in 4 KiB reads,
 * written as `P` at once (measured on the real node: a 17 000-byte piece makes none, a 20 480-byte one does).
 */
function criLogWriter(file: string): (stream: "stdout" | "stderr", data: string) => void {
  const pending = { stdout: "", stderr: "" };
  return (stream, data) => {
    const stamp = kubeletTimestamp(Date.now());
    let out = "";
    const records = (text: string, open: boolean): string => {
      let rest = text;
      const readable = () => (open ? Math.floor(Buffer.byteLength(rest) / CRI_READ_BUFFER_BYTES) * CRI_READ_BUFFER_BYTES : Buffer.byteLength(rest));
      while (readable() > CRI_MAX_RECORD_BYTES) {
        let cut = Buffer.from(rest).subarray(0, CRI_MAX_RECORD_BYTES).toString("utf8").replace(/\uFFFD$/, "").length;
        if (cut === 0) cut = 1;
        out += `${stamp} ${stream} P ${rest.slice(0, cut)}\n`;
        rest = rest.slice(cut);
      }
      if (open) return rest;
      out += `${stamp} ${stream} F ${rest}\n`;
      return "";
    };
    let buffered = pending[stream] + data;
    for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
      records(buffered.slice(0, nl), false);
      buffered = buffered.slice(nl + 1);
    }
    pending[stream] = records(buffered, true);
    if (out !== "") appendFileSync(file, out);
  };
}

/**
 * Writes stdout and stderr into the Job's log file as a running process would: lines each at its moment
 * (spread evenly over runMs), raw writes at theirs, as CRI records stamped with the time they were written.
 * Lines falling in the same millisecond are written together, like a burst the runtime reads in one go.
 */
function scheduleLog(file: string, behaviour: ContainerBehaviour, runMs: number): void {
  const spread = (lines: readonly string[], stream: "stdout" | "stderr") =>
    lines.map((text, i) => ({ stream, data: `${text}\n`, at: Math.floor((i * runMs) / lines.length) }));
  const raw = (behaviour.writes ?? []).map((w) => ({ stream: w.stream ?? ("stdout" as const), data: w.data, at: w.atMs }));
  const timeline = [...spread(behaviour.lines ?? [], "stdout"), ...spread(behaviour.stderrLines ?? [], "stderr"), ...raw].sort((a, b) => a.at - b.at);
  if (timeline.length === 0) return;
  mkdirSync(dirname(file), { recursive: true });
  const write = criLogWriter(file);
  const byMoment = new Map<number, { stream: "stdout" | "stderr"; data: string }[]>();
  for (const w of timeline) byMoment.set(w.at, [...(byMoment.get(w.at) ?? []), w]);
  const flush = (writes: readonly { stream: "stdout" | "stderr"; data: string }[]) => {
    for (const w of writes) write(w.stream, w.data);
  };
  for (const [at, writes] of byMoment) {
    if (at === 0) flush(writes);
    // unref: a case that ends early must not keep the worker alive for the rest of a long run.
    else setTimeout(() => flush(writes), at).unref();
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
    ...contractClusterActions(admin, namespace),
  };
}
