// Counts an API server's audit log (JSON lines, one event per request stage) as requests by kind, named
// the way the fake's `requests()` names them so the real column lines up with the fake's rows.

interface AuditEvent {
  readonly auditID?: string;
  readonly stage?: string;
  readonly verb?: string;
  readonly user?: { readonly username?: string };
  readonly objectRef?: { readonly resource?: string; readonly subresource?: string };
}

/**
 * A request is logged at several stages (RequestReceived, then ResponseStarted for a long-running watch or
 * log stream, then ResponseComplete): counting those that reached a response, once per auditID, counts a
 * watch that is still open when the log is read and never counts one request twice.
 */
const RESPONDED = new Set(["ResponseStarted", "ResponseComplete", "Panic"]);

/** `get pods/log` is a log follow; single-object verbs name the object singular, collection verbs plural. */
export function auditKind(verb: string, resource: string, subresource?: string): string {
  if (resource === "pods" && subresource === "log") return "follow log";
  const collection = verb === "list" || verb === "watch" || verb === "deletecollection";
  const noun = collection || !resource.endsWith("s") ? resource : resource.slice(0, -1);
  return `${verb} ${noun}${subresource ? `/${subresource}` : ""}`;
}

/** Requests made by `username`, by kind; lines that are not audit events are ignored. */
export function auditRequestsByKind(auditLog: string, username: string): Record<string, number> {
  const seen = new Set<string>();
  const byKind: Record<string, number> = {};
  for (const line of auditLog.split("\n")) {
    let event: AuditEvent;
    try {
      event = JSON.parse(line) as AuditEvent;
    } catch {
      continue;
    }
    const { auditID, stage, verb, user, objectRef } = event;
    if (!auditID || !stage || !verb || !objectRef?.resource || user?.username !== username) continue;
    if (!RESPONDED.has(stage) || seen.has(auditID)) continue;
    seen.add(auditID);
    const kind = auditKind(verb, objectRef.resource, objectRef.subresource);
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return byKind;
}
