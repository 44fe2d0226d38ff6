export { KubeClusterAdapter, type KubeClusterAdapterOptions } from "./cluster/kube-cluster-adapter.js";
export { KubeLogAdapter, type KubeLogAdapterOptions } from "./log/kube-log-adapter.js";
export { KubeHostAdapter, type HostFactsCache, type KubeHostAdapterOptions } from "./host/kube-host-adapter.js";
export type { HostEnvironment } from "./host/self-pod-locator.js";
export { KubeAccessAdapter, type KubeAccessAdapterOptions } from "./access/kube-access-adapter.js";
export { loadKubeConfig, type KubeConfigError, type KubeConfigErrorCode, type KubeConfigOptions } from "./config/load-kube-config.js";
export { renderJob } from "./render/render-job.js";
export { MAX_SECRET_DATA_BYTES, renderPayloadSecret } from "./render/render-payload-secret.js";
export { DEFAULT_READ_RETRY, type RetryPolicy } from "./retry/read-retry.js";
