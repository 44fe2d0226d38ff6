// Small, dependency-free helpers shared by start.mjs, kubelet-sim.mjs and smoke.mjs (Node 20, ESM).
//
//  - KubeClient: a minimal HTTPS client for the Kubernetes API (CA-verified; client cert or bearer token),
//    with JSON helpers, raw streaming (pods/log) and watch.
//  - parseYaml / toYaml: the YAML subset used by rbac.yaml and the kubeconfigs written here.
//  - readKubeconfig: turn one of our kubeconfigs into KubeClient options.
//  - freePort, waitFor, sleep.
import https from 'node:https';
import net from 'node:net';
import fs from 'node:fs';

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

/**
 * Minimal Kubernetes API client.
 * opts: { server: 'https://127.0.0.1:6443', ca: PEM, cert?: PEM, key?: PEM, token?: string }
 */
export class KubeClient {
  constructor({ server, ca, cert, key, token }) {
    this.server = new URL(server);
    this.token = token;
    this.agent = new https.Agent({ ca, cert, key, keepAlive: true, maxSockets: 32 });
  }

  /** Low-level request. Resolves to the IncomingMessage (not consumed). */
  raw(method, path, { query, body, contentType, headers = {}, signal } = {}) {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    const h = { Accept: 'application/json', ...headers };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['Content-Type'] = contentType ?? 'application/json';
      h['Content-Length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, agent: this.agent, headers: h, signal }, resolve);
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
   * Watch a collection. Calls onEvent({type, object}) for each event until `signal` aborts or the server
   * ends the stream. Returns when the stream ends. Throws KubeError on non-2xx.
   */
  async watch(path, query, onEvent, signal) {
    const res = await this.raw('GET', path, { query: { ...query, watch: '1', allowWatchBookmarks: 'true' }, signal });
    if (res.statusCode !== 200) throw new KubeError('GET', path, res.statusCode, await readAll(res));
    res.setEncoding('utf8');
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line) await onEvent(JSON.parse(line));
        }
      }
    } catch (e) {
      if (signal?.aborted || e.name === 'AbortError' || e.code === 'ECONNRESET') return;
      throw e;
    }
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

// ---------------------------------------------------------------------------------------------------
// YAML subset: block mappings, block sequences (incl. "- key: v" maps), flow sequences of scalars
// ([a, "b"]), quoted/plain scalars, comments, multiple documents (---). Enough for rbac.yaml and the
// kubeconfigs this package writes; not a general YAML parser.
// ---------------------------------------------------------------------------------------------------
export function parseYaml(text) {
  const docs = [];
  for (const chunk of text.split(/^---\s*$/m)) {
    const lines = [];
    for (const raw of chunk.split('\n')) {
      const noComment = stripComment(raw);
      if (!noComment.trim()) continue;
      lines.push({ indent: noComment.length - noComment.trimStart().length, text: noComment.trim() });
    }
    if (!lines.length) continue;
    const pos = { i: 0 };
    docs.push(parseBlock(lines, pos, lines[0].indent));
  }
  return docs;
}

function stripComment(line) {
  let q = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === q) q = null;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i).replace(/\s+$/, '');
  }
  return line.replace(/\s+$/, '');
}

function parseBlock(lines, pos, indent) {
  if (lines[pos.i].text.startsWith('- ') || lines[pos.i].text === '-') return parseSeq(lines, pos, indent);
  return parseMap(lines, pos, indent);
}

function parseSeq(lines, pos, indent) {
  const out = [];
  while (pos.i < lines.length && lines[pos.i].indent === indent && (lines[pos.i].text.startsWith('- ') || lines[pos.i].text === '-')) {
    const line = lines[pos.i];
    const rest = line.text === '-' ? '' : line.text.slice(2).trim();
    if (!rest) {
      pos.i++;
      out.push(pos.i < lines.length && lines[pos.i].indent > indent ? parseBlock(lines, pos, lines[pos.i].indent) : null);
    } else if (isMapEntry(rest)) {
      // "- key: v" starts a mapping whose further keys are indented to the column after "- ".
      const childIndent = indent + (line.text.length - rest.length);
      lines[pos.i] = { indent: childIndent, text: rest };
      out.push(parseMap(lines, pos, childIndent));
    } else {
      pos.i++;
      out.push(parseScalar(rest));
    }
  }
  return out;
}

