import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { behaviourScript } from "./real-node-driver.js";

/** Runs the script the way the agent container does (bash, the script as a file's content on stdin). */
function runScript(script: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync("bash", ["-s"], { input: script, encoding: "utf8" });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe("behaviourScript (the real node's container behaviours as bash)", () => {
  it("writes stdout and stderr lines, quoted verbatim (quotes, $, backslashes, unicode, empty lines), then exits with the code", () => {
    const lines = [`it's "quoted" $HOME \\n \`x\``, "héllo — 🚀", ""];
    const r = runScript(behaviourScript({ lines, stderrLines: ["err 1"], exitCode: 3, runMs: 30 }));
    expect(r.stdout).toBe(`${lines.join("\n")}\n`);
    expect(r.stderr).toBe("err 1\n");
    expect(r.status).toBe(3);
  });

  it("writes raw pieces with newlines only where their data has them, in order", () => {
    const r = runScript(behaviourScript({ writes: [{ atMs: 0, data: "a".repeat(10) }, { atMs: 5, stream: "stderr", data: "oops\n" }, { atMs: 10, data: "tail\nM\n" }], runMs: 20 }));
    expect(r.stdout).toBe(`${"a".repeat(10)}tail\nM\n`);
    expect(r.stderr).toBe("oops\n");
    expect(r.status).toBe(0);
  });

  it("ends an OOM behaviour by allocating without bound (exec tail /dev/zero)", () => {
    expect(behaviourScript({ oom: true, runMs: 10 }).trimEnd().split("\n").at(-1)).toBe("exec tail /dev/zero");
    expect(execFileSync("bash", ["-n"], { input: behaviourScript({ lines: ["x"], oom: true }) }).toString()).toBe("");
  });
});
