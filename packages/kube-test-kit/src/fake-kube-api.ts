// A tiny Kubernetes API server on 127.0.0.1 for k8s-infra's adapter tests: just enough of the real wire
// protocol (Status bodies, resourceVersions, merge patch, list+watch with expiry, pods/log with
// timestamps/sinceTime/follow) to drive the real client-node code paths, plus fault injection. It runs
// no controllers: a test moves Jobs and pods through their states by hand.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { ContainerLogs, type LogCutting, type LogEntry } from "./container-logs.js";
import { mergePatch, readBody, safeJson, selectorMatcher, send, status, type Obj } from "./wire.js";

export { status } from "./wire.js";
export type { LogCutting, LogEntry } from "./container-logs.js";

type Kind = "jobs" | "pods" | "secrets";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

export interface Fault {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Destroy the socket without answering (ECONNRESET / socket hang up at the client). */
  readonly reset?: boolean;
}

interface WatchEvent {
  readonly rv: number;
  readonly kind: Kind;
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly object: Obj;
}

interface Watcher {
  readonly kind: Kind;
  readonly namespace: string;
  readonly matches: (o: Obj) => boolean;
  readonly res: ServerResponse;
}

export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  readonly jobs = new Map<string, Obj>();
  readonly pods = new Map<string, Obj>();
  readonly secrets = new Map<string, Obj>();
  readonly namespaces = new Set<string>();
  readonly claims = new Map<string, Obj>();
  /** RBAC of the caller: decides SelfSubjectAccessReviews and 403s for the listed operations. */
  allow: (attrs: { verb: string; group: string; resource: string; subresource: string; namespace: string }) => boolean = () => true;
  logCutting: LogCutting = {};
  /** Called as each request arrives, before it is answered. */
  onRequest: (request: RecordedRequest) => void = () => {};

  private rv = 100;
  private compactedRv = 0;
  private uidCounter = 0;
  private readonly events: WatchEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly watchCountListeners = new Set<() => void>();
  private readonly faults: { method: string; path: RegExp; fault: Fault }[] = [];
  private readonly logs = new ContainerLogs();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeKubeApi> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const api = new FakeKubeApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on("connection", (s) => {
      api.sockets.add(s);
      s.on("close", () => api.sockets.delete(s));
    });
    server.on("request", (req, res) => void api.handle(req, res));
    return api;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  kubeConfig(namespace = "agents"): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "fake", server: this.url, skipTLSVerify: true }],
      users: [{ name: "tester", token: "fake-token" }],
      contexts: [{ name: "fake", cluster: "fake", user: "tester", namespace }],
      currentContext: "fake",
    });
    return kc;
  }

  /** Back to an empty cluster with default behaviour (between tests). */
  reset(): void {
    this.closeWatches();
    this.watchCountListeners.clear();
    this.jobs.clear();
    this.pods.clear();
    this.secrets.clear();
    this.namespaces.clear();
    this.claims.clear();
    this.logs.clear();
    this.faults.length = 0;
    this.requests.length = 0;
    this.allow = () => true;
    this.onRequest = () => {};
    this.logCutting = {};
  }

  /** The next matching request gets this answer instead of the normal one. */
  failNext(method: string, path: RegExp, fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ method, path, fault });
  }

  // ---- state ----

  putJob(job: Obj): Obj {
    return this.store("jobs", job);
  }

  updateJob(namespace: string, name: string, mutate: (job: Obj) => void): Obj {
    const job = this.jobs.get(`${namespace}/${name}`);
    if (!job) throw new Error(`no job ${namespace}/${name}`);
    mutate(job);
    return this.record("jobs", "MODIFIED", job);
  }

  putPod(pod: Obj): Obj {
    return this.store("pods", pod);
  }

  updatePod(namespace: string, name: string, mutate: (pod: Obj) => void): Obj {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    mutate(pod);
    return this.record("pods", "MODIFIED", pod);
  }

  remove(kind: Kind, namespace: string, name: string): void {
    const map = this.map(kind);
    const obj = map.get(`${namespace}/${name}`);
    if (!obj) return;
    map.delete(`${namespace}/${name}`);
    this.record(kind, "DELETED", obj);
  }

  /** Forget history: watches resuming from before now get 410 Gone. */
  compact(): void {
    this.compactedRv = ++this.rv;
    this.events.length = 0;
  }

  /** End every open watch, as the server does after timeoutSeconds or on restart. */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    this.watchCountChanged();
  }

  /** Send every open watch a BOOKMARK at the current resourceVersion (the server does so about once a minute). */
  bookmark(): void {
    for (const w of this.watchers) {
      w.res.write(JSON.stringify({ type: "BOOKMARK", object: { kind: w.kind === "jobs" ? "Job" : "Pod", metadata: { resourceVersion: String(this.rv) } } }) + "\n");
    }
  }

  /** Advance the resourceVersion as unrelated objects would. */
  touch(): void {
    this.rv++;
  }

  openWatches(): number {
    return this.watchers.size;
  }

  /**
   * Resolves once `holds(number of open watches)` is true: at once if it already is, else when a watch opens or
   * closes. Tests wait on this instead of a delay (a watch opens only after its list answered, so "after the
   * first event" does not mean "while the watch is open").
   */
  untilWatches(holds: (open: number) => boolean): Promise<void> {
    if (holds(this.watchers.size)) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!holds(this.watchers.size)) return;
        this.watchCountListeners.delete(check);
        resolve();
      };
      this.watchCountListeners.add(check);
    });
  }

  setLog(namespace: string, pod: string, container: string, entries: LogEntry[], opts: { finished?: boolean; waiting?: string } = {}): void {
    this.logs.setLog(namespace, pod, container, entries, opts);
  }

  appendLog(namespace: string, pod: string, container: string, entry: LogEntry): void {
    this.logs.appendLog(namespace, pod, container, entry);
  }

  finishLog(namespace: string, pod: string, container: string): void {
    this.logs.finishLog(namespace, pod, container);
  }

  // ---- protocol ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const raw = await readBody(req);
    const body = raw === "" ? undefined : safeJson(raw);
    const recorded: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, contentType: req.headers["content-type"], body };
    this.requests.push(recorded);
    this.onRequest(recorded);
    const faultIndex = this.faults.findIndex((f) => f.method === req.method && f.path.test(url.pathname));
    if (faultIndex !== -1) {
      const { fault } = this.faults.splice(faultIndex, 1)[0]!;
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      return send(res, fault.status ?? 500, fault.body ?? status(fault.status ?? 500, "InternalError", "injected"), fault.headers);
    }
    try {
      this.route(req.method ?? "GET", url, body, req.headers["content-type"], res);
    } catch (e) {
      send(res, 500, status(500, "InternalError", e instanceof Error ? e.message : String(e)));
    }
  }

  private route(method: string, url: URL, body: any, contentType: string | undefined, res: ServerResponse): void {
    const p = url.pathname;
    const q = url.searchParams;
    let m: RegExpExecArray | null;
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/.exec(p))) return this.collection("jobs", "batch", m[1]!, method, q, body, res);
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/.exec(p))) return this.item("jobs", "batch", m[1]!, m[2]!, method, url.searchParams, body, contentType, res);
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(p))) return this.collection("pods", "", m[1]!, method, q, body, res);
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(p))) return this.log(m[1]!, m[2]!, q, res);
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(p))) return this.item("pods", "", m[1]!, m[2]!, method, url.searchParams, body, contentType, res);
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets$/.exec(p))) return this.collection("secrets", "", m[1]!, method, q, body, res);
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(p))) return this.item("secrets", "", m[1]!, m[2]!, method, url.searchParams, body, contentType, res);
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/persistentvolumeclaims\/([^/]+)$/.exec(p))) {
      if (!this.permit(res, "get", "", "persistentvolumeclaims", "", m[1]!)) return;
      const claim = this.claims.get(`${m[1]}/${m[2]}`);
      return claim ? send(res, 200, claim) : send(res, 404, status(404, "NotFound", `persistentvolumeclaims "${m[2]}" not found`));
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(p))) {
      if (!this.permit(res, "get", "", "namespaces", "", "")) return;
      return this.namespaces.has(m[1]!)
        ? send(res, 200, { apiVersion: "v1", kind: "Namespace", metadata: { name: m[1] } })
        : send(res, 404, status(404, "NotFound", `namespaces "${m[1]}" not found`));
    }
    if (p === "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" && method === "POST") {
      const a = body?.spec?.resourceAttributes ?? {};
      const allowed = this.allow({ verb: a.verb ?? "", group: a.group ?? "", resource: a.resource ?? "", subresource: a.subresource ?? "", namespace: a.namespace ?? "" });
      return send(res, 201, { ...body, status: { allowed, ...(allowed ? {} : { reason: "no RBAC rule" }) } });
    }
    send(res, 404, status(404, "NotFound", `the server could not find the requested resource (${method} ${p})`));
  }

  private permit(res: ServerResponse, verb: string, group: string, resource: string, subresource: string, namespace: string): boolean {
    if (this.allow({ verb, group, resource, subresource, namespace })) return true;
    send(res, 403, status(403, "Forbidden", `${resource} is forbidden: User "tester" cannot ${verb} resource "${resource}" in namespace "${namespace}"`));
    return false;
  }

  private collection(kind: Kind, group: string, ns: string, method: string, q: URLSearchParams, body: any, res: ServerResponse): void {
    if (method === "POST") {
      if (!this.permit(res, "create", group, kind, "", ns)) return;
      const name = body?.metadata?.name;
      if (this.map(kind).has(`${ns}/${name}`)) return send(res, 409, status(409, "AlreadyExists", `${kind} "${name}" already exists`));
      body.metadata.namespace = ns;
      return send(res, 201, this.store(kind, body));
    }
    const matches = selectorMatcher(q.get("labelSelector"), q.get("fieldSelector"));
    if (q.get("watch") === "true") {
      if (!this.permit(res, "watch", group, kind, "", ns)) return;
      return this.watch(kind, ns, matches, q, res);
    }
    if (!this.permit(res, "list", group, kind, "", ns)) return;
    const items = [...this.map(kind).values()].filter((o) => o.metadata.namespace === ns && matches(o));
    send(res, 200, { apiVersion: kind === "jobs" ? "batch/v1" : "v1", kind: "List", metadata: { resourceVersion: String(this.rv) }, items });
  }

  private item(kind: Kind, group: string, ns: string, name: string, method: string, q: URLSearchParams, body: any, contentType: string | undefined, res: ServerResponse): void {
    const key = `${ns}/${name}`;
    const map = this.map(kind);
    const obj = map.get(key);
    const verb = method === "GET" ? "get" : method === "PATCH" ? "patch" : method === "DELETE" ? "delete" : "update";
    if (!this.permit(res, verb, group, kind, "", ns)) return;
    if (!obj) return send(res, 404, status(404, "NotFound", `${kind === "jobs" ? "jobs.batch" : kind} "${name}" not found`));
    if (method === "GET") return send(res, 200, obj);
    if (method === "PATCH") {
      if (contentType !== "application/merge-patch+json") {
        return send(res, 415, status(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json`));
      }
      const expectedRv = body?.metadata?.resourceVersion;
      if (expectedRv !== undefined && expectedRv !== obj.metadata.resourceVersion) {
        return send(res, 409, status(409, "Conflict", `Operation cannot be fulfilled on ${kind} "${name}": the object has been modified; please apply your changes to the latest version and try again`));
      }
      mergePatch(obj, body);
      return send(res, 200, this.record(kind, "MODIFIED", obj));
    }
    if (method === "DELETE") {
      const uid = body?.preconditions?.uid;
      if (uid !== undefined && uid !== obj.metadata.uid) {
        return send(res, 409, status(409, "Conflict", `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${obj.metadata.uid}`));
      }
      map.delete(key);
      this.record(kind, "DELETED", obj);
      // As on a real API server: a DeleteOptions body replaces the query parameters, and batch/v1 Jobs
      // orphan their pods and Secrets unless a policy says otherwise.
      const policy = body ? body.propagationPolicy : q.get("propagationPolicy");
      if (kind === "jobs" && (policy === "Background" || policy === "Foreground")) this.collectGarbage(obj);
      return send(res, 200, { kind: "Status", apiVersion: "v1", status: "Success", details: { name, kind } });
    }
    send(res, 405, status(405, "MethodNotAllowed", method));
  }

  private collectGarbage(job: Obj): void {
    for (const kind of ["secrets", "pods"] as const) {
      for (const o of [...this.map(kind).values()]) {
        if ((o.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === job.metadata.uid)) this.remove(kind, o.metadata.namespace, o.metadata.name);
      }
    }
  }

  private watch(kind: Kind, ns: string, matches: (o: Obj) => boolean, q: URLSearchParams, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    const from = q.get("resourceVersion");
    const write = (type: string, object: Obj) => res.write(JSON.stringify({ type, object }) + "\n");
    if (from !== null && from !== "" && from !== "0" && Number(from) < this.compactedRv) {
      write("ERROR", status(410, "Expired", `too old resource version: ${from} (${this.compactedRv})`));
      res.end();
      return;
    }
    if (from === null || from === "" || from === "0") {
      for (const o of this.map(kind).values()) if (o.metadata.namespace === ns && matches(o)) write("ADDED", o);
    } else {
      for (const e of this.events) if (e.rv > Number(from) && e.kind === kind && e.object.metadata.namespace === ns && matches(e.object)) write(e.type, e.object);
    }
    const watcher: Watcher = { kind, namespace: ns, matches, res };
    this.watchers.add(watcher);
    this.watchCountChanged();
    res.on("close", () => {
      if (this.watchers.delete(watcher)) this.watchCountChanged();
    });
    const timeout = Number(q.get("timeoutSeconds") ?? "0");
    if (timeout > 0) setTimeout(() => res.end(), timeout * 1000).unref();
  }

  private log(ns: string, podName: string, q: URLSearchParams, res: ServerResponse): void {
    if (!this.permit(res, "get", "", "pods", "log", ns)) return;
    if (!this.pods.has(`${ns}/${podName}`)) return send(res, 404, status(404, "NotFound", `pods "${podName}" not found`));
    this.logs.serve(ns, podName, q, res, this.logCutting);
  }

  // ---- bookkeeping ----

  private watchCountChanged(): void {
    for (const check of [...this.watchCountListeners]) check();
  }

  private map(kind: Kind): Map<string, Obj> {
    return kind === "jobs" ? this.jobs : kind === "pods" ? this.pods : this.secrets;
  }

  private store(kind: Kind, input: Obj): Obj {
    const obj = structuredClone(input);
    obj.metadata = { ...obj.metadata, uid: obj.metadata.uid ?? `uid-${++this.uidCounter}`, creationTimestamp: obj.metadata.creationTimestamp ?? "2026-01-01T00:00:00Z" };
    if (kind === "jobs") obj.status = obj.status ?? {};
    const existed = this.map(kind).has(`${obj.metadata.namespace}/${obj.metadata.name}`);
    this.map(kind).set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
    return this.record(kind, existed ? "MODIFIED" : "ADDED", obj);
  }

  private record(kind: Kind, type: WatchEvent["type"], obj: Obj): Obj {
    obj.metadata.resourceVersion = String(++this.rv);
    const event: WatchEvent = { rv: this.rv, kind, type, object: structuredClone(obj) };
    this.events.push(event);
    for (const w of this.watchers) {
      if (w.kind === kind && w.namespace === obj.metadata.namespace && w.matches(obj)) w.res.write(JSON.stringify({ type, object: event.object }) + "\n");
    }
    return structuredClone(obj);
  }
}

