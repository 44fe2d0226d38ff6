import { describe, expect, it } from "vitest";
import { auditLines } from "./line-audit.js";

const E = ["a", "b", "c", "d"];
const none = { lost: 0, gapped: 0, needlessGaps: 0, duplicated: 0, invented: 0 };

describe("auditLines", () => {
  it.each([
    { name: "everything, in order", delivered: E, complete: true, gaps: [], audit: none },
    { name: "a prefix of a run that stopped early", delivered: ["a", "b"], complete: false, gaps: [], audit: none },
    { name: "a prefix of a run that claims completeness", delivered: ["a", "b"], complete: true, gaps: [], audit: { ...none, lost: 2 } },
    { name: "a gap", delivered: ["a", "c", "d"], complete: false, gaps: [], audit: { ...none, lost: 1 } },
    { name: "a replay after a resume", delivered: ["a", "b", "b", "c", "d"], complete: true, gaps: [], audit: { ...none, duplicated: 1 } },
    { name: "a line nobody wrote", delivered: ["a", "x", "b", "c", "d"], complete: true, gaps: [], audit: { ...none, invented: 1 } },
    // A transcript gap reported right before the line that follows the missing ones: lost, but said so.
    { name: "lines missing where a gap was reported", delivered: ["a", "d"], complete: true, gaps: [1], audit: { ...none, gapped: 2 } },
    { name: "the first lines missing, gap reported before the first delivered", delivered: ["c", "d"], complete: true, gaps: [0], audit: { ...none, gapped: 2 } },
    // A gap reported one line too late (or too early) does not excuse the loss: the reader put it in the wrong place.
    { name: "a gap reported after the line that follows the loss", delivered: ["a", "c", "d"], complete: true, gaps: [2], audit: { ...none, lost: 1, needlessGaps: 1 } },
    { name: "a gap at the loss and a needless one before it", delivered: ["a", "c", "d"], complete: true, gaps: [1, 0], audit: { ...none, gapped: 1, needlessGaps: 1 } },
    { name: "a reported loss, then a line nobody wrote", delivered: ["a", "c", "e"], complete: false, gaps: [1], audit: { ...none, gapped: 1, invented: 1 } },
    { name: "two losses, one reported, one silent", delivered: ["b", "d"], complete: true, gaps: [1], audit: { ...none, lost: 1, gapped: 1 } },
    { name: "a gap where nothing was missing (rotation the reader could not rule out)", delivered: E, complete: true, gaps: [2], audit: { ...none, needlessGaps: 1 } },
    { name: "a gap before the last line does not excuse a missing tail", delivered: ["a", "b"], complete: true, gaps: [1], audit: { ...none, lost: 2, needlessGaps: 1 } },
    // The log ended at a gap (its end rotated away): reported after the last delivered line.
    { name: "a missing tail where the log ended at a gap", delivered: ["a", "b"], complete: true, gaps: [2], audit: { ...none, gapped: 2 } },
    { name: "a gap at the end where nothing was missing", delivered: E, complete: true, gaps: [4], audit: { ...none, needlessGaps: 1 } },
  ])("$name", ({ delivered, complete, gaps, audit }) => {
    expect(auditLines(E, delivered, complete, new Set(gaps))).toEqual(audit);
  });
});
