import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * The identity this Paperclip process writes into its Lease and its agent claims: the host (the pod name in a cluster),
 * pid and a random suffix, so a restarted process never passes for its predecessor and two replicas never
 * share one.
 */
export function processIdentity(): string {
  return `paperclip/${hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`;
}
