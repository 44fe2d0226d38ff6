import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { apiError, bashReply, startScriptedAnthropicApi, subscriptionLimitError, textReply, type ScriptedAnthropicApi } from "./index.js";

const opened: ScriptedAnthropicApi[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function start(...args: Parameters<typeof startScriptedAnthropicApi>): Promise<ScriptedAnthropicApi> {
  const api = await startScriptedAnthropicApi(...args);
  opened.push(api);
  return api;
}

function post(base: string, body: unknown, path = "/v1/messages?beta=true"): Promise<Response> {
  return fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": "sk-test" }, body: JSON.stringify(body) });
}

function parseSse(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return text
    .split("\n\n")
    .filter((b) => b.trim() !== "")
    .map((b) => {
      const event = /^event: (.*)$/m.exec(b)![1]!;
      const data = JSON.parse(/^data: (.*)$/m.exec(b)![1]!) as Record<string, unknown>;
      return { event, data };
    });
}

// Responses in these tests are arbitrary JSON read field by field.
const body = (r: Response): Promise<any> => r.json() as Promise<any>;
const user = (text: string) => ({ role: "user", content: text });

describe("scripted Anthropic Messages API", () => {
  it("streams a text reply as the Messages API's SSE sequence with usage incl. cache tokens", async () => {
    const api = await start();
    const res = await post(api.scenarioUrl("cache-usage"), { model: "claude-sonnet-4-5", stream: true, messages: [user("hi")] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const start0 = events[0]!.data.message as Record<string, unknown>;
    expect(start0.model).toBe("claude-sonnet-4-5");
    expect(events[3]!.data.delta).toEqual({ type: "text_delta", text: "Cached answer." });
    expect(events[5]!.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { input_tokens: 7, output_tokens: 21, cache_creation_input_tokens: 2048, cache_read_input_tokens: 30000 },
    });
  });

  it("answers by conversation position: tool_use Bash first, text after the tool_result", async () => {
    const api = await start();
    const base = api.scenarioUrl("bash-echo");
    const first = await body(await post(base, { model: "m", messages: [user("run it")] }));
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content[0]).toMatchObject({ type: "tool_use", name: "Bash", input: { command: "echo hi" } });
    const toolId = first.content[0].id as string;
    const second = await (
      await post(base, {
        model: "m",
        messages: [user("run it"), { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: toolId, content: "hi" }] }],
      })
    ).json() as any;
    expect(second).toMatchObject({ stop_reason: "end_turn", content: [{ type: "text", text: "The command printed hi." }] });
    expect(api.requests("bash-echo").map((r) => [r.position, r.attempt])).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });

  it("streams thinking and tool_use blocks with their delta types", async () => {
    const api = await start({
      scenarios: {
        mixed: { turns: [{ kind: "reply", content: [{ type: "thinking", thinking: "hmm" }, { type: "tool_use", name: "Bash", input: { command: "ls" } }], chunkChars: 4 }] },
      },
    });
    const events = parseSse(await (await post(api.scenarioUrl("mixed"), { model: "m", stream: true, messages: [user("x")] })).text());
    const deltas = events.filter((e) => e.event === "content_block_delta").map((e) => (e.data.delta as { type: string }).type);
    expect(deltas).toEqual(["thinking_delta", "signature_delta", "input_json_delta", "input_json_delta", "input_json_delta", "input_json_delta"]);
    const json = events
      .filter((e) => (e.data.delta as { type?: string } | undefined)?.type === "input_json_delta")
      .map((e) => (e.data.delta as { partial_json: string }).partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual({ command: "ls" });
    expect((events.at(-2)!.data.delta as { stop_reason: string }).stop_reason).toBe("tool_use");
  });

  it("serves retries of the same conversation as successive attempts (429 with retry-after, then text)", async () => {
    const api = await start();
    const base = api.scenarioUrl("rate-limit-then-text");
    const request = { model: "m", messages: [user("q")] };
    const r1 = await post(base, request);
    expect(r1.status).toBe(429);
    expect(r1.headers.get("retry-after")).toBe("1");
    expect(await body(r1)).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    const r2 = await post(base, request);
    expect(r2.status).toBe(200);
    expect((await body(r2)).content[0].text).toBe("Answer after a retry.");
  });

  it("error turns carry the Anthropic error shape per status", async () => {
    const api = await start();
    const cases: Array<[string, number, string]> = [
      ["auth-401", 401, "authentication_error"],
      ["forbidden-403", 403, "permission_error"],
      ["unknown-model-404", 404, "not_found_error"],
      ["server-500", 500, "api_error"],
      ["overloaded-529", 529, "overloaded_error"],
      ["prompt-too-long", 400, "invalid_request_error"],
    ];
    for (const [scenario, status, type] of cases) {
      const res = await post(api.scenarioUrl(scenario), { model: "m", stream: true, messages: [user("q")] });
      expect([scenario, res.status]).toEqual([scenario, status]);
      expect((await body(res)).error.type).toBe(type);
    }
  });

  it("renders subscription-limit headers against the clock", async () => {
    const api = await start({ now: () => 1_767_225_600_000, scenarios: { sub: { turns: [subscriptionLimitError({ claim: "five_hour", resetsInSeconds: 7200 })] } } });
    const res = await post(api.scenarioUrl("sub"), { model: "m", messages: [user("q")] });
    expect(res.status).toBe(429);
    expect(res.headers.get("anthropic-ratelimit-unified-status")).toBe("rejected");
    expect(res.headers.get("anthropic-ratelimit-unified-reset")).toBe("1767232800");
    expect(res.headers.get("anthropic-ratelimit-unified-representative-claim")).toBe("five_hour");
    expect(res.headers.get("anthropic-ratelimit-unified-5h-status")).toBe("rejected");
  });

  it("drops the connection before a response and mid-stream", async () => {
    const api = await start();
    await expect(post(api.scenarioUrl("drop-before-response"), { model: "m", messages: [user("q")] })).rejects.toThrow();
    const res = await post(api.scenarioUrl("drop-mid-stream"), { model: "m", stream: true, messages: [user("q")] });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(api.requests().map((r) => r.response)).toEqual(["dropped", "dropped"]);
  });

  it("streams a slow reply whole and close() ends a stream still in progress", async () => {
    const api = await start({ scenarios: { slow: { turns: [textReply("abcdef", { delayMs: 5, chunkChars: 1 })] }, stuck: { turns: [textReply("x", { delayMs: 60_000 })] } } });
    const events = parseSse(await (await post(api.scenarioUrl("slow"), { model: "m", stream: true, messages: [user("q")] })).text());
    expect(events.filter((e) => e.event === "content_block_delta")).toHaveLength(6);
    const stuck = post(api.scenarioUrl("stuck"), { model: "m", stream: true, messages: [user("q")] });
    const res = await stuck;
    const body = res.text();
    await opened.pop()!.close();
    await expect(body).rejects.toThrow();
  });

  it("a gated reply stops after its first events until POST /_gates/<name> opens the gate, then streams the rest", async () => {
    const api = await start({ scenarios: { held: { turns: [textReply("abc", { chunkChars: 1, gate: { name: "g-1", afterEvents: 3 } })] } } });
    expect(await body(await fetch(`${api.url}/_gates/g-1`))).toEqual({ gate: "g-1", open: false, held: 0 });
    const res = await post(api.scenarioUrl("held"), { model: "m", stream: true, messages: [user("q")] });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (parseSse(text).length < 3) text += decoder.decode((await reader.read()).value, { stream: true });
    // Held: the third event is the last one written until the gate opens, so the test may now act.
    expect(parseSse(text).map((e) => e.event)).toEqual(["message_start", "ping", "content_block_start"]);
    while (api.gate("g-1").held === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(await body(await fetch(`${api.url}/_gates/g-1`))).toEqual({ gate: "g-1", open: false, held: 1 });
    expect(await body(await fetch(`${api.url}/_gates/g-1`, { method: "POST" }))).toEqual({ gate: "g-1", open: true, held: 0 });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    const events = parseSse(text);
    expect(events.filter((e) => e.event === "content_block_delta").map((e) => (e.data.delta as { text: string }).text).join("")).toBe("abc");
    expect(events.at(-1)!.event).toBe("message_stop");
    // An open gate stays open: the next stream passes it without stopping.
    expect(parseSse(await (await post(api.scenarioUrl("held"), { model: "m", stream: true, messages: [user("again")] })).text()).at(-1)!.event).toBe("message_stop");
  });

  it("refuses a gate without a valid name or event count, naming the field", async () => {
    const api = await start();
    const put = (gate: unknown) => fetch(`${api.url}/_scenarios/gated`, { method: "PUT", body: JSON.stringify({ turns: [{ kind: "reply", content: [], gate }] }) });
    expect((await body(await put({ name: "a/b", afterEvents: 1 }))).error.message).toBe('scenario gated: turns[0].gate.name must match [A-Za-z0-9._-]+, got "a/b"');
    expect((await body(await put({ name: "ok" }))).error.message).toBe("scenario gated: turns[0].gate.afterEvents must be a non-negative integer, got undefined");
    expect((await body(await put({ name: "ok", afterEvents: -1 }))).error.message).toBe("scenario gated: turns[0].gate.afterEvents must be a non-negative integer, got -1");
  });

  it("records every request and serves them on GET /_requests; DELETE clears", async () => {
    const api = await start();
    await post(api.scenarioUrl("text"), { model: "m", messages: [user("hello")] });
    await fetch(`${api.url}/`, { method: "HEAD" });
    const listed = (await body(await fetch(`${api.url}/_requests`))) as Array<Record<string, unknown>>;
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({
      seq: 1,
      method: "POST",
      url: "/s/text/v1/messages?beta=true",
      scenario: "text",
      position: 0,
      attempt: 0,
      response: 200,
      body: { model: "m", messages: [{ role: "user", content: "hello" }] },
    });
    expect((listed[0]!.headers as Record<string, string>)["x-api-key"]).toBe("sk-test");
    expect(listed[1]).toMatchObject({ method: "HEAD", scenario: null, response: 200 });
    expect(await body(await fetch(`${api.url}/_requests?scenario=text`))).toHaveLength(1);
    expect((await fetch(`${api.url}/_requests`, { method: "DELETE" })).status).toBe(204);
    expect(api.requests()).toEqual([]);
  });

  it("answers probes and unknown routes sanely, and names unknown scenarios", async () => {
    const api = await start();
    const probe = await fetch(`${api.url}/`);
    expect(probe.status).toBe(200);
    expect((await body(probe)).scenarios).toContain("bash-echo");
    expect((await fetch(`${api.scenarioUrl("text")}/v1/messages`)).status).toBe(405);
    expect((await fetch(`${api.url}/nope`)).status).toBe(404);
    const unknown = await post(api.scenarioUrl("no-such"), { model: "m", messages: [] });
    expect(unknown.status).toBe(404);
    expect((await body(unknown)).error.message).toMatch(/unknown scenario "no-such"; known: .*bash-echo/);
    const bad = await fetch(`${api.url}/v1/messages`, { method: "POST", body: "not json" });
    expect(bad.status).toBe(400);
    const count = await post(api.url, { model: "m", messages: [user("abcd")] }, "/v1/messages/count_tokens");
    expect((await body(count)).input_tokens).toBeGreaterThan(0);
  });

  it("accepts scenarios over PUT /_scenarios/<name> and refuses malformed ones naming the field", async () => {
    const api = await start();
    const ok = await fetch(`${api.url}/_scenarios/mine`, { method: "PUT", body: JSON.stringify({ turns: [bashReply("date"), apiError(500)] }) });
    expect(ok.status).toBe(200);
    const first = await body(await post(api.scenarioUrl("mine"), { model: "m", messages: [user("q")] }));
    expect(first.content[0].input.command).toBe("date");
    const bad = await fetch(`${api.url}/_scenarios/broken`, { method: "PUT", body: JSON.stringify({ turns: [{ kind: "error", status: 200 }] }) });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error).toEqual({ code: "scenario_invalid", message: "scenario broken: turns[0].status must be an HTTP error status 400–599, got 200" });
    expect(() => api.setScenario("x", { turns: [] })).toThrow(/turns must be a non-empty array/);
    const list = await body(await fetch(`${api.url}/_scenarios`));
    expect(list.mine).toBe("");
  });

  it("the default scenario serves /v1/messages without a prefix", async () => {
    const api = await start({ defaultScenario: "bash-echo" });
    const msg = await body(await post(api.url, { model: "m", messages: [user("q")] }));
    expect(msg.content[0].name).toBe("Bash");
  });
});

describe("standalone process", () => {
  const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin.js");

  it("prints its URL, serves, and exits 0 on SIGTERM (needs the package built: turbo builds it before test)", async () => {
    expect(existsSync(bin), `${bin} missing: build the package first`).toBe(true);
    const child = spawn(process.execPath, [bin, "--host", "127.0.0.1", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const nl = out.indexOf("\n");
          if (nl >= 0) resolve(out.slice(0, nl));
        });
        child.once("exit", (code) => reject(new Error(`exited ${code} before printing its URL`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const msg = await body(await post(`${url}/s/text`, { model: "m", messages: [user("q")] }));
      expect(msg.content[0].text).toBe("Hello from the scripted API.");
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses a bad port with a clear message and exit 2", async () => {
    const child = spawn(process.execPath, [bin, "--port", "http"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(err).toContain("--port must be an integer 0–65535, got http");
  });
});
