// Stored objects are deeply frozen, so the store can hand out the stored object itself instead of a copy: no
// reader can change it, and a write always builds a new object. Frozen subtrees are shared between versions.
import type { AnyObject } from "./objects.js";

/** Freezes `value` and everything reachable from it; already-frozen subtrees are skipped (they are frozen throughout). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
  return value;
}

/** A deep copy that shares frozen subtrees (they cannot change, so sharing them is safe). */
export function copySharingFrozen<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) return value.map(copySharingFrozen) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = copySharingFrozen(v);
  return out as T;
}

/**
 * A writable copy of a stored object for a read-modify-write: `metadata`, `status` and `data` are writable all
 * the way down; `spec` is writable at its top level (nodeName, suspend, taints…), while what it holds (the pod
 * template above all, the biggest part of a Job or Pod) stays shared and frozen: writing into it throws.
 */
export function draftOf<O extends AnyObject>(obj: O): O {
  const draft: Record<string, unknown> = { ...obj };
  draft["metadata"] = structuredClone(obj.metadata);
  if ("status" in obj) draft["status"] = structuredClone(obj.status);
  if ("data" in obj) draft["data"] = { ...obj.data };
  if ("spec" in obj) draft["spec"] = { ...obj.spec };
  return draft as O;
}
