// Kubernetes resource quantities, enough for requests and limits: decimal and binary suffixes, millis.
const SUFFIX: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** The numeric value of a quantity (bytes for memory, cores for cpu), or undefined if it does not parse. */
export function parseQuantity(q: string | undefined): number | undefined {
  if (q === undefined) return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return undefined;
  const factor = SUFFIX[m[2] ?? ""];
  if (factor === undefined) return undefined;
  return Number(m[1]) * factor;
}
