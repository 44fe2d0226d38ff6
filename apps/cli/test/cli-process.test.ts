// The built `clipjob` binary end to end, on the embedded simulated cluster.
import { describe, expect, it } from "vitest";
import { runCliProcess, startCli } from "./spawn-cli.js";

const JOBS_LEFT = /Job clipjob\/(ac-[a-z0-9-]+) deleted; 0 Jobs left in the simulated cluster\./;

describe("clipjob run (built CLI, simulated cluster)", () => {
  it("runs an agent to success, shows the transcript and a summary, and leaves no Job behind", async () => {
    const result = await runCliProcess(["run", "Fix the flaky test", "--speed", "max"]);
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("● Claude started: session");
    expect(result.stdout).toContain("→ Bash  ls -la");
    expect(result.stdout).toContain("Done: Fix the flaky test");
    expect(result.stdout).toMatch(/✔ succeeded\n {2}exit code 0 \(claude exited 0\)/);
    expect(result.stdout).toMatch(/ {2}cost +\$\d+\.\d{4}/);
    expect(result.stdout).toMatch(JOBS_LEFT);
  });

  it.each([
    { scenario: "auth-required", code: 1, headline: "✘ failed: claude_auth_required" },
    { scenario: "rate-limited", code: 1, headline: "✘ failed: provider_quota" },
    { scenario: "truncated", code: 1, headline: "✘ failed: claude_truncated" },
  ])("exits $code with the coded outcome for the $scenario scenario", async ({ scenario, code, headline }) => {
    const result = await runCliProcess(["run", "--scenario", scenario, "--speed", "max"]);
    expect(result.code).toBe(code);
    expect(result.stdout).toContain(headline);
    expect(result.stdout).toMatch(JOBS_LEFT);
  });

  it("prints one JSON object per line with --json, the outcome last", async () => {
    const result = await runCliProcess(["run", "--json", "--speed", "max", "Summarise the README"]);
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string; [k: string]: unknown });
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(["progress", "line", "outcome"]));
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: "outcome", exitCode: 0, outcome: { status: "succeeded", errorCode: null }, simulatedCluster: { jobs: 0 } });
    const lines = events.filter((e) => e.type === "line").map((e) => JSON.parse(e["line"] as string) as { type: string });
    expect(lines[0]!.type).toBe("system");
    expect(lines.at(-1)!.type).toBe("result");
    expect(events.filter((e) => e.type === "outcome")).toHaveLength(1);
  });

  it("cancels on Ctrl-C: the Job is deleted, nothing is left, exit 130", async () => {
    const cli = startCli(["run", "--scenario", "silent-then-success", "--speed", "20"]);
    await cli.waitForOutput("● Claude started");
    cli.interrupt();
    const result = await cli.done;
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(130);
    expect(result.stdout).toContain("Ctrl-C: cancelling the run");
    expect(result.stdout).toContain("✘ cancelled");
    expect(result.stdout).not.toContain("■ result");
    expect(result.stdout).toMatch(JOBS_LEFT);
  });

  it.each(["SIGTERM", "SIGHUP"] as const)("cancels on %s as on Ctrl-C (a `timeout`, a CI kill, a closed terminal): the Job is deleted, nothing is left, exit 130", async (signal) => {
    const cli = startCli(["run", "--scenario", "silent-then-success", "--speed", "20"]);
    await cli.waitForOutput("● Claude started");
    cli.interrupt(signal);
    const result = await cli.done;
    expect(result.timedOut).toBe(false);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(130);
    expect(result.stdout).toContain(`${signal}: cancelling the run and deleting its Job if one was created`);
    expect(result.stdout).toContain("✘ cancelled");
    expect(result.stdout).toMatch(JOBS_LEFT);
  });

  it.each([
    { name: "an invalid config value, naming the field", args: ["run", "--set", "timeoutSec=-1"], stderr: "timeoutSec:" },
    // The config schema refuses it (config_invalid), listing every valid name, as Paperclip's form does.
    { name: "an unknown scenario, listing the known ones", args: ["run", "--scenario", "nope"], stderr: 'simulatedScenario: expected one of "success", "silent-then-success",' },
    { name: "an unknown flag", args: ["run", "--nope"], stderr: "Unknown option '--nope'" },
    { name: "a bad speed", args: ["run", "--speed", "fast"], stderr: "--speed" },
    { name: "an unknown command", args: ["deploy"], stderr: 'Unknown command "deploy"' },
  ])("exits 2 for $name", async ({ args, stderr }) => {
    const result = await runCliProcess(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(stderr);
    expect(result.stdout).not.toContain("Created Job");
  });
});

describe("clipjob without a real cluster", () => {
  it.each([["jobs"], ["logs", "ac-some-job"], ["cancel", "ac-some-job"], ["doctor"]])("%s explains that the simulated cluster only lives inside run", async (...args) => {
    const result = await runCliProcess(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("No Kubernetes cluster is configured");
    expect(result.stderr).toContain("exists only while 'clipjob run' runs");
  });

  it("documents the exit codes in --help", async () => {
    const result = await runCliProcess(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Exit codes:");
    expect(result.stdout).toContain("130  cancelled with Ctrl-C");
  });

  it("lists the scenarios", async () => {
    const result = await runCliProcess(["scenarios"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^success +thinks/m);
    expect(result.stdout).toMatch(/^rate-limited +/m);
  });
});
