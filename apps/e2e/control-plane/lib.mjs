// Helpers shared by start.mjs, kubelet-sim.mjs, smoke.mjs and the real-node harness (Node 20, ESM).
//
//  - KubeClient: Kubernetes API requests by path as one identity, with JSON helpers, raw streaming
//    (pods/log) and watch. Credentials and TLS come from @kubernetes/client-node's KubeConfig, watches from
//    its Watch; what stays here is one pooled HTTPS request per call, since the tests speak to the API by
//    path (subresources, /readyz, pods/log streams) rather than through typed API classes.
//  - parseYaml / toYaml: the `yaml` package (rbac.yaml, kubeconfigs, kubelet and kwok configs).
//  - readKubeconfig: one of our kubeconfigs (its current context) as KubeClient options, via KubeConfig.
//  - freePort, waitFor, sleep.
import https from 'node:https';
import net from 'node:net';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import YAML from 'yaml';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Ask the kernel for a free TCP port on 127.0.0.1 (closed again before returning). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Poll `fn` until it returns a truthy value; throws after `timeoutMs` with the last error/value. */
export async function waitFor(fn, { timeoutMs = 30000, intervalMs = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(intervalMs);
  }
}

export class KubeError extends Error {
  constructor(method, path, status, body) {
    let msg = body;
    try {
      const j = JSON.parse(body);
      if (j && j.message) msg = j.message;
    } catch {
      /* not JSON */
    }
    super(`${method} ${path} -> ${status}: ${String(msg).slice(0, 500)}`);
    this.status = status;
    this.body = body;
  }
}

/** A client-node KubeConfig with one cluster, one user (client certificate or bearer token), one context. */
function kubeConfigFor({ server, ca, cert, key, token }) {
  const b64 = (s) => (s ? Buffer.from(s).toString('base64') : undefined);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'cluster', server, caData: b64(ca), skipTLSVerify: false }],
    users: [{ name: 'user', certData: b64(cert), keyData: b64(key), token }],
    contexts: [{ name: 'context', cluster: 'cluster', user: 'user' }],
    currentContext: 'context',
  });
  return kc;
}

/**
 * Kubernetes API requests by path as one identity.
 * opts: { server: 'https://127.0.0.1:6443', ca: PEM, cert?: PEM, key?: PEM, token?: string }
 */
export class KubeClient {
  constructor(opts) {
    this.server = new URL(opts.server);
    this.kubeConfig = kubeConfigFor(opts);
    this.connection = null;
  }

  /** TLS material and the Authorization header as client-node applies them, with one keep-alive agent. */
  connect() {
    this.connection ??= (async () => {
      const o = {};
      await this.kubeConfig.applyToHTTPSOptions(o);
      const agent = new https.Agent({ ca: o.ca, cert: o.cert, key: o.key, keepAlive: true, maxSockets: 32 });
      return { agent, headers: o.headers ?? {} };
    })();
    return this.connection;
  }

  /** Low-level request. Resolves to the IncomingMessage (not consumed). */
  async raw(method, path, { query, body, contentType, headers = {}, signal } = {}) {
    const { agent, headers: auth } = await this.connect();
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    const h = { Accept: 'application/json', ...auth, ...headers };
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['Content-Type'] = contentType ?? 'application/json';
      h['Content-Length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, agent, headers: h, signal }, resolve);
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** JSON request; throws KubeError on non-2xx. */
  async request(method, path, opts = {}) {
    const res = await this.raw(method, path, opts);
    const text = await readAll(res);
    if (res.statusCode < 200 || res.statusCode >= 300) throw new KubeError(method, path, res.statusCode, text);
    return text ? JSON.parse(text) : undefined;
  }

  get(path, query) { return this.request('GET', path, { query }); }
  post(path, body, query) { return this.request('POST', path, { body, query }); }
  put(path, body) { return this.request('PUT', path, { body }); }
  delete(path, body, query) { return this.request('DELETE', path, { body, query }); }
  /** patchType: 'merge' | 'strategic' | 'json' | 'apply' */
  patch(path, body, patchType = 'merge', query) {
    const ct = {
      merge: 'application/merge-patch+json',
      strategic: 'application/strategic-merge-patch+json',
      json: 'application/json-patch+json',
      apply: 'application/apply-patch+yaml',
    }[patchType];
    return this.request('PATCH', path, { body, contentType: ct, query });
  }

  /** Create; on 409 AlreadyExists return the existing object (GET path/name). */
  async ensure(collectionPath, obj) {
    try {
      return await this.post(collectionPath, obj);
    } catch (e) {
      if (e.status === 409) return this.get(`${collectionPath}/${obj.metadata.name}`);
      throw e;
    }
  }

  /**
   * Watch a collection (client-node's Watch, with bookmarks). Calls onEvent({type, object}) for each event
   * until `signal` aborts or the server ends the stream, then resolves. Rejects with a KubeError on a
   * non-200 answer, and with what onEvent threw (the watch is stopped then).
   */
  watch(path, query, onEvent, signal) {
    return new Promise((resolve, reject) => {
      let controller = null;
      let thrown = null;
      const onAbort = () => controller?.abort();
      const done = (err) => {
        signal?.removeEventListener('abort', onAbort);
        if (thrown) reject(thrown);
        else if (err && !signal?.aborted && err.name !== 'AbortError' && err.code !== 'ECONNRESET') {
          reject(err.statusCode ? new KubeError('GET', path, err.statusCode, err.message) : err);
        } else resolve();
      };
      const event = (type, object) => {
        if (thrown) return;
        try {
          onEvent({ type, object });
        } catch (e) {
          thrown = e;
          controller?.abort();
        }
      };
      new Watch(this.kubeConfig).watch(path, { ...query, allowWatchBookmarks: true }, event, done).then((c) => {
        controller = c;
        if (signal?.aborted || thrown) c.abort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      }, done);
    });
  }
}

export function readAll(res) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** Every non-empty document of a YAML stream (`---` separated), as plain data; throws on a syntax error. */
export function parseYaml(text) {
  return YAML.parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`yaml: ${doc.errors[0].message}`);
      return doc.toJS();
    })
    .filter((v) => v !== null && v !== undefined);
}

/** Plain JSON data as block YAML. */
export function toYaml(v) {
  return YAML.stringify(v);
}

/** Read one of the kubeconfigs written by start.mjs (its current context) into KubeClient options. */
export function readKubeconfig(path) {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const ctx = kc.getContextObject(kc.getCurrentContext());
  const b64 = (s) => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  return {
    server: cluster.server,
    ca: b64(cluster.caData),
    cert: b64(user.certData),
    key: b64(user.keyData),
    token: user.token,
    namespace: ctx.namespace,
  };
}
