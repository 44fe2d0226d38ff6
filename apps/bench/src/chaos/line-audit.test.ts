import { describe, expect, it } from "vitest";
import { auditLines } from "./line-audit.js";

const E = ["a", "b", "c", "d"];

describe("auditLines", () => {
  it.each([
    { name: "everything, in order", delivered: E, complete: true, audit: { lost: 0, duplicated: 0, invented: 0 } },
    { name: "a prefix of a run that stopped early", delivered: ["a", "b"], complete: false, audit: { lost: 0, duplicated: 0, invented: 0 } },
    { name: "a prefix of a run that claims completeness", delivered: ["a", "b"], complete: true, audit: { lost: 2, duplicated: 0, invented: 0 } },
    { name: "a gap", delivered: ["a", "c", "d"], complete: false, audit: { lost: 1, duplicated: 0, invented: 0 } },
    { name: "a replay after a resume", delivered: ["a", "b", "b", "c", "d"], complete: true, audit: { lost: 0, duplicated: 1, invented: 0 } },
    { name: "a line nobody wrote", delivered: ["a", "x", "b", "c", "d"], complete: true, audit: { lost: 0, duplicated: 0, invented: 1 } },
  ])("$name", ({ delivered, complete, audit }) => {
    expect(auditLines(E, delivered, complete)).toEqual(audit);
  });
});
