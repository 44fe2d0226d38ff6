import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContractDriver } from "@clipjob/cluster-contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeKubeApi, minimalSpec } from "@clipjob/kube-test-kit";
import { createKubeHarness } from "./kube-contract-harness.js";

let api: FakeKubeApi;
let kubeconfigPath: string;

const driver: ContractDriver = {
  baseSpec: (name) => ({ ...minimalSpec, ref: { namespace: "agents", name } }),
  specFor: async (name) => ({ ...minimalSpec, ref: { namespace: "agents", name } }),
  deletePodLikeEviction: async () => {},
  createSecret: async () => {},
  createClaim: async () => {},
};

beforeAll(async () => {
  api = await FakeKubeApi.start();
  kubeconfigPath = join(mkdtempSync(join(tmpdir(), "clipjob-harness-")), "kubeconfig");
  writeFileSync(kubeconfigPath, api.kubeConfig().exportConfig());
});
afterAll(async () => {
  await api.close();
});

describe("createKubeHarness", () => {
  it("wires the adapters to the kubeconfig and cleans up the Jobs its cases submitted", async () => {
    const h = await createKubeHarness({ kubeconfigPath, namespace: "agents", driver });
    expect(h.capabilities).toEqual({ expireWatches: false, initContainers: false });
    await h.cluster.submit(await h.driver.specFor("case-1", {}));
    await h.cluster.submit(await h.driver.specFor("case-2", {}));
    expect(await h.access.secretExists("agents", "case-1-payload")).toBe(true);
    await h.cleanup();
    expect(api.jobs.size).toBe(0);
    expect(api.secrets.size).toBe(0);
  });

  it("refuses a kubeconfig it cannot read", async () => {
    await expect(createKubeHarness({ kubeconfigPath: "/nonexistent", namespace: "agents", driver })).rejects.toThrow(/kubeconfig_unreadable/);
  });
});
