import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { hostFactsFromPod, mainContainer } from "./host-facts-from-pod.js";

const paperclipPod: V1Pod = {
  metadata: { name: "paperclip-0", namespace: "paperclip" },
  spec: {
    imagePullSecrets: [{ name: "ghcr-pull" }, { name: "" }],
    dnsConfig: { nameservers: ["10.0.0.10"], searches: ["svc.cluster.local"], options: [{ name: "ndots", value: "2" }] },
    volumes: [
      { name: "data", persistentVolumeClaim: { claimName: "paperclip-data" } },
      { name: "creds", secret: { secretName: "anthropic-creds", defaultMode: 0o400 } },
      { name: "one-file", secret: { secretName: "tls" } },
      { name: "istio-envoy", emptyDir: {} },
    ],
    containers: [
      { name: "istio-proxy", image: "docker.io/istio/proxyv2:1.22.0", env: [{ name: "ISTIO_META", value: "x" }] },
      {
        name: "paperclip",
        image: "ghcr.io/example/paperclip:2.0.0",
        volumeMounts: [
          { name: "data", mountPath: "/paperclip/" },
          { name: "creds", mountPath: "/etc/anthropic", readOnly: true },
          { name: "one-file", mountPath: "/etc/tls/cert.pem", subPath: "cert.pem" },
        ],
        env: [
          { name: "PAPERCLIP_API_URL", value: "http://paperclip.paperclip.svc:3100" },
          { name: "EMPTY", value: "" },
          { name: "ANTHROPIC_API_KEY", valueFrom: { secretKeyRef: { name: "anthropic", key: "api-key" } } },
          { name: "FLAGS", valueFrom: { configMapKeyRef: { name: "flags", key: "all", optional: true } } },
          { name: "MY_POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "CPU_LIMIT", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
        ],
        envFrom: [{ secretRef: { name: "bedrock" } }, { configMapRef: { name: "common", optional: true }, prefix: "C_" }],
      },
    ],
  },
};

describe("hostFactsFromPod", () => {
  it("reads everything the main container offers to inherit", () => {
    expect(hostFactsFromPod(paperclipPod)).toEqual({
      image: "ghcr.io/example/paperclip:2.0.0",
      imagePullSecrets: ["ghcr-pull"],
      dnsConfig: { nameservers: ["10.0.0.10"], searches: ["svc.cluster.local"], options: [{ name: "ndots", value: "2" }] },
      paperclipClaimName: "paperclip-data",
      secretVolumes: [{ volumeName: "creds", secretName: "anthropic-creds", mountPath: "/etc/anthropic", defaultMode: 0o400 }],
      env: {
        PAPERCLIP_API_URL: { kind: "literal", value: "http://paperclip.paperclip.svc:3100" },
        EMPTY: { kind: "literal", value: "" },
        ANTHROPIC_API_KEY: { kind: "secretKey", secretName: "anthropic", key: "api-key" },
        FLAGS: { kind: "configMapKey", configMapName: "flags", key: "all", optional: true },
        MY_POD: { kind: "field", fieldPath: "metadata.name" },
      },
      envFrom: [
        { kind: "secret", name: "bedrock" },
        { kind: "configMap", name: "common", optional: true, prefix: "C_" },
      ],
    });
  });

  it("gives empty facts for a pod with nothing to inherit", () => {
    expect(hostFactsFromPod({ spec: { containers: [{ name: "app" }] } })).toEqual({ imagePullSecrets: [], secretVolumes: [], env: {}, envFrom: [] });
  });
});

describe("mainContainer", () => {
  const c = (name: string, image = `example/${name}:1`) => ({ name, image });
  it.each([
    ["the container named paperclip wins wherever it is", [c("a"), c("paperclip")], "paperclip"],
    ["an istio sidecar listed first is skipped", [c("istio-proxy", "docker.io/istio/proxyv2:1.22"), c("server")], "server"],
    ["a linkerd sidecar listed first is skipped", [c("linkerd-proxy", "cr.l5d.io/linkerd/proxy:stable-2.14"), c("server")], "server"],
    ["a renamed sidecar is known by its image", [c("mesh", "gcr.io/istio-release/proxyv2:1.20"), c("server")], "server"],
    ["otherwise the first container", [c("server"), c("worker")], "server"],
  ])("%s", (_name, containers, expected) => {
    expect(mainContainer({ spec: { containers } })?.name).toBe(expected);
  });
});
