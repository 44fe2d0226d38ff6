// Runs of the real `claude` on the real node: requests whose agent pod talks to the scripted Anthropic API
// (a standalone process on the node IP, scenarios defined per test over HTTP), and a recorder of
// everything a run reports. Shared by the real-node suites.
import { chmodSync, chownSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { AgentLocks, runAgentJob, type HostPort, type RunOptions, type RunOutcome, type RunRequest } from "@clipjob/core";
import { KubeHostAdapter, loadKubeConfig } from "@clipjob/k8s-infra";
import type { KubeHarness } from "./kube-contract-harness.js";
import type { RealNode } from "./e2e-real-node.js";

/** A scenario turn as the scripted API takes it (JSON; see packages/scripted-anthropic-api). */
export type ScriptedTurn = Readonly<Record<string, unknown>>;

export interface TurnUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens?: number;
  readonly cache_read_input_tokens?: number;
}

export const textTurn = (text: string, usage?: TurnUsage): ScriptedTurn => ({ kind: "reply", content: [{ type: "text", text }], ...(usage ? { usage } : {}) });
export const bashTurn = (command: string, usage?: TurnUsage): ScriptedTurn => ({
  kind: "reply",
  content: [{ type: "tool_use", name: "Bash", input: { command, description: "Run a command" } }],
  ...(usage ? { usage } : {}),
});
export const errorTurn = (status: number, message: string, headers?: Readonly<Record<string, string>>): ScriptedTurn => ({ kind: "error", status, message, ...(headers ? { headers } : {}) });

/** Env that keeps the CLI to the Messages API only, with bounded retries. */
export const QUIET_CLAUDE_ENV: Readonly<Record<string, string>> = {
  DISABLE_TELEMETRY: "1",
  DISABLE_ERROR_REPORTING: "1",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  DISABLE_AUTOUPDATER: "1",
  CLAUDE_CODE_MAX_RETRIES: "2",
};

export interface RecordedRequest {
  readonly url: string;
  readonly scenario: string | null;
  readonly body: unknown;
  readonly position?: number;
  readonly attempt?: number;
  readonly response?: number | "dropped";
}

export class ScriptedApi {
  constructor(readonly url: string) {}

  scenarioUrl(name: string): string {
    return `${this.url}/s/${encodeURIComponent(name)}`;
  }

  async define(name: string, turns: readonly (ScriptedTurn | readonly ScriptedTurn[])[]): Promise<string> {
    const res = await fetch(`${this.url}/_scenarios/${encodeURIComponent(name)}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ turns }),
    });
    if (!res.ok) throw new Error(`scripted API rejected scenario ${name}: ${res.status} ${await res.text()}`);
    return name;
  }

  /**
   * A bash snippet (for a Bash tool call in the pod) that waits until the test opens gate `name`: it asks
   * the scripted API for its scenario list over bash's /dev/tcp until `name` is among them. This orders a
   * pod's progress after an event of the test without any timing.
   */
  gateCommand(name: string): string {
    const { hostname, port } = new URL(this.url);
    const probe = `exec 3<>/dev/tcp/${hostname}/${port} && printf 'GET /_scenarios HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '"${name}"' <&3`;
    return `until (${probe}) 2>/dev/null; do sleep 0.2; done`;
  }

  /** Opens gate `name` (see gateCommand). */
  async openGate(name: string): Promise<void> {
    await this.define(name, [{ kind: "reply", content: [{ type: "text", text: "gate" }] }]);
  }

  async requests(scenario: string): Promise<RecordedRequest[]> {
    const res = await fetch(`${this.url}/_requests?scenario=${encodeURIComponent(scenario)}`);
    return (await res.json()) as RecordedRequest[];
  }
}

export interface Seen {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly notices: string[];
  readonly jobs: string[];
}

export interface StartedRun {
  readonly done: Promise<RunOutcome>;
  readonly seen: Seen;
  /** The Job's name, once submitted or adopted. */
  readonly job: Promise<string>;
  /** Resolves with the first stdout line `test` accepts (event-driven: no polling, no sleeps). */
  line(test: (line: string) => boolean, what: string): Promise<string>;
}

/** Parsed stream-json lines of a transcript (non-JSON lines skipped). */
export function events(lines: readonly string[]): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const l of lines) {
    try {
      const v = JSON.parse(l) as unknown;
      if (v && typeof v === "object") out.push(v as Record<string, any>);
    } catch {
      /* not an event */
    }
  }
  return out;
}

