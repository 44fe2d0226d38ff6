import { hostname } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { AdapterRoot } from "../composition/adapter-root.js";
import { createServerAdapter } from "../server-adapter.js";
import { paperclipContext } from "../testing/paperclip-context.js";
import { SIMULATED_BUNDLE_NOTE } from "../prompt-bundle/bundle-delivery.js";
import { HostSignalLatch } from "./host-signals.js";
import { LEASE_LOST_REASON } from "./stop-signals.js";

const root = new AdapterRoot({ env: {} });
afterAll(() => root.dispose());

function adapter(signals = new HostSignalLatch()) {
  return createServerAdapter({ root, signals, env: {} });
}

const simulated = (scenario: string, extra: Record<string, unknown> = {}) => ({ cluster: "simulated", simulatedScenario: scenario, ...extra });

/**
 * Runs `act` right after the adapter reports its Job (onDispatch), at that same virtual instant: the simulation
 * runs at speed "max", where a real timer would race the run (it could finish first on a loaded machine).
 */
const rightAfterDispatch = (act: () => void) => () => queueMicrotask(act);

describe("execute on the simulated cluster", () => {
  it("runs a wake to success with usage, cost, a session and the raw transcript", async () => {
    const run = paperclipContext({ config: simulated("success"), authToken: "jwt-token" });
    const result = await adapter().execute(run.ctx);

    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, errorCode: null, errorMessage: null, usageBasis: "per_run", provider: "anthropic" });
    expect(result.usage?.inputTokens).toBeGreaterThan(0);
    expect(result.usage?.outputTokens).toBeGreaterThan(0);
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.summary).toContain("Done:");
    expect(result.sessionId).toMatch(/[0-9a-f-]{36}/);
    expect(result.sessionParams).toMatchObject({ sessionId: result.sessionId, cwd: "/paperclip/workspaces/builder" });
    expect(result.sessionParams?.["lastJobName"]).toMatch(/^ac-/);
    expect(result.sessionDisplayId).toBe(result.sessionId);

    // Stdout carries Claude's stream-json, one event per line, and the [clipjob] notices the UI parser renders
    // as system entries (Paperclip parses only stdout); stderr is Claude's own, and this run wrote none.
    const stdout = run.lines("stdout");
    const transcript = stdout.filter((l) => !l.startsWith("[clipjob] "));
    expect(transcript.length).toBeGreaterThan(3);
    for (const line of transcript) expect(JSON.parse(line)).toHaveProperty("type");
    expect(stdout).toContainEqual(expect.stringMatching(/^\[clipjob\] EVALUATION MODE/));
    expect(stdout).toContainEqual(expect.stringMatching(/^\[clipjob\] Job clipjob\/\S+ deleted$/));
    expect(run.lines("stderr")).toEqual([]);

    expect(run.calls).toEqual(["onCancellationReady", "onDispatch"]);
    expect(run.metas).toHaveLength(1);
    const meta = run.metas[0]!;
    expect(meta.adapterType).toBe("claude_k8s");
    expect(meta.command).toMatch(/^kubectl job\/ac-/);
    expect(meta.commandArgs).toEqual(expect.arrayContaining(["--print", "--output-format", "stream-json"]));
    expect(meta.commandNotes?.join("\n")).toMatch(/EVALUATION MODE/);
    // No shared volume in evaluation mode, so no prompt bundle: no --add-dir and no bundle key in the session.
    expect(meta.commandNotes).toContain(SIMULATED_BUNDLE_NOTE);
    expect(meta.commandArgs).not.toContain("--add-dir");
    expect(result.sessionParams).not.toHaveProperty("promptBundleKey");
    // Secret-looking names are masked by adapter-utils' redaction; the token itself never appears.
    expect(meta.env?.["PAPERCLIP_API_KEY"]).toBe("***REDACTED***");
    expect(meta.env?.["PAPERCLIP_RUN_ID"]).toBe(run.ctx.runId);
    expect(JSON.stringify(meta)).not.toContain("jwt-token");
    expect(run.progress.some((p) => p.phase === "adapter_startup")).toBe(true);
  });

  it("resumes the session of the previous wake with --resume", async () => {
    const agentId = "agent-resume";
    const first = await adapter().execute(paperclipContext({ agentId, config: simulated("success") }).ctx);
    // A no-task wake only carries the legacy runtime.sessionId.
    const second = paperclipContext({ agentId, config: simulated("success"), runtime: { sessionId: first.sessionId ?? null } });
    const result = await adapter().execute(second.ctx);
    expect(result.errorCode).toBeNull();
    expect(second.metas[0]?.commandArgs).toEqual(expect.arrayContaining(["--resume", first.sessionId]));
    expect(result.sessionId).toBe(first.sessionId);
  });

  it("warns in the run log about a key neither clipjob nor Paperclip reads, and runs on (issue 14, fault 10)", async () => {
    const run = paperclipContext({ config: simulated("success", { timeoutSecs: 60, noSuchKey: 1 }) });
    const result = await adapter().execute(run.ctx);
    expect(result.errorCode).toBeNull();
    expect(run.lines("stdout").filter((l) => l.startsWith("[clipjob] warning: "))).toEqual([
      '[clipjob] warning: adapterConfig key "timeoutSecs" is not one clipjob or Paperclip reads, so it is ignored; did you mean "timeoutSec"?',
      '[clipjob] warning: adapterConfig key "noSuchKey" is not one clipjob or Paperclip reads, so it is ignored',
    ]);
  });

  it("does not warn about Paperclip's own adapterConfig keys", async () => {
    const paperclipKeys = {
      paperclipSkillSync: { desiredSkills: [] },
      // Its managed instructions bundle, written when the agent is created (seen on a real Paperclip 2026.916.1).
      instructionsBundleMode: "managed",
      instructionsRootPath: "/paperclip/instances/default/companies/company-1/agents/agent-1/instructions",
      instructionsEntryFile: "AGENTS.md",
      paperclipRuntimeSkills: [],
      paperclipConnectorSkillDigest: null,
      managedAiConnection: { provider: "anthropic", method: "api_key", identity: "grant-1:shared:abc" },
      env: {},
      promptTemplate: "Continue.",
      timeoutSec: 0,
      graceSec: 60,
      cwd: "/paperclip/workspaces/builder",
    };
    const run = paperclipContext({ config: simulated("success", paperclipKeys) });
    const result = await adapter().execute(run.ctx);
    expect(result.errorCode).toBeNull();
    expect(run.lines("stdout").filter((l) => l.startsWith("[clipjob] warning: "))).toEqual([]);
  });

  it("annotates its Jobs with the process supervising them, for another process's guard to name (issue 14, fault 12)", async () => {
    const run = paperclipContext({ config: simulated("success", { retainJobs: true }) });
    const result = await adapter().execute(run.ctx);
    const name = /^ac-\S+/.exec(String(result.sessionParams?.["lastJobName"]))?.[0];
    const scope = await root.openScope({ cluster: "simulated", kubeconfig: null, kubeContext: null });
    if (!scope.ok || name === undefined) throw new Error("no simulated scope or Job");
    const jobs = await scope.value.simulation!.fake.cluster.listJobs("clipjob", { "paperclip.io/run-id": run.ctx.runId });
    expect(jobs.map((j) => j.ref.name)).toEqual([name]);
    expect(jobs[0]!.annotations["clipjob.dev/started-by"]).toBe(`Paperclip, pid ${process.pid} on ${hostname()}`);
  });

  it("reports a Claude failure with its code and keeps going", async () => {
    const run = paperclipContext({ config: simulated("auth-required") });
    const result = await adapter().execute(run.ctx);
    expect(result.errorCode).toBe("claude_auth_required");
    expect(result.exitCode).toBe(1);
    expect(run.lines("stdout").some((l) => l.startsWith("[clipjob] claude_auth_required: "))).toBe(true);
  });

  it("deletes the Job and returns cancelled when the board cancels", async () => {
    const host = new AbortController();
    const run = paperclipContext({
      config: simulated("silent-then-success"),
      signal: host.signal,
      onDispatch: rightAfterDispatch(() => host.abort(new Error("Cancelled by a board operator"))),
    });
    const result = await adapter().execute(run.ctx);
    expect(result.errorCode).toBe("cancelled");
    expect(run.lines("stdout").some((l) => /Job clipjob\/\S+ deleted/.test(l))).toBe(true);
  });

  it("keeps the Job for the next run when the host process is shutting down", async () => {
    const signals = new HostSignalLatch();
    const host = new AbortController();
    const agentId = "agent-shutdown";
    // An issue wake: the orphan guard reattaches only to a Job of the same task.
    const context = { taskId: "issue-7", issueId: "issue-7" };
    const run = paperclipContext({
      agentId,
      context,
      config: simulated("silent-then-success"),
      signal: host.signal,
      onDispatch: rightAfterDispatch(() => {
        // Paperclip's order: SIGTERM reaches the process, then the lease watcher aborts the signal.
        signals.fire();
        host.abort(new Error(LEASE_LOST_REASON));
      }),
    });
    const result = await adapter(signals).execute(run.ctx);
    expect(result.errorCode).toBe("k8s_job_kept_for_reattach");
    expect(run.lines("stdout").some((l) => /Job clipjob\/\S+ kept \(shutdown\)/.test(l))).toBe(true);

    // The next wake of the same agent (after the restart) reattaches to that Job and finishes it.
    const next = paperclipContext({ agentId, context, config: simulated("silent-then-success"), runtime: { sessionId: result.sessionId ?? null } });
    const resumed = await adapter().execute(next.ctx);
    expect(resumed.errorCode).toBeNull();
    expect(next.lines("stdout").some((l) => l.startsWith("[clipjob] ") && l.includes("Reattached to Job"))).toBe(true);
  });

  it("after a restart, the reconciled continuation of the task (another run, no session) reattaches the kept Job and streams its whole transcript, naming the interrupted run", async () => {
    const signals = new HostSignalLatch();
    const host = new AbortController();
    const agentId = "agent-reconciled";
    const interrupted = paperclipContext({
      agentId,
      context: { taskId: "issue-9", issueId: "issue-9", wakeReason: "issue_assigned" },
      config: simulated("silent-then-success"),
      signal: host.signal,
      onDispatch: rightAfterDispatch(() => {
        signals.fire();
        host.abort(new Error(LEASE_LOST_REASON));
      }),
    });
    expect((await adapter(signals).execute(interrupted.ctx)).errorCode).toBe("k8s_job_kept_for_reattach");

    // Paperclip 2026.916.1's run after a board user reconciles the interrupted one: the same task, a fresh
    // session (forceFreshSession), the interrupted run named in the wake payload.
    const continuation = paperclipContext({
      agentId,
      context: { taskId: "issue-9", issueId: "issue-9", wakeReason: "issue_recovery_action_restored", retryOfRunId: interrupted.ctx.runId, forceFreshSession: true },
      config: simulated("silent-then-success"),
    });
    const result = await adapter().execute(continuation.ctx);
    expect(result.errorCode).toBeNull();
    const stdout = continuation.lines("stdout");
    expect(stdout).toContainEqual(expect.stringMatching(new RegExp(`^\\[clipjob\\] Reattached to Job ac-\\S+ from an earlier run \\(${interrupted.ctx.runId}\\)$`)));
    expect(stdout.some((l) => l.includes("Created Job"))).toBe(false);
    const events = stdout.filter((l) => !l.startsWith("[clipjob] ")).map((l) => JSON.parse(l) as { type: string; subtype?: string });
    // From the start: the init line Claude wrote before the restart comes first, the result once, last.
    expect(events[0]).toMatchObject({ type: "system", subtype: "init" });
    expect(events.filter((e) => e.type === "result")).toHaveLength(1);
    expect(events.at(-1)?.type).toBe("result");
  });

  it("on a host SIGTERM the kept run returns only once Paperclip lets go of it (its lease watcher aborts the signal), so Paperclip's drain records the run interrupted", async () => {
    const signals = new HostSignalLatch();
    const host = new AbortController();
    const bounds: number[] = [];
    const run = paperclipContext({
      context: { taskId: "issue-11", issueId: "issue-11" },
      config: simulated("silent-then-success"),
      signal: host.signal,
      onDispatch: rightAfterDispatch(() => signals.fire()),
    });
    const adapterWithTimer = createServerAdapter({ root, signals, env: {}, takeoverTimer: (ms) => (bounds.push(ms), () => undefined) });
    let settled = false;
    const executing = adapterWithTimer.execute(run.ctx).finally(() => (settled = true));
    while (!run.lines("stdout").some((l) => /Job clipjob\/\S+ kept \(shutdown\)/.test(l))) await new Promise((resolve) => setImmediate(resolve));
    // The verdict is written; without the wait the result would follow within these turns of the event loop.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect({ settled, bounds }).toEqual({ settled: false, bounds: [60_000] });
    host.abort(new Error(LEASE_LOST_REASON));
    expect((await executing).errorCode).toBe("k8s_job_kept_for_reattach");
  });

  it("treats a lease-lost abort as a shutdown even without a signal", async () => {
    const host = new AbortController();
    const run = paperclipContext({
      config: simulated("silent-then-success"),
      signal: host.signal,
      onDispatch: rightAfterDispatch(() => host.abort(new Error(LEASE_LOST_REASON))),
    });
    const result = await adapter().execute(run.ctx);
    expect(result.errorCode).toBe("k8s_job_kept_for_reattach");
  });

  it("never throws: a broken host callback becomes adapter_internal_error", async () => {
    const run = paperclipContext({ config: simulated("success") });
    const ctx = {
      ...run.ctx,
      onCancellationReady: async () => {
        throw new Error("host exploded");
      },
    };
    const result = await adapter().execute(ctx);
    expect(result).toMatchObject({ errorCode: "adapter_internal_error", exitCode: null, timedOut: false });
    expect(result.errorMessage).toContain("host exploded");
  });
});
