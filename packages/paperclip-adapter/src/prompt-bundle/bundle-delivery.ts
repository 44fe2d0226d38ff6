// Whether a run can get a prompt bundle at all. The bundle is written by the Paperclip server and read by the
// agent pod, so both must see the same files at the same absolute path: the host pod's `/paperclip` PVC,
// mounted into the Job (only possible in the host's namespace), with Paperclip's instance root on it.
import { isAbsolute, relative, resolve } from "node:path";
import { AGENT_HOME, type HostFacts } from "@clipjob/core";
import { resolvePaperclipInstanceRootForAdapter } from "@paperclipai/adapter-utils/server-utils";
import { checkPathSegment } from "./path-segment.js";

/** Where the server finds the shared volume and Paperclip's instance directory. Tests point it at a temp dir. */
export interface PromptBundleHome {
  /** The server path of the shared volume; agent pods mount the same volume at the same path. */
  readonly sharedVolumePath: string;
  /** `PAPERCLIP_HOME`; unset means adapter-utils' default (`~/.paperclip`). */
  readonly paperclipHome?: string | undefined;
  /** `PAPERCLIP_INSTANCE_ID`; unset means `default`. */
  readonly instanceId?: string | undefined;
}

export function promptBundleHomeFromEnv(env: Readonly<Record<string, string | undefined>>): PromptBundleHome {
  return { sharedVolumePath: AGENT_HOME, paperclipHome: env["PAPERCLIP_HOME"], instanceId: env["PAPERCLIP_INSTANCE_ID"] };
}

export type BundleDelivery =
  | { readonly deliver: true; readonly instanceRoot: string }
  | { readonly deliver: false; readonly note: string };

export interface DeliveryInput {
  readonly simulated: boolean;
  /** Null when host introspection failed. */
  readonly host: HostFacts | null;
  /** `namespace` from the config, if set. */
  readonly configNamespace: string | null;
  readonly home: PromptBundleHome;
}

export const SIMULATED_BUNDLE_NOTE = "prompt bundle skipped: the simulated cluster has no shared /paperclip volume";
export const NO_VOLUME_NOTE = "skills not delivered: no shared /paperclip volume";

export function bundleDelivery({ simulated, host, configNamespace, home }: DeliveryInput): BundleDelivery {
  if (simulated) return { deliver: false, note: SIMULATED_BUNDLE_NOTE };
  if (!host?.paperclipClaimName) return { deliver: false, note: NO_VOLUME_NOTE };
  const namespace = configNamespace ?? host.namespace;
  if (host.namespace === undefined || namespace !== host.namespace) {
    return { deliver: false, note: `skills not delivered: the /paperclip volume is not mounted in namespace ${namespace ?? "?"}` };
  }
  const instanceId = home.instanceId?.trim() || "default";
  const checked = checkPathSegment("PAPERCLIP_INSTANCE_ID", instanceId);
  if (!checked.ok) return { deliver: false, note: `skills not delivered: ${checked.error.message}` };
  let instanceRoot: string;
  try {
    instanceRoot = resolvePaperclipInstanceRootForAdapter({ homeDir: home.paperclipHome, instanceId, env: {} });
  } catch (error) {
    return { deliver: false, note: `skills not delivered: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isInside(resolve(home.sharedVolumePath), instanceRoot)) {
    return { deliver: false, note: `skills not delivered: Paperclip's instance root ${instanceRoot} is not on the shared volume (${home.sharedVolumePath})` };
  }
  return { deliver: true, instanceRoot };
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
