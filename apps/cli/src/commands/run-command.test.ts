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
