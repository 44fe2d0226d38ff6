import { describe, expect, it } from "vitest";
import { SIMULATED_SCENARIOS } from "@clipjob/core";
import { FakeCluster } from "./fake-cluster.js";
import { PROGRAMS } from "./programs/builtin-programs.js";
import { baseSpec } from "./testing/base-spec.js";
import { events, runToEnd, until } from "./testing/run-helpers.js";

type Ev = Record<string, unknown>;
const result = (evs: Ev[]) => evs.find((e) => e["type"] === "result");

const table: { program: string; exitCode: number; reason: string; check: (evs: Ev[], lines: string[]) => void }[] = [
  {
    program: "success",
    exitCode: 0,
    reason: "Completed",
    check: (evs) => {
      const init = evs[0]!;
      expect(init).toMatchObject({ type: "system", subtype: "init", model: expect.any(String), tools: expect.any(Array), session_id: expect.any(String) });
      const blocks = evs.filter((e) => e["type"] === "assistant").flatMap((e) => (e["message"] as { content: { type: string }[] }).content.map((c) => c.type));
      expect(blocks).toEqual(expect.arrayContaining(["thinking", "text", "tool_use"]));
      expect(evs.some((e) => e["type"] === "user")).toBe(true);
      expect(result(evs)).toMatchObject({
        subtype: "success",
        is_error: false,
        result: expect.stringContaining("Fix the failing test"),
        session_id: init["session_id"],
        num_turns: expect.any(Number),
        total_cost_usd: expect.any(Number),
        stop_reason: "end_turn",
        usage: { cache_creation_input_tokens: expect.any(Number), cache_read_input_tokens: expect.any(Number) },
        modelUsage: expect.any(Object),
      });
    },
  },
  { program: "truncated", exitCode: 137, reason: "Error", check: (_evs, lines) => expect(() => JSON.parse(lines.at(-1)!)).toThrow() },
  { program: "init-only", exitCode: 1, reason: "Error", check: (evs) => expect(evs.map((e) => e["subtype"] ?? e["type"])).toEqual(["init"]) },
  { program: "auth-required", exitCode: 1, reason: "Error", check: (evs) => expect(result(evs)).toMatchObject({ is_error: true, result: expect.stringMatching(/login/) }) },
  { program: "stale-session", exitCode: 1, reason: "Error", check: (evs) => expect(result(evs)).toMatchObject({ is_error: true, result: expect.stringMatching(/^No conversation found with session ID/) }) },
  { program: "max-turns", exitCode: 1, reason: "Error", check: (evs) => expect(result(evs)).toMatchObject({ subtype: "error_max_turns", is_error: true }) },
  {
    program: "empty-response",
    exitCode: 1,
    reason: "Error",
    check: (evs) => {
      expect(result(evs)).toBeUndefined();
      expect(evs.find((e) => e["type"] === "assistant")).toMatchObject({ message: { stop_reason: null, usage: { output_tokens: 0 } } });
    },
  },
  {
    program: "rate-limited",
    exitCode: 1,
    reason: "Error",
    check: (evs) => {
      expect(evs.find((e) => e["type"] === "rate_limit_event")).toMatchObject({ rate_limit_info: { status: "rejected", resetsAt: expect.any(Number) } });
      expect(result(evs)).toMatchObject({ is_error: true, result: expect.stringMatching(/limit reached\|\d+/) });
    },
  },
  { program: "stderr-noise", exitCode: 0, reason: "Completed", check: (_evs, lines) => expect(lines.some((l) => l.startsWith("npm notice"))).toBe(true) },
  { program: "oom", exitCode: 137, reason: "OOMKilled", check: (evs) => expect(result(evs)).toBeUndefined() },
  // A real runtime that cannot exec the command: terminated, 128, StartError, nothing written.
  { program: "no-shell", exitCode: 128, reason: "StartError", check: (_evs, lines) => expect(lines).toEqual([]) },
  { program: "claude-missing", exitCode: 127, reason: "Error", check: (_evs, lines) => expect(lines).toEqual(["sh: 1: exec: claude: not found"]) },
];

