import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * The identity this process writes into its Lease and its agent claims: host, pid and a random suffix, so a restarted
 * process (same host, maybe the same pid in a fresh container) never passes for its predecessor.
 */
export function processIdentity(): string {
  return `clipjob-cli/${hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`;
}
