import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock, type ClusterPorts } from "@clipjob/core";
import { AdapterRoot } from "./adapter-root.js";
// Loaded while the file is collected, not by the first test that opens a Kubernetes scope (the adapter imports it
// lazily): @kubernetes/client-node takes ~0.5 s of CPU to load, 10-20 s with every core of a 2-core machine
// busy, which is load, not the behaviour a test timeout is there to bound.
import "@clipjob/k8s-infra";

const PORTS: readonly (keyof ClusterPorts)[] = ["cluster", "logs", "host", "access", "clock"];

/** An API server address that counts connection attempts: resolving must not make any. */
let server: Server;
let connections = 0;
let kubeconfig: string;

beforeAll(async () => {
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  kubeconfig = join(mkdtempSync(join(tmpdir(), "clipjob-paperclip-kubeconfig-")), "config");
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      `clusters:\n- name: local\n  cluster:\n    server: https://127.0.0.1:${address.port}`,
      "users:\n- name: dev\n  user:\n    token: not-a-real-token",
      "contexts:\n- name: dev\n  context:\n    cluster: local\n    user: dev\n    namespace: agents\n- name: bare\n  context:\n    cluster: local\n    user: dev",
      "current-context: dev",
    ].join("\n"),
  );
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const root = new AdapterRoot({ env: {} });
afterAll(() => root.dispose());

describe("AdapterRoot", () => {
  it("binds every port of both clusters from the real root without connecting", async () => {
    const simulated = await root.openScope({ cluster: "simulated", kubeconfig: null, kubeContext: null });
    const kubernetes = await root.openScope({ cluster: "kubernetes", kubeconfig, kubeContext: null });
    if (!simulated.ok || !kubernetes.ok) throw new Error("a scope did not open");
    for (const scope of [simulated.value, kubernetes.value]) {
      for (const port of PORTS) expect(scope.ports[port]).toBeTruthy();
      expect(scope.runDependencies.locks).toBe(simulated.value.runDependencies.locks);
    }
    const fake = simulated.value.simulation!.fake;
    expect(simulated.value.ports.cluster).toBe(fake.cluster);
    expect(simulated.value.ports.clock).toBe(fake.clock);
    expect(simulated.value.defaultNamespace).toBe("clipjob");
    expect(kubernetes.value.ports.clock).toBe(systemClock);
    expect(kubernetes.value.defaultNamespace).toBe("agents");
    expect(kubernetes.value.simulation).toBeNull();
    // A grace window for an eager connection to show itself (a negative check: load can only hide one, never
    // fail the test; nothing is ordered by this wait).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connections).toBe(0);
  });

  it("shares one simulated cluster across runs, so sessions and kept Jobs survive to the next wake", async () => {
    const a = await root.openScope({ cluster: "simulated", kubeconfig: null, kubeContext: null });
    const b = await root.openScope({ cluster: "simulated", kubeconfig: null, kubeContext: null });
    if (!a.ok || !b.ok) throw new Error("a scope did not open");
    expect(a.value.simulation).toBe(b.value.simulation);
  });

  it("keeps the Kubernetes adapters per kubeconfig and context", async () => {
    const open = async (kubeContext: string | null) => {
      const opened = await root.openScope({ cluster: "kubernetes", kubeconfig, kubeContext });
      if (!opened.ok) throw new Error(opened.error.message);
      return opened.value;
    };
    const [first, again, other] = [await open(null), await open(null), await open("bare")];
    expect(again.ports.cluster).toBe(first.ports.cluster);
    expect(other.ports.cluster).not.toBe(first.ports.cluster);
    expect(other.defaultNamespace).toBe("default");
  });

  it.each([
    { name: "an unreadable kubeconfig", target: () => ({ kubeconfig: "/nonexistent/kubeconfig", kubeContext: null }), code: "kubeconfig_unreadable" },
    { name: "a missing context", target: () => ({ kubeconfig, kubeContext: "nope" }), code: "kubeconfig_context_missing" },
    { name: "no kubeconfig outside a pod", target: () => ({ kubeconfig: null, kubeContext: null }), code: "not_in_cluster" },
  ])("refuses $name with a coded error", async ({ target, code }) => {
    expect(await root.openScope({ cluster: "kubernetes", ...target() })).toMatchObject({ ok: false, error: { code } });
  });
});
