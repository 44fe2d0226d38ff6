// Kubernetes naming rules, checked before any string reaches a name, label or annotation, so a bad value
// is reported with its field instead of failing the API call half-way through a submit.

const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 label: namespaces, container and volume names. */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

/** RFC 1123 subdomain: Secret, ServiceAccount and other object names, label key prefixes. */
export function isDnsSubdomain(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split(".").every((part) => isDnsLabel(part));
}

export function isLabelValue(s: string): boolean {
  return s.length <= 63 && LABEL_VALUE.test(s);
}

/** A qualified name `[prefix/]name`, as label keys and nodeSelector keys must be. */
export function isLabelKey(s: string): boolean {
  const slash = s.indexOf("/");
  const prefix = slash === -1 ? null : s.slice(0, slash);
  const name = slash === -1 ? s : s.slice(slash + 1);
  if (prefix !== null && !isDnsSubdomain(prefix)) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

/** Env var names as the API server validates them (C identifiers plus `-` and `.`). */
export function isEnvVarName(s: string): boolean {
  return /^[-._A-Za-z][-._A-Za-z0-9]*$/.test(s);
}
