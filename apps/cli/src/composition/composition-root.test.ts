import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock, type ClusterPorts } from "@clipjob/core";
import type { ClusterTarget } from "./cluster-target.js";
import { CompositionRoot } from "./composition-root.js";

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
  const dir = mkdtempSync(join(tmpdir(), "clipjob-cli-kubeconfig-"));
  kubeconfig = join(dir, "config");
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      `- name: local\n  cluster:\n    server: https://127.0.0.1:${address.port}`,
      "users:",
      "- name: dev\n  user:\n    token: not-a-real-token",
      "contexts:",
      "- name: dev\n  context:\n    cluster: local\n    user: dev\n    namespace: agents",
      "- name: other\n  context:\n    cluster: local\n    user: dev",
      "current-context: dev",
    ].join("\n"),
  );
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("CompositionRoot", () => {
  it("binds every port of the simulated cluster to one embedded FakeCluster per scope", async () => {
    const root = new CompositionRoot();
    const opened = await root.openScope({ kind: "simulated", speed: "max" });
    if (!opened.ok) throw new Error(opened.error.message);
    const scope = opened.value;
    try {
      for (const port of PORTS) expect(scope.ports[port]).toBeTruthy();
      const simulation = scope.simulation!;
      expect(scope.ports.cluster).toBe(simulation.fake.cluster);
      expect(scope.ports.clock).toBe(simulation.fake.clock);
      expect(scope.simulation).toBe(simulation);
      expect(scope.defaultNamespace).toBe("clipjob");
      const deps = scope.runDependencies;
      expect(deps).toMatchObject({ cluster: simulation.fake.cluster, logs: simulation.fake.logs, host: simulation.fake.host, clock: simulation.fake.clock, defaultNamespace: "clipjob" });

      const second = await root.openScope({ kind: "simulated", speed: "max" });
      if (!second.ok) throw new Error(second.error.message);
      expect(second.value.simulation).not.toBe(simulation);
      // One root, one set of agent locks: runs in two scopes still serialise per agent.
      expect(second.value.runDependencies.locks).toBe(deps.locks);
      await second.value.dispose();
    } finally {
      await scope.dispose();
    }
  });

  it("binds every port of a real cluster from a kubeconfig without connecting to it", async () => {
    const opened = await new CompositionRoot().openScope({ kind: "kubernetes", kubeconfigPath: kubeconfig }, {});
    if (!opened.ok) throw new Error(opened.error.message);
    const scope = opened.value;
    for (const port of PORTS) expect(scope.ports[port]).toBeTruthy();
    expect(scope.ports.clock).toBe(systemClock);
    expect(scope.runDependencies.cluster).toBe(scope.ports.cluster);
    expect(scope.defaultNamespace).toBe("agents");
    expect(scope.runDependencies.defaultNamespace).toBe("agents");
    expect(scope.simulation).toBeNull();
    // A grace window for an eager connection to show itself (a negative check: load can only hide one, never
    // fail the test; nothing is ordered by this wait).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connections).toBe(0);
    await scope.dispose();
  });

  it.each([
    { name: "a flag namespace", target: { namespace: "ops" }, expected: "ops" },
    { name: "a context without a namespace", target: { context: "other" }, expected: "default" },
  ])("takes the default namespace from $name", async ({ target, expected }) => {
    const opened = await new CompositionRoot().openScope({ kind: "kubernetes", kubeconfigPath: kubeconfig, ...target }, {});
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.value.defaultNamespace).toBe(expected);
  });

  it.each<{ name: string; target: (path: string) => ClusterTarget; code: string }>([
    { name: "an unreadable kubeconfig", target: () => ({ kind: "kubernetes", kubeconfigPath: "/nonexistent/kubeconfig" }), code: "kubeconfig_unreadable" },
    { name: "a missing context", target: (path) => ({ kind: "kubernetes", kubeconfigPath: path, context: "nope" }), code: "kubeconfig_context_missing" },
    { name: "no kubeconfig outside a pod", target: () => ({ kind: "kubernetes" }), code: "not_in_cluster" },
  ])("refuses $name with a coded error", async ({ target, code }) => {
    const opened = await new CompositionRoot().openScope(target(kubeconfig), {});
    expect(opened).toMatchObject({ ok: false, error: { code } });
  });
});