function isMapEntry(s) {
  if (s.startsWith('"') || s.startsWith("'") || s.startsWith('[') || s.startsWith('{')) return false;
  return /^[^\s:][^:]*:(\s|$)/.test(s);
}

function parseMap(lines, pos, indent) {
  const out = {};
  while (pos.i < lines.length && lines[pos.i].indent === indent) {
    const { text } = lines[pos.i];
    if (text.startsWith('- ')) break;
    const m = /^([^:]+?):(?:\s+(.*))?$/.exec(text);
    if (!m) throw new Error(`yaml: cannot parse line: ${text}`);
    const key = parseScalar(m[1].trim());
    const val = m[2];
    pos.i++;
    if (val !== undefined && val !== '') {
      out[key] = parseScalar(val);
    } else if (pos.i < lines.length && (lines[pos.i].indent > indent || (lines[pos.i].indent === indent && lines[pos.i].text.startsWith('- ')))) {
      out[key] = parseBlock(lines, pos, lines[pos.i].indent);
    } else {
      out[key] = null;
    }
  }
  return out;
}

function parseScalar(s) {
  s = s.trim();
  if (s.startsWith('[') && s.endsWith(']')) {
    const inner = s.slice(1, -1).trim();
    if (!inner) return [];
    return splitFlow(inner).map(parseScalar);
  }
  if (s.startsWith('{') && s.endsWith('}')) {
    const inner = s.slice(1, -1).trim();
    const o = {};
    if (inner) for (const part of splitFlow(inner)) {
      const i = part.indexOf(':');
      o[parseScalar(part.slice(0, i))] = parseScalar(part.slice(i + 1));
    }
    return o;
  }
  if (s.startsWith('"') && s.endsWith('"')) return JSON.parse(s);
  if (s.startsWith("'") && s.endsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s === 'null' || s === '~') return null;
  if (/^-?\d+$/.test(s)) return Number(s);
  return s;
}

function splitFlow(s) {
  const parts = [];
  let depth = 0, q = null, cur = '';
  for (const c of s) {
    if (q) { cur += c; if (c === q) q = null; continue; }
    if (c === '"' || c === "'") { q = c; cur += c; continue; }
    if (c === '[' || c === '{') depth++;
    if (c === ']' || c === '}') depth--;
    if (c === ',' && depth === 0) { parts.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

/** Serialise plain JSON data as block YAML (strings always double-quoted: safe and JSON-compatible). */
export function toYaml(v, indent = 0) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (!v.length) return `${pad}[]\n`;
    return v
      .map((item) => {
        if (item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length) {
          const body = toYaml(item, indent + 2);
          return `${pad}- ${body.slice(indent + 2)}`;
        }
        return `${pad}- ${scalarYaml(item)}\n`;
      })
      .join('');
  }
  if (v && typeof v === 'object') {
    return Object.entries(v)
      .map(([k, val]) => {
        if (val && typeof val === 'object' && (Array.isArray(val) ? val.length : Object.keys(val).length)) {
          return `${pad}${k}:\n${toYaml(val, Array.isArray(val) ? indent : indent + 2)}`;
        }
        return `${pad}${k}: ${Array.isArray(val) ? '[]' : val && typeof val === 'object' ? '{}' : scalarYaml(val)}\n`;
      })
      .join('');
  }
  return `${pad}${scalarYaml(v)}\n`;
}

function scalarYaml(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/** Read one of the kubeconfigs written by start.mjs (current context) into KubeClient options. */
export function readKubeconfig(path) {
  const [kc] = parseYaml(fs.readFileSync(path, 'utf8'));
  const ctxName = kc['current-context'];
  const ctx = kc.contexts.find((c) => c.name === ctxName).context;
  const cluster = kc.clusters.find((c) => c.name === ctx.cluster).cluster;
  const user = kc.users.find((u) => u.name === ctx.user).user;
  const b64 = (s) => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  return {
    server: cluster.server,
    ca: b64(cluster['certificate-authority-data']),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
    token: user.token,
    namespace: ctx.namespace,
  };
}
