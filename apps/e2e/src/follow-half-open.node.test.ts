// A log follow gone half-open on a real node (issue 14, item 4, follow half): the connection stays up and
// delivers nothing, not even an EOF. Only the run's log follows go through a TCP proxy on the namespace's
// loopback, which stops forwarding on the test's word; the Job and pod watches reach the API server directly.
// The container runs a stand-in for claude (stand-in-claude.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeLogAdapter, loadKubeConfig } from "@clipjob/k8s-infra";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RealNode } from "./e2e-real-node.js";
import type { KubeHarness } from "./kube-contract-harness.js";
import { startRun, type ScriptedApi } from "./real-claude.js";
import { standInKit, streamJson, type StandInKit } from "./stand-in-claude.js";

let kit: StandInKit;
let world: RealNode;
let h: KubeHarness;
let api: ScriptedApi;
beforeAll(async () => {
  kit = await standInKit();
  ({ world, h, api } = kit);
});
afterAll(async () => {
  await kit?.cleanup();
});

const { init, step, result } = streamJson;
const unique = (prefix: string) => kit.unique(prefix);

describe("runAgentJob on a real node: a log follow gone half-open (issue 14, item 4, follow half)", () => {
  it("the follow's connection stops delivering, without an EOF, before the container exits: 10 s after the exit the run reopens it from its cursor, every line once (also with graceSec 5, under the reopen's 10 s)", async () => {
    const gate = unique("g");
    const lines = [init, step(0)];
    const rest = [step(1), result("finished 2 steps")];
    const command = kit.standIn(unique("halfopen"), [{ stdout: lines.map((l) => `${l}\n`).join("") }, { gate }, { stdout: rest.map((l) => `${l}\n`).join("") }]);
    // Only the log follows go through the proxy; the Job and pod watches reach the API server directly.
    const proxy = await stallingProxy(world.server);
    const dir = mkdtempSync(join(tmpdir(), "clipjob-halfopen-"));
    try {
      const kubeconfig = join(dir, "kubeconfig");
      writeFileSync(kubeconfig, readFileSync(world.kubeconfigAdapter, "utf8").split(world.server).join(proxy.url));
      const kc = loadKubeConfig({ kubeconfigPath: kubeconfig });
      if (!kc.ok) throw new Error(kc.error.message);
      const r = startRun({ ...h, logs: new KubeLogAdapter(kc.value) }, world, kit.request(command), {}, kit.ws.host);
      await r.line((l) => l === lines[1], "step 0");
      // Half-open: the connection stays up, nothing more arrives, not even an EOF.
      expect(proxy.stallOpenConnections()).toBeGreaterThanOrEqual(1);
      await api.openGate(gate);
      const outcome = await r.done;
      expect(outcome).toMatchObject({ status: "succeeded", errorCode: null, summary: "finished 2 steps" });
      expect(r.seen.stdout).toEqual([...lines, ...rest]);
      // The stalled stream was given up and the follow reopened through a new connection.
      expect(proxy.connections).toBeGreaterThanOrEqual(2);
      expect(outcome.transcriptGaps).toBeUndefined();
    } finally {
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface StallingProxy {
  /** https://127.0.0.1:<port>: the API server's address as the proxy serves it (the certificate names 127.0.0.1). */
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Stops forwarding the server's bytes on every open connection, keeping it open; returns how many. */
  stallOpenConnections(): number;
  close(): Promise<void>;
}

/** A TCP proxy on loopback to `server` (https://127.0.0.1:PORT) whose open connections can be made half-open. */
async function stallingProxy(server: string): Promise<StallingProxy> {
  const target = new URL(server);
  const open = new Set<{ client: Socket; upstream: Socket }>();
  let connections = 0;
  const proxy = createServer((client) => {
    connections += 1;
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    const pair = { client, upstream };
    open.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    stallOpenConnections() {
      for (const { upstream, client } of open) {
        upstream.unpipe(client);
        upstream.pause();
      }
      return open.size;
    },
    async close() {
      for (const { client, upstream } of open) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

