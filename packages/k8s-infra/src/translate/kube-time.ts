/**
 * client-node's typed calls deserialize timestamps into Date, while watch and raw reads carry the wire
 * string; both become the wire form (RFC 3339, second precision for metadata times).
 */
export function kubeTime(value: Date | string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (Number.isNaN(value.getTime())) return undefined;
  return value.toISOString().replace(/\.000Z$/, "Z");
}
