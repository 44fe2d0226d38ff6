import { nameHash } from "./name-hash.js";

/**
 * Longest Job name we generate. Names are capped well below the 63 of a DNS label so that every name
 * derived from it (`<job>-payload`, the `job-name` label the Job controller puts on pods, pod names with
 * their random suffix) still fits the limits of label values and DNS labels.
 */
export const MAX_JOB_NAME_LENGTH = 52;

const SLUG_LENGTH = 16;
/** 12 hex digits: 48 bits of the ids' hash, enough that two runs of the agents of one namespace never meet. */
const HASH_DIGITS = 12;

function slug(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, SLUG_LENGTH)
    .replace(/-+$/, "");
}

/**
 * `ac-<agent>-<run>-<hash>`: readable slugs plus a hash of the *raw* ids (core's string hash: a name, not a
 * security boundary), so ids that slug alike (or slug to nothing) still get distinct names. The ids are
 * length-prefixed before hashing: `("a:b","c")` and `("a","b:c")` must not collide.
 */
export function agentJobName(agentId: string, runId: string): string {
  const hash = (nameHash(`${agentId.length}:${agentId}:${runId}`) % 2 ** (4 * HASH_DIGITS)).toString(16).padStart(HASH_DIGITS, "0");
  return ["ac", slug(agentId), slug(runId), hash].filter((part) => part !== "").join("-");
}

/**
 * `clipjob-agent-<agent>-<hash>`: the name of the agent's claim (the run's payload Secret, the cross-process
 * guard), made like a Job name from a readable slug and a hash of the raw agent id, so ids that slug alike
 * still get their own.
 */
export function agentClaimName(agentId: string): string {
  const hash = (nameHash(`${agentId.length}:${agentId}`) % 2 ** (4 * HASH_DIGITS)).toString(16).padStart(HASH_DIGITS, "0");
  return ["clipjob-agent", slug(agentId), hash].filter((part) => part !== "").join("-");
}

/**
 * `clipjob-process-<hash>`: the name of a process's Lease (its liveness, shared by all its agent claims), a
 * hash of its identity (host, pid, random), so two processes never share one.
 */
export function processLeaseName(identity: string): string {
  const hash = (nameHash(`${identity.length}:${identity}`) % 2 ** (4 * HASH_DIGITS)).toString(16).padStart(HASH_DIGITS, "0");
  return `clipjob-process-${hash}`;
}
