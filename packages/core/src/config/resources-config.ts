// Container resources, from a nested `resources` object (what the predecessor's README documented but its
// code ignored) and from the flat dotted keys its UI wrote (`resources.requests.cpu`, …).

import type { ResourceList, Resources } from "../job/spec-values.js";
import { err, ok } from "../result.js";
import { describeValue, fail, issue, isPlainObject, parseJsonText, type FieldIssue, type FieldResult } from "./field-parsers.js";

export const DEFAULT_RESOURCES: Resources = {
  requests: { cpu: "1000m", memory: "2Gi" },
  limits: { cpu: "4000m", memory: "8Gi" },
};

const RESOURCE_NAMES = ["cpu", "memory", "ephemeral-storage"] as const;
type ResourceName = (typeof RESOURCE_NAMES)[number];

const SUFFIX: Record<string, number> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a Kubernetes quantity ("500m", "2Gi", "1e3") in base units, or null if it is not one. */
export function quantityValue(q: string): number | null {
  const m = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/.exec(q);
  if (!m) return null;
  const base = Number(m[1]);
  if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? ""]!;
}

export function quantity(raw: unknown): FieldResult<string> {
  const q = typeof raw === "number" && Number.isFinite(raw) && raw >= 0 ? String(raw) : typeof raw === "string" ? raw.trim() : null;
  if (q === null) return fail(`expected a quantity such as "500m" or "2Gi", got ${describeValue(raw)}`);
  return quantityValue(q) === null ? fail(`${describeValue(q)} is not a Kubernetes quantity (e.g. "500m", "2", "512Mi", "2Gi")`) : ok(q);
}

/** The nested form; entries it leaves out keep their defaults. */
export function nestedResources(raw: unknown): FieldResult<Resources> {
  let value = raw;
  if (typeof raw === "string") {
    const parsed = parseJsonText(raw.trim(), "an object with requests and limits");
    if (!parsed.ok) return parsed;
    value = parsed.value;
  }
  if (!isPlainObject(value)) return fail(`expected an object with requests and limits, got ${describeValue(value)}`);
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(value)) {
    if (key !== "requests" && key !== "limits") issues.push(issue('unknown property (expected "requests" or "limits")', key));
  }
  const requests = resourceList(value["requests"], "requests", issues);
  const limits = resourceList(value["limits"], "limits", issues);
  if (issues.length > 0) return err(issues);
  return ok({ requests: { ...DEFAULT_RESOURCES.requests, ...requests }, limits: { ...DEFAULT_RESOURCES.limits, ...limits } });
}

function resourceList(raw: unknown, at: string, issues: FieldIssue[]): ResourceList {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) {
    issues.push(issue(`expected an object such as { "cpu": "1", "memory": "2Gi" }, got ${describeValue(raw)}`, at));
    return {};
  }
  const list: { -readonly [K in ResourceName]?: string } = {};
  for (const [name, q] of Object.entries(raw)) {
    const resource = RESOURCE_NAMES.find((r) => r === name);
    if (resource === undefined) {
      issues.push(issue(`unknown resource (expected ${RESOURCE_NAMES.join(", ")})`, `${at}.${name}`));
      continue;
    }
    if (q === undefined || q === null || (typeof q === "string" && q.trim() === "")) continue;
    const parsed = quantity(q);
    if (parsed.ok) list[resource] = parsed.value;
    else issues.push(...parsed.error.map((i) => issue(i.problem, `${at}.${name}`)));
  }
  return list;
}

/** Requests above limits are rejected by the API server; say so before a run is attempted. */
export function requestsAboveLimits(resources: Resources): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const name of RESOURCE_NAMES) {
    const request = resources.requests[name];
    const limit = resources.limits[name];
    if (request === undefined || limit === undefined) continue;
    if (quantityValue(request)! > quantityValue(limit)!) {
      issues.push(issue(`the request (${request}) exceeds the limit (${limit})`, name));
    }
  }
  return issues;
}
