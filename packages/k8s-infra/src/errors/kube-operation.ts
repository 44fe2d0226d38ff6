import type { MissingPermission } from "@clipjob/core";

/**
 * One API call as the run describes it: a human name for messages ("create job") and the RBAC permission
 * it exercises, so a 403 can say exactly which rule is missing.
 */
export interface KubeOperation {
  readonly name: string;
  readonly permission: MissingPermission;
}

export function kubeOperation(
  name: string,
  verb: string,
  resource: string,
  namespace: string | undefined,
  extra: { readonly group?: string; readonly subresource?: string } = {},
): KubeOperation {
  const permission: MissingPermission = {
    verb,
    group: extra.group ?? "",
    resource,
    ...(extra.subresource === undefined ? {} : { subresource: extra.subresource }),
    ...(namespace === undefined ? {} : { namespace }),
  };
  return { name, permission };
}
