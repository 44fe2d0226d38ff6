import type { RunOutcome } from "@clipjob/core";
import { describe, expect, it } from "vitest";
import { outcomeSummary } from "./outcome-summary.js";

const succeeded: RunOutcome = {
  status: "succeeded",
  errorCode: null,
  errorMessage: null,
  errorFamily: null,
  retryNotBefore: null,
  errorMeta: null,
  exitCode: 0,
  signal: null,
  timedOut: false,
  sessionId: null,
  clearSession: false,
  model: null,
  usage: null,
  costUsd: null,
  summary: "done",
  resultJson: null,
  job: null,
  durationMs: 1_200,
};

const transcriptRow = (o: RunOutcome) => outcomeSummary(o, 0).filter((l) => l.text.trimStart().startsWith("transcript"));

describe("outcomeSummary", () => {
  it("says the transcript is not exact when lines were rotated away or garbled, naming the garbled lines", () => {
    const o: RunOutcome = {
      ...succeeded,
      transcriptGaps: [{ reason: "rotated", after: "2026-11-30T06:00:00.1Z", before: "2026-11-30T06:00:09.2Z" }],
      garbledLines: [
        { reason: "broken_event", line: 5, offset: 900 },
        { reason: "event_tail", line: 6, offset: 17_400 },
      ],
    };
    expect(transcriptRow(o)).toEqual([{ style: "warn", text: "  transcript not exact: 1 gap (rotated); 2 garbled lines (5, 6)" }]);
  });

  it("adds nothing when the transcript is exact", () => {
    expect(transcriptRow(succeeded)).toEqual([]);
  });
});
