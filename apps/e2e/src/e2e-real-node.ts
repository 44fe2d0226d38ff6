// Typed entry to the real-node world (apps/e2e/node): `pnpm test:node` starts control plane + kubelet +
// containerd + the scripted Anthropic API inside a network namespace and runs the *.node.test.ts suites
// there, pointing CLIPJOB_NODE_STATE at the world's facts. The import paths of the plain-ESM helpers are
// built at run time so tsc never type-checks the .mjs files.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AdminClient } from "./e2e-control-plane.js";

/** What apps/e2e/node/world.mjs writes to CLIPJOB_NODE_STATE. */
export interface RealNodeWorld {
  readonly kubeconfigAdmin: string;
  readonly kubeconfigAdapter: string;
  readonly namespace: string;
  readonly server: string;
  /** The real node (kubelet + containerd); the kwok node `fakeNodeName` takes no pods (tainted). */
  readonly nodeName: string;
  readonly fakeNodeName: string;
  /** The node's address inside the namespace; pods reach services the test runs there. */
  readonly nodeIp: string;
  readonly containerdSocket: string;
  readonly podLogsDir: string;
  readonly nodeLogDir: string;
  readonly cpLogDir: string;
  readonly auditLogFile: string;
  /** The agent image (real claude, bash, coreutils, uid 1000), imported into containerd. */
  readonly agentImage: string;
  /** Variants of the agent image lacking one piece of its contract: claude on PATH; sh (and bash). */
  readonly agentImageNoClaude: string;
  readonly agentImageNoShell: string;
  readonly pauseImage: string;
  readonly agentUid: number;
  /** http://<nodeIp>:<port> of the scripted Anthropic API, or null when it is not built. */
  readonly scriptedApiUrl: string | null;
  /** A directory owned by the agent uid, for hostPath-backed PersistentVolumes. */
  readonly sharedDir: string;
}

export interface RealNode extends RealNodeWorld {
  readonly admin: AdminClient;
  readonly adapter: AdminClient;
}

interface LibModule {
  KubeClient: new (o: { server: string; ca?: string; cert?: string; key?: string; token?: string }) => AdminClient;
  readKubeconfig(path: string): { server: string; ca?: string; cert?: string; key?: string; token?: string };
}

const libUrl = new URL("../control-plane/lib.mjs", import.meta.url);

/** The world this suite runs in; fails with how to start it when the suite was not started by `pnpm test:node`. */
export async function realNode(): Promise<RealNode> {
  const file = process.env.CLIPJOB_NODE_STATE;
  if (!file) throw new Error("CLIPJOB_NODE_STATE is not set: run the real-node suites with `pnpm test:node` (apps/e2e/node/run.mjs)");
  const world = JSON.parse(readFileSync(file, "utf8")) as RealNodeWorld;
  const lib = (await import(/* @vite-ignore */ fileURLToPath(libUrl))) as LibModule;
  return {
    ...world,
    admin: new lib.KubeClient(lib.readKubeconfig(world.kubeconfigAdmin)),
    adapter: new lib.KubeClient(lib.readKubeconfig(world.kubeconfigAdapter)),
  };
}
