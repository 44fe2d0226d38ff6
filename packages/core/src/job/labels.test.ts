import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isLabelValue } from "./k8s-names.js";
import { guardSelector, identityLabels, isReservedLabelKey, relabelForRun, sanitizeLabelValue } from "./labels.js";
import { anyString } from "../testing/any-string.js";

describe("sanitizeLabelValue", () => {
  it.each([
    ["uuid stays as is", "3f2a9c1e-7b4d-4e8a-9c3f-1a2b3c4d5e6f", "3f2a9c1e-7b4d-4e8a-9c3f-1a2b3c4d5e6f"],
    ["case is kept", "Agent_42.v2", "Agent_42.v2"],
    ["characters outside the label set are deleted, not replaced", "a b/c:d@e", "abcde"],
    ["leading and trailing separators are trimmed", "--._agent._--", "agent"],
    ["unicode is deleted, and the separators it leaves at the end trimmed", "agént-ü-日本", "agnt"],
    ["shell and path injection leaves only safe characters", "$(rm -rf /);../../etc", "rm-rf....etc"],
    ["empty", "", null],
    ["only separators", "-._-", null],
    ["only unicode", "日本語", null],
    ["whitespace", "   \t\n", null],
  ])("%s", (_, input, expected) => {
    expect(sanitizeLabelValue(input)).toBe(expected);
  });

  it("cuts a 1000-character id to 63 before trimming, like the predecessor", () => {
    expect(sanitizeLabelValue("a".repeat(1000))).toBe("a".repeat(63));
    expect(sanitizeLabelValue(`${"a".repeat(62)}-${"b".repeat(900)}`)).toBe("a".repeat(62));
  });

  it("honours a smaller maximum", () => {
    expect(sanitizeLabelValue("abcdef", 3)).toBe("abc");
  });

  it("always yields a valid label value or null, whatever the input", () => {
    fc.assert(
      fc.property(anyString(300), (s) => {
        const v = sanitizeLabelValue(s);
        return v === null || (v.length > 0 && isLabelValue(v));
      }),
    );
  });
});

describe("guardSelector", () => {
  it("selects this agent's claude_k8s Jobs with the predecessor's label keys", () => {
    expect(guardSelector("Agent 1")).toEqual({ "paperclip.io/agent-id": "Agent1", "paperclip.io/adapter-type": "claude_k8s" });
  });

  it("is null when the agent id has no label form", () => {
    expect(guardSelector("日本")).toBeNull();
  });
});

describe("reserved label keys", () => {
  it.each([
    ["paperclip.io/agent-id", true],
    ["app.kubernetes.io/name", true],
    ["clipjob.dev/anything", true],
    ["kubernetes.io/hostname", true],
    ["node.kubernetes.io/instance-type", true],
    ["k8s.io/x", true],
    ["sub.k8s.io/x", true],
    ["Paperclip.IO/x", true],
    ["example.com/team", false],
    ["mykubernetes.io/x", false],
    ["team", false],
  ])("%s reserved: %s", (key, reserved) => {
    expect(isReservedLabelKey(key)).toBe(reserved);
  });
});

describe("identityLabels", () => {
  it("labels every id it can and names the ones it cannot", () => {
    const { labels, skipped } = identityLabels("agent", "co/1", { runId: "日本", taskId: "task 7", sessionId: null });
    expect(labels).toEqual({
      "app.kubernetes.io/managed-by": "paperclip",
      "app.kubernetes.io/component": "agent-job",
      "paperclip.io/agent-id": "agent",
      "paperclip.io/adapter-type": "claude_k8s",
      "paperclip.io/company-id": "co1",
      "paperclip.io/task-id": "task7",
    });
    expect(skipped).toEqual(["paperclip.io/run-id"]);
  });
});

describe("relabelForRun", () => {
  it("sets the run and, when known, the session", () => {
    expect(relabelForRun({ runId: "run 2", sessionId: "s-1" })).toEqual({ "paperclip.io/run-id": "run2", "paperclip.io/session-id": "s-1" });
  });

  it("leaves the session label alone when this run has none", () => {
    expect(relabelForRun({ runId: "r", sessionId: null })).toEqual({ "paperclip.io/run-id": "r" });
  });

  it("removes a run label it cannot replace, so the Job is not mistaken for the earlier run", () => {
    expect(relabelForRun({ runId: "日本", sessionId: "日本" })).toEqual({ "paperclip.io/run-id": null });
  });
});
