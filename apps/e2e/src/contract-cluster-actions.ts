// What a real-cluster contract driver does through the API server as admin, the same for every real cluster
// (kwok's and the real node's): evict a pod, create a Secret, create a PersistentVolumeClaim.
import type { ContractDriver } from "@clipjob/cluster-contract";
import type { ObjectRef } from "@clipjob/core";
import type { AdminClient } from "./e2e-control-plane.js";

export type ContractClusterActions = Pick<ContractDriver, "deletePodLikeEviction" | "createSecret" | "createClaim">;

/** The driver's API-server actions in `namespace`, as `admin`. */
export function contractClusterActions(admin: AdminClient, namespace: string): ContractClusterActions {
  return {
    async deletePodLikeEviction(pod: ObjectRef): Promise<void> {
      await admin.post(`/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/eviction`, {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name: pod.name, namespace: pod.namespace },
      });
    },
    async createSecret(name: string, data: Readonly<Record<string, string>>): Promise<void> {
      const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
      await admin.post(`/api/v1/namespaces/${namespace}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name }, data: encoded });
    },
    async createClaim(name: string, accessModes: readonly string[]): Promise<void> {
      await admin.post(`/api/v1/namespaces/${namespace}/persistentvolumeclaims`, {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name },
        spec: { accessModes, resources: { requests: { storage: "1Gi" } } },
      });
    },
  };
}
