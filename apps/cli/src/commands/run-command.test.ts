import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryIo } from "../cli/testing/memory-io.js";
import { runCommand } from "./run-command.js";

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe("runCommand (in process, simulated cluster)", () => {
  it("puts the prompt in front of Claude and reports the outcome", async () => {
    const io = memoryIo();
    const code = await runCommand(["Rename", "the", "module", "--speed", "max"], io);
    expect(code).toBe(0);
    expect(io.out()).toContain("Done: Rename the module");
  });

  it("runs in the namespace it is given", async () => {
    const io = memoryIo();
    const code = await runCommand(["--namespace", "team-a", "--speed", "max"], io);
    expect(code).toBe(0);
    expect(io.out()).toMatch(/Job team-a\/ac-[a-z0-9-]+ deleted; 0 Jobs left in the simulated cluster\./);
  });

  it("keeps a Job when retainJobs says so, and says it is still there", async () => {
    const io = memoryIo();
    const code = await runCommand(["--set", "retainJobs=true", "--speed", "max"], io);
    expect(code).toBe(0);
    expect(io.out()).toMatch(/kept \(retain\); 1 Job left in the simulated cluster/);
  });

  it("--prompt-file reads the prompt from a file (issue 14, fault 11)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clipjob-prompt-"));
    writeFileSync(join(dir, "task.md"), "Rename the module\n");
    const io = memoryIo();
    const code = await runCommand(["--prompt-file", join(dir, "task.md"), "--speed", "max"], io);
    expect(code).toBe(0);
    expect(io.out()).toContain("Done: Rename the module");
  });

  it("--prompt-file - reads standard input; a 2 MiB prompt gets the payload limit's own error, as an argument would", async () => {
    const io = memoryIo({ NO_COLOR: "1" }, "x".repeat(2 * 1024 * 1024));
    const code = await runCommand(["--prompt-file", "-", "--speed", "max"], io);
    expect(code).toBe(2);
    expect(io.out()).toContain("k8s_payload_too_large");
  });

  it("--prompt-file with prompt words, or a file that is not there, is a usage error naming it", async () => {
    const both = memoryIo();
    expect(await runCommand(["words", "--prompt-file", "-"], both)).toBe(2);
    expect(both.err()).toContain("either as words or with --prompt-file");
    const missing = memoryIo();
    expect(await runCommand(["--prompt-file", "/nonexistent/task.md"], missing)).toBe(2);
    expect(missing.err()).toContain('Cannot read the prompt file "/nonexistent/task.md": no such file');
  });

  it("--prompt-file stops reading past four times the payload limit (/dev/zero, an endless pipe): a usage error naming the limit", async () => {
    const io = memoryIo({}, "x".repeat(4 * 900 * 1024 + 1));
    expect(await runCommand(["--prompt-file", "-", "--speed", "max"], io)).toBe(2);
    expect(io.err()).toContain("Standard input holds more than 3600 KiB, far over the 900 KiB payload limit (k8s_payload_too_large); reading stopped there.");
    expect(io.out()).toBe("");
    const zero = memoryIo();
    expect(await runCommand(["--prompt-file", "/dev/zero", "--speed", "max"], zero)).toBe(2);
    expect(zero.err()).toContain('The prompt file "/dev/zero" holds more than 3600 KiB');
  });

  it("--prompt-file that is empty is a usage error, not a run without a task", async () => {
    const stdin = memoryIo({}, " \n");
    expect(await runCommand(["--prompt-file", "-", "--speed", "max"], stdin)).toBe(2);
    expect(stdin.err()).toContain("The prompt file (standard input) is empty; leave out --prompt-file to run without a task.");
    expect(stdin.out()).toBe("");
    const dir = mkdtempSync(join(tmpdir(), "clipjob-prompt-"));
    writeFileSync(join(dir, "empty.md"), "");
    const file = memoryIo();
    expect(await runCommand(["--prompt-file", join(dir, "empty.md"), "--speed", "max"], file)).toBe(2);
    expect(file.err()).toContain(`The prompt file ${JSON.stringify(join(dir, "empty.md"))} is empty`);
  });

  it("refuses an unknown --set key with config_unknown_key and the key it most likely means (issue 14, fault 10)", async () => {
    const io = memoryIo();
    expect(await runCommand(["--set", "timeoutSecs=60", "--set", "noSuchKey=1", "--speed", "max"], io)).toBe(2);
    expect(io.err()).toBe(
      [
        "Unknown configuration key (config_unknown_key):",
        "  timeoutSecs (--set): clipjob reads no such key; did you mean timeoutSec?",
        "  noSuchKey (--set): clipjob reads no such key",
        "Run 'clipjob run --help' for the options.",
        "",
      ].join("\n"),
    );
    expect(io.out()).toBe("");
  });

  describe("as a runtime of its own (issue 14, fault 12)", () => {
    type JsonEvent = { type: string; event?: { type: string; job?: Record<string, unknown> }; outcome?: Record<string, unknown> };
    const events = (io: { out: () => string }): JsonEvent[] => io.out().trim().split("\n").map((l) => JSON.parse(l) as JsonEvent);
    const planned = (io: { out: () => string }) => events(io).find((e) => e.event?.type === "plan")!.event!.job!;
    const outcome = (io: { out: () => string }) => events(io).at(-1)!.outcome!;

    it("runs as the agent and task it is given, on the workspace claim it names, and reports the session", async () => {
      const io = memoryIo();
      const args = ["--json", "--speed", "max", "--agent-id", "builder", "--task-id", "T-7", "--workspace-claim", "agent-home", "Carry on"];
      expect(await runCommand(args, io)).toBe(0);
      const job = planned(io);
      expect(job["labels"]).toMatchObject({ "paperclip.io/agent-id": "builder", "paperclip.io/task-id": "T-7" });
      expect(job["annotations"]).toMatchObject({ "clipjob.dev/started-by": expect.stringMatching(new RegExp(`^clipjob CLI, pid ${process.pid} on \\S+$`)) });
      expect(job["volumes"]).toEqual([{ kind: "pvc", name: "paperclip-data", claimName: "agent-home", mountPath: "/paperclip" }]);
      expect(job["claudeArgs"]).not.toContain("--resume");
      expect(outcome(io)).toMatchObject({ status: "succeeded", sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    });

    it("--resume passes the session to claude --resume; a session the cluster does not know ends session_unavailable", async () => {
      const io = memoryIo();
      const session = "5d3c1b2a-0f9e-4d8c-b7a6-123456789abc";
      expect(await runCommand(["--json", "--speed", "max", "--resume", session, "Carry on"], io)).toBe(1);
      const args = planned(io)["claudeArgs"] as string[];
      expect(args.slice(args.indexOf("--resume"), args.indexOf("--resume") + 2)).toEqual(["--resume", session]);
      expect(planned(io)["labels"]).toMatchObject({ "paperclip.io/session-id": session });
      expect(outcome(io)).toMatchObject({ errorCode: "session_unavailable", clearSession: true });
    });

    it("refuses an empty --task-id, two different agent ids and a workspace claim that is no claim name", async () => {
      const empty = memoryIo();
      expect(await runCommand(["--task-id", " ", "--speed", "max"], empty)).toBe(2);
      expect(empty.err()).toContain("--task-id needs a value");
      const twice = memoryIo();
      expect(await runCommand(["--agent-id", "a", "--agent", "b", "--speed", "max"], twice)).toBe(2);
      expect(twice.err()).toContain("Give the agent id once");
      const claim = memoryIo();
      expect(await runCommand(["--workspace-claim", "Agent_Home", "--speed", "max"], claim)).toBe(2);
      expect(claim.out()).toContain(`config_invalid`);
      expect(claim.out()).toContain(`workspaceClaim: "Agent_Home" is not a valid PersistentVolumeClaim name`);
    });

    it("refuses an agent or task id its Job label would rewrite (it would share the guard or adoption with another id), before any Job", async () => {
      const slash = memoryIo();
      expect(await runCommand(["--agent-id", "team/a", "--speed", "max"], slash)).toBe(2);
      expect(slash.err()).toContain(`--agent-id "team/a" (k8s_agent_id_invalid) would be labelled "teama", sharing the one-Job-per-agent guard with that id`);
      expect(slash.out()).toBe("");
      const long = memoryIo();
      expect(await runCommand(["--agent-id", "a".repeat(64), "--speed", "max"], long)).toBe(2);
      expect(long.err()).toContain("at most 63 characters");
      const empty = memoryIo();
      expect(await runCommand(["--agent-id", "", "--speed", "max"], empty)).toBe(2);
      expect(empty.err()).toContain(`--agent-id "" (k8s_agent_id_invalid) cannot be a label value at all`);
      const task = memoryIo();
      expect(await runCommand(["--task-id", "T 7", "--speed", "max"], task)).toBe(2);
      expect(task.err()).toContain(`--task-id "T 7" would be labelled "T7", sharing the adoption of a left-behind Job with that id`);
      // Upper case is a label value as it is: kept, not refused.
      const upper = memoryIo();
      expect(await runCommand(["--json", "--agent-id", "Builder", "--speed", "max"], upper)).toBe(0);
      expect(planned(upper)["labels"]).toMatchObject({ "paperclip.io/agent-id": "Builder" });
    });
  });

  it("on a second Ctrl-C exits at once instead of waiting for the clean-up", async () => {
    const io = memoryIo();
    const run = runCommand(["--scenario", "silent-then-success", "--speed", "20"], io);
    await until(() => io.out().includes("● Claude started"));
    io.interrupt();
    expect(io.exits).toEqual([]);
    io.interrupt();
    expect(io.exits).toEqual([130]);
    expect(io.err()).toContain("Exiting without waiting for the clean-up");
    // In a real process exitNow never returns; here the first Ctrl-C's cancel still completes.
    expect(await run).toBe(130);
  });
});
