import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClusterAdapter } from "../cluster/kube-cluster-adapter.js";
import { FakeKubeApi } from "@clipjob/kube-test-kit";
import { loadKubeConfig } from "./load-kube-config.js";

let api: FakeKubeApi;
let path: string;

beforeAll(async () => {
  api = await FakeKubeApi.start();
  path = join(mkdtempSync(join(tmpdir(), "clipjob-kc-")), "kubeconfig");
  writeFileSync(
    path,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      `- name: fake\n  cluster:\n    server: ${api.url}\n    insecure-skip-tls-verify: true`,
      "- name: elsewhere\n  cluster:\n    server: https://192.0.2.1:6443",
      "users:",
      "- name: tester\n  user:\n    token: t0k3n",
      "contexts:",
      "- name: default\n  context:\n    cluster: elsewhere\n    user: tester",
      "- name: fake\n  context:\n    cluster: fake\n    user: tester\n    namespace: agents",
      "current-context: default",
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await api.close();
});

describe("loadKubeConfig", () => {
  it("loads a kubeconfig file and selects the asked-for context", async () => {
    const result = loadKubeConfig({ kubeconfigPath: path, context: "fake" });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.getCurrentCluster()?.server).toBe(api.url);
    expect(await new KubeClusterAdapter(result.value).getJob({ namespace: "agents", name: "x" })).toBeNull();
  });

  it("keeps the file's current-context when none is asked for", () => {
    const result = loadKubeConfig({ kubeconfigPath: path });
    expect(result.ok && result.value.getCurrentCluster()?.name).toBe("elsewhere");
  });

  it.each([
    ["a missing file", { kubeconfigPath: "/nonexistent/kubeconfig" }, "kubeconfig_unreadable"],
    ["an unknown context", { kubeconfigPath: "", context: "nope" }, "kubeconfig_context_missing"],
  ])("fails with a code for %s", (_name, opts, code) => {
    const result = loadKubeConfig({ ...opts, kubeconfigPath: opts.kubeconfigPath || path });
    expect(result.ok ? undefined : result.error.code).toBe(code);
  });

  it("without a path outside a pod says it is not in a cluster", () => {
    const result = loadKubeConfig({}, {});
    expect(result.ok ? undefined : result.error.code).toBe("not_in_cluster");
  });
});