describe("built-in programs", () => {
  for (const row of table) {
    it(`${row.program}: exit ${row.exitCode} (${row.reason})`, async () => {
      const fake = new FakeCluster();
      const { pod, lines } = await runToEnd(fake, baseSpec(`p-${row.program}`, row.program));
      expect(pod.containers[0]?.state).toMatchObject({ kind: "terminated", exitCode: row.exitCode, reason: row.reason });
      row.check(events(lines), lines);
      fake.dispose();
    });
  }

  it("huge-output writes the requested volume of stream-json and succeeds", async () => {
    const fake = new FakeCluster();
    const spec = baseSpec("huge", "huge-output", { env: [{ name: "SIM_OUTPUT_BYTES", source: { kind: "literal", value: String(2 * 1024 * 1024) } }] });
    const { pod, lines } = await runToEnd(fake, spec);
    expect(lines.reduce((n, l) => n + l.length, 0)).toBeGreaterThan(2 * 1024 * 1024);
    expect(pod.containers[0]?.state).toMatchObject({ exitCode: 0 });
    fake.dispose();
  });

  it("silent-then-success is silent for ten minutes after init", async () => {
    const fake = new FakeCluster();
    const { pod } = await runToEnd(fake, baseSpec("slow", "silent-then-success"));
    const log = fake.podLog(pod.ref.name);
    const gap = Date.parse(log[1]!.timestamp) - Date.parse(log[0]!.timestamp);
    expect(gap).toBeGreaterThanOrEqual(10 * 60_000);
    fake.dispose();
  });

  it("hang-after-result writes its result and keeps running until deleted (then 143)", async () => {
    const fake = new FakeCluster();
    const job = await fake.cluster.submit(baseSpec("hang", "hang-after-result"));
    const pod = await until(fake, async () => (await fake.cluster.listPods(job.ref))[0]);
    await until(fake, () => events(fake.podLog(pod.ref.name).map((e) => e.text)).some((e) => e["type"] === "result"));
    await fake.clock.sleep(60_000);
    expect((await fake.cluster.listPods(job.ref))[0]?.phase).toBe("Running");
    await fake.cluster.deleteJob(job.ref, "Foreground");
    await until(fake, async () => (await fake.cluster.getJob(job.ref)) === null);
    fake.dispose();
  });

  it("--resume continues a session a previous run created, and fails for an unknown one", async () => {
    const fake = new FakeCluster();
    const first = await runToEnd(fake, baseSpec("s1"));
    const sessionId = events(first.lines)[0]!["session_id"] as string;
    const args = (id: string) => ["--print", "-", "--output-format", "stream-json", "--verbose", "--resume", id];
    const spec = (name: string, id: string) => baseSpec(name, "success", { command: ["sh", "-c", 'exec "$0" "$@" < /var/run/clipjob/payload/prompt', "claude", ...args(id)], claudeArgs: args(id) });
    const resumed = await runToEnd(fake, spec("s2", sessionId));
    expect(result(events(resumed.lines))).toMatchObject({ session_id: sessionId, is_error: false });
    const stale = await runToEnd(fake, spec("s3", "11111111-2222-4333-8444-555555555555"));
    expect(stale.pod.containers[0]?.state).toMatchObject({ exitCode: 1 });
    expect(result(events(stale.lines))).toMatchObject({ is_error: true, result: "No conversation found with session ID: 11111111-2222-4333-8444-555555555555" });
    fake.dispose();
  });

  it("a program reads Claude's argv after `claude`, the prompt from the payload Secret, and its env", async () => {
    const fake = new FakeCluster();
    const seen: { argv: readonly string[]; prompt: string; env: Record<string, string> }[] = [];
    fake.registerProgram("probe", async (ctx) => {
      seen.push({ argv: ctx.argv, prompt: ctx.prompt, env: { ...ctx.env } });
      return 0;
    });
    const spec = baseSpec("probe", "probe", {
      payload: { prompt: "the prompt", runToken: "jwt-1" },
      env: [
        { name: "PAPERCLIP_API_KEY", source: { kind: "payload", key: "run-token" } },
        { name: "POD", source: { kind: "field", fieldPath: "metadata.name" } },
      ],
    });
    await runToEnd(fake, spec);
    // The planner's claude args, whatever they are today; they start with the stream-json print mode.
    expect(seen[0]?.argv).toEqual(spec.claudeArgs);
    expect(seen[0]?.argv.slice(0, 5)).toEqual(["--print", "-", "--output-format", "stream-json", "--verbose"]);
    expect(seen[0]?.prompt).toBe("the prompt");
    expect(seen[0]?.env["PAPERCLIP_API_KEY"]).toBe("jwt-1");
    expect(seen[0]?.env["POD"]).toMatch(/^probe-/);
    fake.dispose();
  });

  it("the scenarios users can pick are exactly the built-in programs but the contract-only script", () => {
    expect(Object.keys(PROGRAMS).filter((p) => p !== "script").sort()).toEqual([...SIMULATED_SCENARIOS].sort());
  });

  it("a command naming an executable the image lacks fails as the shell does (exit 127, not found), with no transcript", async () => {
    const fake = new FakeCluster();
    const base = baseSpec("nocmd", "success");
    const missing = { ...base, command: [...base.command.slice(0, 3), "/does/not/exist", ...base.command.slice(4)] };
    const { pod, lines } = await runToEnd(fake, missing);
    expect(pod.containers[0]?.state).toMatchObject({ kind: "terminated", exitCode: 127 });
    expect(lines).toEqual(["sh: 1: exec: /does/not/exist: not found"]);
    const found = { ...base, ref: { ...base.ref, name: "withpath" }, command: [...base.command.slice(0, 3), "/usr/local/bin/claude", ...base.command.slice(4)] };
    expect((await runToEnd(fake, found)).pod.containers[0]?.state).toMatchObject({ exitCode: 0 });
    fake.dispose();
  });

  it("the same seed replays the same transcript", async () => {
    const transcript = async () => {
      const fake = new FakeCluster({ seed: 99 });
      const { pod, lines } = await runToEnd(fake, baseSpec("replay"));
      fake.dispose();
      return { lines, timestamps: fake.podLog(pod.ref.name).map((e) => e.timestamp), name: pod.ref.name };
    };
    const a = await transcript();
    expect(await transcript()).toEqual(a);
  });
});
