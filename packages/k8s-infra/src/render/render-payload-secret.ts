import { payloadData, payloadSecretName, type AgentJobSpec, type JobRef } from "@clipjob/core";
import type { V1Secret } from "@kubernetes/client-node";

/** The API server rejects a Secret whose data exceeds 1 MiB. */
export const MAX_SECRET_DATA_BYTES = 1024 * 1024;

/**
 * The per-run payload Secret `<job>-payload` of a submit whose spec names no claim (`spec.payloadSecret`
 * unset; a run always passes its agent claim, which holds the payload and owns the Job instead). Values go in
 * `data` as base64 of their UTF-8 bytes, so the container reads exactly the bytes of the prompt (stringData
 * would be re-encoded by the server and shows up in last-applied annotations of some tools). Owned by the Job
 * as its controller, so garbage collection deletes it with the Job.
 */
export function renderPayloadSecret(spec: AgentJobSpec, owner: JobRef): V1Secret {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(payloadData(spec.payload))) data[key] = base64(value);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: payloadSecretName(spec.ref.name),
      namespace: spec.ref.namespace,
      labels: { ...spec.labels },
      // No blockOwnerDeletion: nothing needs a foreground delete of the Job to wait for its Secret, and where
      // the OwnerReferencesPermissionEnforcement admission plugin is on (OpenShift) setting it would need
      // `update` on jobs/finalizers, a verb the adapter's Role does not otherwise need.
      ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: owner.name, uid: owner.uid, controller: true }],
    },
    type: "Opaque",
    // Written once per run and never changed: immutable spares the kubelet from watching it.
    immutable: true,
    data,
  };
}

/** Decoded size of the Secret's values, as the API server counts it against its 1 MiB limit. */
export function payloadDataBytes(secret: V1Secret): number {
  let total = 0;
  for (const value of Object.values(secret.data ?? {})) total += Buffer.from(value, "base64").length;
  return total;
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}
