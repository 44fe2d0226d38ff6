import { NO_HOST_FACTS } from "@clipjob/core";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeKubeApiForFile } from "@clipjob/kube-test-kit";
import { KubeHostAdapter, type HostFactsCache } from "./kube-host-adapter.js";
import { locateSelfPod, type HostEnvironment } from "./self-pod-locator.js";

const api = await fakeKubeApiForFile();
let cache: HostFactsCache;

const inPod = (env: Record<string, string> = {}, saNamespace?: string): HostEnvironment => ({
  env: { HOSTNAME: "paperclip-0", KUBERNETES_SERVICE_HOST: "10.96.0.1", ...env },
  serviceAccountNamespace: () => saNamespace,
});

beforeEach(() => {
  cache = new Map();
  api.putPod({
    metadata: { name: "paperclip-0", namespace: "paperclip" },
    spec: { containers: [{ name: "paperclip", image: "ghcr.io/example/paperclip:2.0.0" }], imagePullSecrets: [{ name: "pull" }] },
  });
});

const retry = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

describe("KubeHostAdapter", () => {
  it("describes the pod it runs in", async () => {
    const host = new KubeHostAdapter(api.kubeConfig(), { host: inPod({}, "paperclip"), cache, readRetry: retry });
    expect(await host.describeHost()).toEqual({
      podName: "paperclip-0",
      namespace: "paperclip",
      image: "ghcr.io/example/paperclip:2.0.0",
      imagePullSecrets: ["pull"],
      secretVolumes: [],
      env: {},
      envFrom: [],
    });
  });

  it("caches per kubeconfig: the same kubeconfig asks once, another kubeconfig asks again", async () => {
    const env = inPod({ PAPERCLIP_NAMESPACE: "paperclip" });
    await new KubeHostAdapter(api.kubeConfig("a"), { host: env, cache }).describeHost();
    await new KubeHostAdapter(api.kubeConfig("a"), { host: env, cache }).describeHost();
    expect(api.requests).toHaveLength(1);
    const other = api.kubeConfig("a");
    other.addContext({ name: "second", cluster: "fake", user: "tester" });
    other.setCurrentContext("second");
    await new KubeHostAdapter(other, { host: env, cache }).describeHost();
    expect(api.requests).toHaveLength(2);
  });

  it("outside a pod gives empty facts without asking the cluster", async () => {
    const host = new KubeHostAdapter(api.kubeConfig("dev"), { host: { env: { HOSTNAME: "laptop" }, serviceAccountNamespace: () => undefined }, cache });
    expect(await host.describeHost()).toEqual({ ...NO_HOST_FACTS, namespace: "dev" });
    expect(api.requests).toEqual([]);
  });

  it("a HOSTNAME that names no pod gives empty facts with the namespace", async () => {
    const host = new KubeHostAdapter(api.kubeConfig(), { host: inPod({ HOSTNAME: "elsewhere", POD_NAMESPACE: "paperclip" }), cache, readRetry: retry });
    expect(await host.describeHost()).toEqual({ ...NO_HOST_FACTS, namespace: "paperclip" });
  });

  it("a failed lookup throws a ClusterError and is not cached", async () => {
    api.allow = () => false;
    const host = new KubeHostAdapter(api.kubeConfig(), { host: inPod({ POD_NAMESPACE: "paperclip" }), cache, readRetry: retry });
    await expect(host.describeHost()).rejects.toMatchObject({ code: "forbidden", operation: "read host pod", permission: { verb: "get", resource: "pods", namespace: "paperclip" } });
    api.allow = () => true;
    expect((await host.describeHost()).podName).toBe("paperclip-0");
  });
});

describe("locateSelfPod", () => {
  it.each([
    ["PAPERCLIP_NAMESPACE first", { PAPERCLIP_NAMESPACE: "a", POD_NAMESPACE: "b" }, "sa", "a"],
    ["then POD_NAMESPACE", { POD_NAMESPACE: "b" }, "sa", "b"],
    ["then the service-account file", {}, "sa", "sa"],
    ["then the kubeconfig context", {}, undefined, "ctx"],
  ])("namespace: %s", (_name, env, sa, expected) => {
    const where = locateSelfPod(api.kubeConfig("ctx"), { env: { HOSTNAME: "p", ...env }, serviceAccountNamespace: () => sa });
    expect(where.namespace).toBe(expected);
  });

  it("a pod name needs HOSTNAME and a sign of running in a pod", () => {
    expect(locateSelfPod(api.kubeConfig(), { env: { HOSTNAME: "p" }, serviceAccountNamespace: () => "ns" }).podName).toBe("p");
    expect(locateSelfPod(api.kubeConfig(), { env: { HOSTNAME: "p", KUBERNETES_SERVICE_HOST: "10.0.0.1" }, serviceAccountNamespace: () => undefined }).podName).toBe("p");
    expect(locateSelfPod(api.kubeConfig(), { env: { HOSTNAME: "p" }, serviceAccountNamespace: () => undefined }).podName).toBeUndefined();
    expect(locateSelfPod(api.kubeConfig(), { env: { KUBERNETES_SERVICE_HOST: "10.0.0.1" }, serviceAccountNamespace: () => "ns" }).podName).toBeUndefined();
  });
});
