/** Formats epoch milliseconds the way Go's time.RFC3339Nano does: fraction with trailing zeros trimmed, none if zero. */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-01T00:00:01.500Z
  const base = iso.slice(0, 19);
  const frac = iso.slice(20, 23).replace(/0+$/, "");
  return frac ? `${base}.${frac}Z` : `${base}Z`;
}

/** RFC 3339 with whole seconds, the format of metav1.Time (creationTimestamp, conditions…). */
export function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
