// Plain values a Job spec is made of that the adapter config speaks about too (env sources, resources,
// tolerations). A leaf module: config and the Job spec both import it, it imports nothing.

/** Where an env value comes from. Secrets are only ever referenced, never inlined. */
export type EnvSource =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "secretKey"; readonly secretName: string; readonly key: string; readonly optional?: boolean }
  | { readonly kind: "configMapKey"; readonly configMapName: string; readonly key: string; readonly optional?: boolean }
  | { readonly kind: "field"; readonly fieldPath: string }
  /** The per-run payload Secret created with the Job (the run token lives there). */
  | { readonly kind: "payload"; readonly key: PayloadKey };

export type PayloadKey = "prompt" | "run-token" | `env.${string}`;

export interface ResourceList {
  readonly cpu?: string;
  readonly memory?: string;
  readonly "ephemeral-storage"?: string;
}

export interface Resources {
  readonly requests: ResourceList;
  readonly limits: ResourceList;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: "Exists" | "Equal";
  readonly value?: string;
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  readonly tolerationSeconds?: number;
}