export function startRun(h: KubeHarness, world: RealNode, req: RunRequest, options: Omit<RunOptions, "observer"> = {}, host: HostPort = h.host, locks = new AgentLocks()): StartedRun {
  const seen: Seen = { stdout: [], stderr: [], notices: [], jobs: [] };
  let named!: (name: string) => void;
  const job = new Promise<string>((resolve) => (named = resolve));
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  const done = runAgentJob(
    { cluster: h.cluster, logs: h.logs, host, leases: h.leases, clock: h.clock, defaultNamespace: world.namespace, locks },
    req,
    {
      ...options,
      observer: {
        onJob: (ref) => {
          seen.jobs.push(ref.name);
          named(ref.name);
        },
        onLine: (stream, l) => {
          (stream === "stdout" ? seen.stdout : seen.stderr).push(l);
          if (stream !== "stdout") return;
          for (const w of [...waiters]) if (w.test(l)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(l); }
        },
        onProgress: (e) => void (e.type === "notice" && seen.notices.push(e.message)),
      },
    },
  );
  const line = (test: (l: string) => boolean, what: string) => {
    const hit = seen.stdout.find(test);
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise<string>((resolve, reject) => {
      waiters.push({ test, resolve });
      // The run ending first means the line will never come: fail with what was seen instead of hanging.
      void done.then((o) => reject(new Error(`run ended (${o.status} ${o.errorCode ?? ""}: ${o.errorMessage ?? ""}) before ${what}; stdout:\n${seen.stdout.slice(-10).join("\n")}`)));
    });
  };
  return { done, seen, job, line };
}

export interface SharedWorkspace {
  /** A host adapter that believes it runs in the host pod (so Jobs inherit its claim), and sees `dir` as its /paperclip. */
  readonly host: HostPort;
  /** The hostPath directory behind the claim, on this machine. */
  readonly dir: string;
  readonly claim: string;
  cleanup(): Promise<void>;
}

let workspaces = 0;

/**
 * Shares a hostPath directory (owned by `owner.uid`, mode `owner.mode`) as an RWX PersistentVolume and claim,
 * mounted at /paperclip by a Paperclip-like host pod on the real node. hostPath gets no fsGroup, like NFS.
 */
export async function sharedWorkspace(world: RealNode, owner: { uid: number; mode: number }): Promise<SharedWorkspace> {
  const name = `ws-${Date.now().toString(36)}-${++workspaces}`;
  const dir = join(world.sharedDir, name);
  mkdirSync(dir);
  chownSync(dir, owner.uid, owner.uid);
  chmodSync(dir, owner.mode);
  await world.admin.post("/api/v1/persistentvolumes", {
    apiVersion: "v1", kind: "PersistentVolume", metadata: { name },
    spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteMany"], persistentVolumeReclaimPolicy: "Retain", storageClassName: "", hostPath: { path: dir, type: "Directory" } },
  });
  await world.admin.post(`/api/v1/namespaces/${world.namespace}/persistentvolumeclaims`, {
    apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name },
    spec: { accessModes: ["ReadWriteMany"], storageClassName: "", volumeName: name, resources: { requests: { storage: "1Gi" } } },
  });
  const hostPod = `paperclip-${name}`;
  await world.admin.post(`/api/v1/namespaces/${world.namespace}/pods`, {
    apiVersion: "v1", kind: "Pod", metadata: { name: hostPod },
    spec: {
      containers: [{ name: "paperclip", image: world.agentImage, imagePullPolicy: "Never", command: ["sleep", "3600"], volumeMounts: [{ name: "paperclip", mountPath: "/paperclip" }] }],
      volumes: [{ name: "paperclip", persistentVolumeClaim: { claimName: name } }],
      terminationGracePeriodSeconds: 0,
    },
  });
  const kc = loadKubeConfig({ kubeconfigPath: world.kubeconfigAdapter });
  if (!kc.ok) throw new Error(kc.error.message);
  const host = new KubeHostAdapter(kc.value, {
    cache: new Map(),
    host: {
      env: { HOSTNAME: hostPod, KUBERNETES_SERVICE_HOST: "10.0.0.1", POD_NAMESPACE: world.namespace },
      serviceAccountNamespace: () => undefined,
      // The host pod's /paperclip is this directory: what the host process would stat in its own container.
      statDirectory: (path) => {
        if (path !== "/paperclip") return undefined;
        const st = statSync(dir);
        return { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 };
      },
    },
  });
  const cleanup = async () => {
    await world.admin.delete(`/api/v1/namespaces/${world.namespace}/pods/${hostPod}`, undefined, { gracePeriodSeconds: "0" });
  };
  return { host, dir, claim: name, cleanup };
}
