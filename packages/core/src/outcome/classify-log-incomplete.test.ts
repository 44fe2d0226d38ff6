import { describe, expect, it } from "vitest";
import { createTranscriptReducer } from "../stream/transcript-reducer.js";
import { SUCCESS_WITH_TOOL_USE, TRUNCATED } from "../stream/testing/fixtures.js";
import type { ClassifyInput } from "./classify-input.js";
import { classifyOutcome } from "./classify-outcome.js";
import type { RunOutcome } from "./run-outcome.js";

// A transcript that ends at a gap (its end rotated away, or never read) cannot carry a verdict about Claude.

function classify(lines: readonly string[], over: Partial<ClassifyInput> = {}): RunOutcome {
  const reducer = createTranscriptReducer();
  for (const line of lines) reducer.push(line);
  return classifyOutcome({
    transcript: reducer.summary(),
    termination: { exitCode: 0 },
    podPresence: "present",
    ending: { kind: "job_finished", jobCondition: "Complete" },
    job: { namespace: "agents", name: "clipjob-a-1", reattached: false, kept: false },
    configuredModel: "configured-model",
    resumedSessionId: null,
    tail: lines.slice(-5),
    nowMs: Date.parse("2026-03-10T12:00:00Z"),
    durationMs: 1234,
    ...over,
  });
}

describe("a transcript that ends at a gap", () => {
  it("a transcript whose end was rotated away unread (a gap at the end) → k8s_log_incomplete, not a verdict about Claude", () => {
    const gap = { reason: "rotated" as const, after: "2026-03-10T11:59:01.250000000Z", before: null };
    expect(classify(TRUNCATED.lines).errorCode).toBe("claude_truncated");
    const o = classify(TRUNCATED.lines, { transcriptGaps: [gap] });
    expect(o).toMatchObject({ status: "failed", errorCode: "k8s_log_incomplete", exitCode: 0, transcriptGaps: [gap] });
    expect(o.errorMessage).toBe(
      "The kubelet rotated the container's log while the log stream was down: the container's log after 2026-03-10T11:59:01.250000000Z was gone before it could be read, so Claude's result is unknown. The container exited with exit code 0. Raise the kubelet's containerLogMaxSize, and check what cut the log stream.",
    );
  });

  it("a log never read to its end (the stream kept failing until the grace ran out) → k8s_log_incomplete saying so", () => {
    const gap = { reason: "unread" as const, after: null, before: null };
    const o = classify(TRUNCATED.lines, { transcriptGaps: [gap] });
    expect(o).toMatchObject({ status: "failed", errorCode: "k8s_log_incomplete" });
    expect(o.errorMessage).toBe(
      "The log stream kept failing after the Job finished: the container's log was never read before the run stopped waiting for it, so Claude's result is unknown. The container exited with exit code 0. Check what failed the log stream (API server, kubelet, proxy).",
    );
  });

  it("a gap inside the transcript (lines after it were read) is no reason to doubt its end: classified from the transcript", () => {
    const gap = { reason: "rotated" as const, after: "2026-03-10T11:59:01.250000000Z", before: "2026-03-10T11:59:30.000000000Z" };
    expect(classify(TRUNCATED.lines, { transcriptGaps: [gap] }).errorCode).toBe("claude_truncated");
  });

  it("a result read before a gap at the end stands", () => {
    const gap = { reason: "rotated" as const, after: "2026-03-10T11:59:01.250000000Z", before: null };
    expect(classify(SUCCESS_WITH_TOOL_USE.lines, { transcriptGaps: [gap] })).toMatchObject({ status: "succeeded", errorCode: null });
  });

});
