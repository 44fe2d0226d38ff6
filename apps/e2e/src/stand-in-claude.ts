// A stand-in for claude on the real node, for cases whose behaviour under test is the kubelet's and
// containerd's (how they store and serve log records), not claude's: a bash script on the workspace volume
// every Job of the kit's host inherits at /paperclip, writing stream-json lines exactly as the case needs them
// and waiting for gates the test opens (ScriptedApi.gateCommand). The test reads the container's CRI log file
// on the node to see which records a step made before it opens the next gate.
import { chmodSync, chownSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunRequest } from "@clipjob/core";
import { eventually } from "@clipjob/kube-test-kit/eventually";
import { realNode, type RealNode } from "./e2e-real-node.js";
import { createKubeHarness, type KubeHarness } from "./kube-contract-harness.js";
import { ScriptedApi, sharedWorkspace, type SharedWorkspace } from "./real-claude.js";
import { createRealNodeDriver } from "./real-node-driver.js";

const SESSION = "6a7f1c2e-3d4b-4e5f-8a9b-0c1d2e3f4a5b";

/** Compact stream-json lines as claude writes them: `init`, an assistant `step`, a successful `result`. */
export const streamJson = {
  init: JSON.stringify({ type: "system", subtype: "init", session_id: SESSION, model: "claude-sonnet-4-6", tools: ["Bash"] }),
  step: (i: number, text = `step ${i} done`): string =>
    JSON.stringify({
      type: "assistant",
      session_id: SESSION,
      message: { id: `msg_${i}`, role: "assistant", model: "claude-sonnet-4-6", stop_reason: "end_turn", content: [{ type: "text", text }], usage: { input_tokens: 10, output_tokens: 5 } },
    }),
  result: (summary: string): string =>
    JSON.stringify({ type: "result", subtype: "success", is_error: false, result: summary, session_id: SESSION, num_turns: 1, total_cost_usd: 0.01, usage: { input_tokens: 100, output_tokens: 50 } }),
  /** A tool result (`user` event) around `content`. */
  toolResult: (content: string): string =>
    JSON.stringify({ type: "user", session_id: SESSION, message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content }] } }),
};

/** One step of a stand-in: raw data to a stream (newlines only where the data has them), or a wait for a gate. */
export type StandInStep = { readonly stdout: string } | { readonly stderr: string } | { readonly gate: string };

/** One CRI record of the container's log file: `<timestamp> <stream> <P|F> <content>`. */
export interface CriRecord {
  readonly timestamp: string;
  readonly stream: "stdout" | "stderr";
  readonly tag: "P" | "F";
  readonly content: string;
}

export interface StandInKit {
  readonly world: RealNode;
  readonly h: KubeHarness;
  readonly api: ScriptedApi;
  readonly ws: SharedWorkspace;
  unique(prefix: string): string;
  /** Writes a stand-in doing `steps` to the workspace volume; returns its path inside the pod (config `command`). */
  standIn(name: string, steps: readonly StandInStep[]): string;
  /** A heartbeat whose "claude" is the stand-in at `command` (graceSec 5, small requests). */
  request(command: string): RunRequest;
  /** The container's current CRI log file on the node (`<podLogsDir>/<ns>_<pod>_<uid>/claude/0.log`), parsed; [] before it exists. */
  criRecords(jobName: string): CriRecord[];
  /** The container's log files on the node: the current one and the rotated ones. */
  logFiles(jobName: string): string[];
  cleanup(): Promise<void>;
}

/** Waits (polling, 90 s at most) for a state of the node to be reached; it never orders events. */
export const waitFor = <T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> =>
  eventually(what, check, { timeoutMs: 90_000, intervalMs: 100 });

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The real-node world, a Kube harness as the adapter ServiceAccount, and a workspace for stand-ins. */
export async function standInKit(): Promise<StandInKit> {
  const world = await realNode();
  if (!world.scriptedApiUrl) throw new Error("the scripted Anthropic API is not running in the real-node world (packages/scripted-anthropic-api not built): the gates need it");
  const api = new ScriptedApi(world.scriptedApiUrl);
  const driver = createRealNodeDriver({ namespace: world.namespace, image: world.agentImage, admin: world.admin });
  const h = await createKubeHarness({ kubeconfigPath: world.kubeconfigAdapter, namespace: world.namespace, driver });
  const ws = await sharedWorkspace(world, { uid: world.agentUid, mode: 0o755 });
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
  const podDir = (jobName: string) => readdirSync(world.podLogsDir).find((d) => d.startsWith(`${world.namespace}_${jobName}-`));
  return {
    world,
    h,
    api,
    ws,
    unique,
    standIn(name, steps) {
      const body = steps.map((s) => ("gate" in s ? api.gateCommand(s.gate) : "stdout" in s ? `printf '%s' ${quote(s.stdout)}` : `printf '%s' ${quote(s.stderr)} >&2`));
      const file = join(ws.dir, `${name}.sh`);
      // claude's arguments and the prompt on stdin are ignored: the steps are the whole behaviour.
      writeFileSync(file, ["#!/bin/bash", "set -u", ...body, "exit 0", ""].join("\n"));
      chownSync(file, world.agentUid, world.agentUid);
      chmodSync(file, 0o755);
      return `/paperclip/${name}.sh`;
    },
    request(command) {
      return {
        runId: unique("run"),
        agent: { id: unique("agent"), companyId: "company-1", name: "Builder" },
        taskId: unique("task"),
        config: {
          image: world.agentImage,
          imagePullPolicy: "IfNotPresent",
          namespace: world.namespace,
          command,
          timeoutSec: 0,
          graceSec: 5,
          // A shell script, not claude: small requests keep it schedulable next to pods still terminating.
          resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "1", memory: "256Mi" } },
        },
      };
    },
    criRecords(jobName) {
      const dir = podDir(jobName);
      if (!dir) return [];
      let text: string;
      try {
        text = readFileSync(join(world.podLogsDir, dir, "claude", "0.log"), "utf8");
      } catch {
        return [];
      }
      return text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => {
          const [timestamp, stream, tag] = l.split(" ", 3) as [string, "stdout" | "stderr", "P" | "F"];
          return { timestamp, stream, tag, content: l.slice(timestamp.length + stream.length + tag.length + 3) };
        });
    },
    logFiles(jobName) {
      const dir = podDir(jobName);
      return dir ? readdirSync(join(world.podLogsDir, dir, "claude")) : [];
    },
    async cleanup() {
      await ws.cleanup();
      await h.cleanup();
    },
  };
}
