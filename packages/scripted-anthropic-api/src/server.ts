// The HTTP server: routes `/s/<scenario>/v1/messages` (or `/v1/messages` → the default scenario) to a
// scenario's turn, records every request, and serves the admin endpoints `/_requests` and `/_scenarios`.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { builtinScenarios } from "./builtin-scenarios.js";
import { Gates, type GateState } from "./gates.js";
import { encodeSse, errorBody, errorHeaders, IdSource, messageObject, sseEvents } from "./messages.js";
import { parseScenario, ScenarioError, turnFor, type Scenario, type Turn } from "./scenario.js";

/** One request as the server received it. */
export interface RecordedRequest {
  /** 1, 2, … in arrival order. */
  seq: number;
  /** ISO 8601. */
  receivedAt: string;
  method: string;
  /** Path and query as sent, e.g. `/s/bash-echo/v1/messages?beta=true`. */
  url: string;
  /** The scenario the path selected, or null for probes and admin calls. */
  scenario: string | null;
  /** Lower-case header names, as Node parsed them. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, else the text; null when empty. */
  body: unknown;
  /** For messages calls: the conversation position and retry attempt the turn was chosen for. */
  position?: number;
  attempt?: number;
  /** What the server did: an HTTP status, or "dropped". */
  response?: number | "dropped";
}

export interface ScriptedAnthropicApiOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Added to (and overriding) the built-in scenarios. */
  scenarios?: Record<string, Scenario>;
  /** The scenario for `/v1/messages` without a `/s/<name>` prefix. Default "text". */
  defaultScenario?: string;
  /** Milliseconds since the epoch, for subscription-limit reset headers. Default Date.now. */
  now?: () => number;
}

export interface ScriptedAnthropicApi {
  /** `http://host:port` (the base URL for the default scenario). */
  url: string;
  port: number;
  /** The base URL that selects a scenario: `http://host:port/s/<name>` (an ANTHROPIC_BASE_URL). */
  scenarioUrl(name: string): string;
  /** Every request so far, optionally only those of one scenario. */
  requests(scenario?: string): RecordedRequest[];
  clearRequests(): void;
  /** Adds or replaces a scenario; throws ScenarioError when it is malformed. */
  setScenario(name: string, scenario: Scenario): void;
  /** A reply gate's state (see ReplyTurn.gate). */
  gate(name: string): GateState;
  /** Opens a reply gate: the streams it holds continue. */
  openGate(name: string): GateState;
  /** Stops listening and destroys open connections (slow streams included). */
  close(): Promise<void>;
}

/** A held stream's keep-alive: the Messages API's own `ping` event. */
const GATE_PING_MS = 10_000;
const MESSAGES_PATH = /^(?:\/s\/([^/]+))?\/v1\/messages(\/count_tokens)?\/?$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function anthropicError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: "error", error: { type, message } });
}

/** Resolves after `ms`, or at once when the response closes (client gone or server closing). */
function waitUnlessClosed(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once("close", done);
  });
}

/** Writes and waits until the chunk left for the socket, so a following destroy cuts after it. */
function writeFlushed(res: ServerResponse, chunk: string): Promise<void> {
  return new Promise((resolve) => res.write(chunk, () => resolve()));
}

