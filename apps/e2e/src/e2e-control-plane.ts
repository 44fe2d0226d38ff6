// Typed entry to apps/e2e/control-plane (plain ESM JavaScript, outside every package): the cluster suites
// start a real control plane through it. The import path is built at run time so tsc never type-checks
// the .mjs files, and these interfaces name only what the suites use.
import { fileURLToPath } from "node:url";

/** lib.mjs's KubeClient: JSON requests as one identity (admin certificate or a ServiceAccount token). */
export interface AdminClient {
  get(path: string, query?: Readonly<Record<string, string>>): Promise<any>;
  post(path: string, body: unknown, query?: Readonly<Record<string, string>>): Promise<any>;
  put(path: string, body: unknown): Promise<any>;
  delete(path: string, body?: unknown, query?: Readonly<Record<string, string>>): Promise<any>;
  patch(path: string, body: unknown, patchType?: "merge" | "strategic" | "json", query?: Readonly<Record<string, string>>): Promise<any>;
}

export interface ControlPlane {
  readonly kubeconfigAdmin: string;
  readonly kubeconfigAdapter: string;
  readonly namespace: string;
  readonly server: string;
  readonly nodeName: string;
  readonly logsDir: string;
  readonly logDir: string;
  readonly admin: AdminClient;
  /** The same client shape, as the adapter ServiceAccount (its token). */
  readonly adapter: AdminClient;
  stop(): Promise<void>;
}

interface StartModule {
  startControlPlane(opts: { dir: string; namespace?: string }): Promise<ControlPlane>;
}

const startModuleUrl = new URL("../control-plane/start.mjs", import.meta.url);

/** Starts etcd, kube-apiserver, kcm, scheduler, kwok and the kubelet simulator under `dir`. */
export async function startE2eControlPlane(dir: string, namespace?: string): Promise<ControlPlane> {
  const mod = (await import(/* @vite-ignore */ fileURLToPath(startModuleUrl))) as StartModule;
  return mod.startControlPlane({ dir, ...(namespace === undefined ? {} : { namespace }) });
}
