// The ui-parser on transcripts of the real Claude Code CLI (packages/claude-corpus): API retries,
// compaction status and the CLI's synthetic API-error messages become readable entries, and a resumed
// run's result shows this run's cost, not the session's.
import { loadRecording } from "@clipjob/claude-corpus";
import { describe, expect, it } from "vitest";
import { createStdoutParser } from "./ui-parser.js";

function entries(name: string) {
  const parser = createStdoutParser();
  return loadRecording(name).stdoutLines.flatMap((line) => parser.parseLine(line, "2026-11-30T00:00:00.000Z"));
}

describe("ui-parser on the recorded corpus", () => {
  it("api_retry reads 'API 500 server_error, retry 1 of 2 in 0.5 s' and the synthetic API error is an error entry", () => {
    const list = entries("api-500");
    const system = list.filter((e) => e.kind === "system").map((e) => (e as { text: string }).text);
    expect(system).toEqual([expect.stringMatching(/^API 500 server_error, retry 1 of 2 in \d\.\d s$/), expect.stringMatching(/^API 500 server_error, retry 2 of 2 in \d\.\d s$/)]);
    const stderr = list.filter((e) => e.kind === "stderr").map((e) => (e as { text: string }).text);
    expect(stderr).toEqual([expect.stringMatching(/^API error 500 api_error: API Error: 500 Internal server error\./)]);
    expect(list.some((e) => e.kind === "assistant")).toBe(false);
  });

  it("a 429 retry without a status of its own, and a dropped connection", () => {
    const texts = entries("connection-reset")
      .filter((e) => e.kind === "system")
      .map((e) => (e as { text: string }).text);
    expect(texts[0]).toMatch(/^API unknown, retry 1 of 2 in \d\.\d s$/);
  });

  it("compaction status is shown as it happens", () => {
    const texts = entries("prompt-too-long-resume-second")
      .filter((e) => e.kind === "system")
      .map((e) => (e as { text: string }).text);
    expect(texts).toEqual(["compacting the conversation…", "compaction failed (exhausted)"]);
  });

  it("a resumed run's result shows this run's cost, not the session total", () => {
    const result = entries("resume-second").find((e) => e.kind === "result") as { costUsd: number };
    expect(result.costUsd).toBeCloseTo(0.013392, 9);
  });
});