/** Starts the server; resolves once it listens. */
export async function startScriptedAnthropicApi(options: ScriptedAnthropicApiOptions = {}): Promise<ScriptedAnthropicApi> {
  const scenarios = new Map<string, Scenario>();
  for (const [name, s] of Object.entries({ ...builtinScenarios, ...(options.scenarios ?? {}) })) scenarios.set(name, parseScenario(s, name));
  const defaultScenario = options.defaultScenario ?? "text";
  const now = options.now ?? Date.now;
  const ids = new IdSource();
  const recorded: RecordedRequest[] = [];
  const attempts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const gates = new Gates();
  let seq = 0;

  async function serveTurn(res: ServerResponse, rec: RecordedRequest, turn: Turn, body: Record<string, unknown>): Promise<void> {
    const requestId = ids.next("req");
    if (turn.kind === "drop") {
      rec.response = "dropped";
      res.socket?.destroy();
      return;
    }
    if (turn.kind === "error") {
      rec.response = turn.status;
      sendJson(res, turn.status, errorBody(turn, requestId), { "request-id": requestId, ...errorHeaders(turn, now()) });
      return;
    }
    const headers = { "request-id": requestId, ...(turn.headers ?? {}) };
    if (body.stream !== true) {
      if (turn.dropAfterEvents !== undefined) {
        rec.response = "dropped";
        res.socket?.destroy();
        return;
      }
      rec.response = 200;
      sendJson(res, 200, messageObject(turn, body, ids), headers);
      return;
    }
    rec.response = 200;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", ...headers });
    res.flushHeaders();
    const events = sseEvents(turn, body, ids);
    for (let i = 0; i < events.length; i++) {
      if (turn.dropAfterEvents !== undefined && i >= turn.dropAfterEvents) {
        rec.response = "dropped";
        res.socket?.destroy();
        return;
      }
      if (turn.gate && i === turn.gate.afterEvents && !res.destroyed) {
        const closed = new Promise<void>((resolve) => res.once("close", () => resolve()));
        await gates.pass(turn.gate.name, closed, () => res.write(encodeSse({ event: "ping", data: { type: "ping" } })), GATE_PING_MS);
      }
      if (turn.delayMs) await waitUnlessClosed(res, turn.delayMs);
      if (res.destroyed) return;
      await writeFlushed(res, encodeSse(events[i]!));
    }
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const path = url.split("?")[0]!;
    const method = req.method ?? "GET";
    const text = await readBody(req);
    const body = parseBody(text);

    if (path === "/_requests") {
      if (method === "DELETE") {
        recorded.length = 0;
        res.writeHead(204).end();
      } else {
        const only = new URL(url, "http://x").searchParams.get("scenario");
        sendJson(res, 200, only ? recorded.filter((r) => r.scenario === only) : recorded);
      }
      return;
    }
    if (path === "/_scenarios" && method === "GET") {
      sendJson(res, 200, Object.fromEntries([...scenarios].map(([n, s]) => [n, s.description ?? ""])));
      return;
    }
    const gate = /^\/_gates\/([A-Za-z0-9._-]+)$/.exec(path);
    if (gate && (method === "GET" || method === "POST")) {
      sendJson(res, 200, method === "POST" ? gates.open(gate[1]!) : gates.state(gate[1]!));
      return;
    }
    const put = /^\/_scenarios\/([^/]+)$/.exec(path);
    if (put && method === "PUT") {
      try {
        scenarios.set(put[1]!, parseScenario(body, put[1]!));
        sendJson(res, 200, { ok: true, scenario: put[1] });
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        sendJson(res, 400, { error: { code: e.code, message: e.message } });
      }
      return;
    }

    const m = MESSAGES_PATH.exec(path);
    const rec: RecordedRequest = {
      seq: ++seq,
      receivedAt: new Date(now()).toISOString(),
      method,
      url,
      scenario: m ? decodeURIComponent(m[1] ?? defaultScenario) : null,
      headers: req.headers,
      body,
    };
    recorded.push(rec);

    if (method === "HEAD") {
      rec.response = 200;
      res.writeHead(200).end();
      return;
    }
    if (!m) {
      if (method === "GET" && (path === "/" || path === "" || /^\/s\/[^/]+\/?$/.test(path))) {
        rec.response = 200;
        sendJson(res, 200, { service: "scripted-anthropic-api", scenarios: [...scenarios.keys()] });
        return;
      }
      rec.response = 404;
      anthropicError(res, 404, "not_found_error", `no route for ${method} ${path}; messages are served at /v1/messages or /s/<scenario>/v1/messages`);
      return;
    }
    if (method !== "POST") {
      rec.response = 405;
      anthropicError(res, 405, "invalid_request_error", `${method} ${path}: only POST is served here`);
      return;
    }
    const scenario = scenarios.get(rec.scenario!);
    if (!scenario) {
      rec.response = 404;
      anthropicError(res, 404, "not_found_error", `unknown scenario ${JSON.stringify(rec.scenario)}; known: ${[...scenarios.keys()].join(", ")}`);
      return;
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      rec.response = 400;
      anthropicError(res, 400, "invalid_request_error", "the request body must be a JSON object");
      return;
    }
    const request = body as Record<string, unknown>;
    const messages = Array.isArray(request.messages) ? (request.messages as Array<{ role?: unknown }>) : [];
    if (m[2]) {
      rec.response = 200;
      sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(JSON.stringify(messages).length / 4)) });
      return;
    }
    const position = messages.filter((x) => x && x.role === "assistant").length;
    const key = `${rec.scenario}\u0000${createHash("sha256").update(JSON.stringify(messages)).digest("hex")}`;
    const attempt = attempts.get(key) ?? 0;
    attempts.set(key, attempt + 1);
    rec.position = position;
    rec.attempt = attempt;
    await serveTurn(res, rec, turnFor(scenario, { position, attempt, body: request }), request);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) res.destroy();
      else anthropicError(res, 500, "api_error", `scripted API failure: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    url,
    port: address.port,
    scenarioUrl: (name) => `${url}/s/${encodeURIComponent(name)}`,
    requests: (scenario) => (scenario === undefined ? [...recorded] : recorded.filter((r) => r.scenario === scenario)),
    clearRequests: () => {
      recorded.length = 0;
    },
    setScenario: (name, scenario) => {
      scenarios.set(name, parseScenario(scenario, name));
    },
    gate: (name) => gates.state(name),
    openGate: (name) => gates.open(name),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        for (const s of sockets) s.destroy();
      }),
  };
}
