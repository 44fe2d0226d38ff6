import { describe, expect, it } from "vitest";
import { defaultConfig } from "../config/parse-config.js";
import { agentCommand, buildClaudeArgs } from "./claude-command.js";

const base = defaultConfig();

describe("buildClaudeArgs", () => {
  it("streams JSON from stdin and skips permission prompts by default", () => {
    expect(buildClaudeArgs({ config: base, resumeSessionId: null })).toEqual([
      "--print", "-", "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions",
    ]);
  });

  it("passes every option in the predecessor's order, extraArgs last", () => {
    const config = {
      ...base,
      model: "claude-opus-4-7",
      effort: "high",
      maxTurnsPerRun: 50,
      instructionsFilePath: "/paperclip/agents/a/AGENTS.md",
      extraArgs: ["--chrome", "--append-system-prompt", "two words"],
    };
    expect(buildClaudeArgs({ config, resumeSessionId: null, bundle: { rootDir: "/paperclip/cache/k1" } })).toEqual([
      "--print", "-", "--output-format", "stream-json", "--verbose",
      "--dangerously-skip-permissions",
      "--model", "claude-opus-4-7",
      "--effort", "high",
      "--max-turns", "50",
      "--append-system-prompt-file", "/paperclip/agents/a/AGENTS.md",
      "--add-dir", "/paperclip/cache/k1",
      "--chrome", "--append-system-prompt", "two words",
    ]);
  });

  it("resumes without re-appending the instructions", () => {
    const config = { ...base, instructionsFilePath: "/i.md" };
    const args = buildClaudeArgs({ config, resumeSessionId: "s-1", bundle: { rootDir: "/b", instructionsFilePath: "/b/agent-instructions.md" } });
    expect(args.slice(5, 8)).toEqual(["--resume", "s-1", "--dangerously-skip-permissions"]);
    expect(args).not.toContain("--append-system-prompt-file");
    expect(args).toContain("--add-dir");
  });

  it("prefers the bundle's copy of the instructions", () => {
    const args = buildClaudeArgs({ config: { ...base, instructionsFilePath: "/i.md" }, resumeSessionId: null, bundle: { rootDir: "/b", instructionsFilePath: "/b/i.md" } });
    expect(args).toContain("/b/i.md");
    expect(args).not.toContain("/i.md");
  });

  it("leaves out what is off: permissions skip disabled, unlimited turns", () => {
    const args = buildClaudeArgs({ config: { ...base, dangerouslySkipPermissions: false, maxTurnsPerRun: 0 }, resumeSessionId: null });
    expect(args).not.toContain("--dangerously-skip-permissions");
    expect(args).not.toContain("--max-turns");
  });
});

describe("agentCommand", () => {
  it("execs Claude with the payload prompt on stdin and the arguments as positional parameters", () => {
    const command = agentCommand(["--print", "-", "it's; $(rm -rf /)"]);
    expect(command.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(command[2]).toMatch(/; exec "\$0" "\$@" < \/var\/run\/clipjob\/payload\/prompt$/);
    expect(command.slice(3)).toEqual(["claude", "--print", "-", "it's; $(rm -rf /)"]);
  });

  it("first checks that HOME, the working directory and /tmp are writable, naming the one that is not (exit 78)", () => {
    expect(agentCommand([])[2]).toMatch(/^for d in "\$HOME" "\$PWD" \/tmp; do if \[ ! -w "\$d" \]; then echo "clipjob: not writable: \$d" >&2; exit 78; fi; done; /);
  });

  it("has no pipe, so the container's exit code is Claude's", () => {
    expect(agentCommand([])[2]).not.toContain("|");
  });
});
