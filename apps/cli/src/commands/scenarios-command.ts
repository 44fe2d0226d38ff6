import { PROGRAMS } from "@clipjob/fake-cluster";
import { writeLines, type CliIo } from "../cli/cli-io.js";
import { EXIT } from "../cli/exit-codes.js";
import { SCENARIOS_HELP } from "../cli/help-text.js";

// What each built-in program plays and how a run ends with it. A program added to the fake later is still
// listed (by name) until someone writes its line here.
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  success: "thinks, runs one Bash tool call, answers (succeeded)",
  "huge-output": "50 MB of tool output, then success: the CLI's memory stays flat",
  truncated: "killed mid-line with 137 (claude_truncated)",
  "init-only": "starts, then exits 1 without a word (claude_no_result)",
  "auth-required": "Invalid API key (claude_auth_required)",
  "stale-session": "resumes a session nobody knows (session_unavailable)",
  "max-turns": "runs out of turns (max_turns_exhausted)",
  "empty-response": "a degraded upstream: empty assistant message, no result (llm_api_error)",
  "rate-limited": "usage limit reached, resets in 2 h (provider_quota, with retry time)",
  "silent-then-success": "ten silent minutes, then success: keepalives; good for trying Ctrl-C",
  "hang-after-result": "writes its result, then never exits: the run ends on the result (succeeded)",
  "stderr-noise": "success with warnings on stderr in between",
  oom: "grows until OOMKilled, exit 137 (claude_truncated)",
  script: "plays the SIM_SCRIPT behaviour from its env (for the cluster contract tests)",
  "no-shell": "an image without sh: the container cannot start, exit 128 StartError (k8s_agent_image_invalid)",
  "claude-missing": "an image without claude on its PATH: exit 127 (k8s_agent_image_invalid)",
};

export function scenarioNames(): string[] {
  return Object.keys(PROGRAMS);
}

export function scenariosCommand(args: readonly string[], io: CliIo): number {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(SCENARIOS_HELP);
    return EXIT.ok;
  }
  if (args.length > 0) {
    io.stderr.write(`clipjob scenarios takes no arguments\n${SCENARIOS_HELP}`);
    return EXIT.usage;
  }
  const names = scenarioNames();
  const width = Math.max(...names.map((n) => n.length));
  writeLines(io.stdout, names.map((name) => `${name.padEnd(width)}  ${DESCRIPTIONS[name] ?? ""}`.trimEnd()));
  return EXIT.ok;
}
