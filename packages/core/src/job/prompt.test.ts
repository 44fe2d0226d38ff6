import { describe, expect, it } from "vitest";
import type { RunRequest } from "../run/run-request.js";
import { utf8ByteLength } from "../stream/utf8-byte-length.js";
import { buildPrompt } from "./prompt.js";
import { renderTemplate } from "./template.js";

const templates = { promptTemplate: "Heartbeat for {{agent.name}}.", bootstrapPromptTemplate: "Bootstrap {{agent.id}}." };

function request(overrides: Partial<RunRequest> = {}): RunRequest {
  return { runId: "run-1", agent: { id: "agent-1", companyId: "co-1", name: "Echo" }, config: {}, ...overrides };
}

describe("buildPrompt", () => {
  it("starts a fresh session with bootstrap then heartbeat", () => {
    expect(buildPrompt(request(), templates).text).toBe("Bootstrap agent-1.\n\nHeartbeat for Echo.");
  });

  it("orders bootstrap, wake, handoff, task and heartbeat, a blank line apart", () => {
    const built = buildPrompt(
      request({
        wake: { reason: "issue_assigned", comments: [{ body: "Please look" }, { body: "  " }, { body: "Thanks" }] },
        sessionHandoffMarkdown: "## Handoff\nstate",
        taskMarkdown: "# Task\nDo it",
      }),
      templates,
    );
    expect(built.text).toBe(
      [
        "Bootstrap agent-1.",
        "Wake reason: issue_assigned\n\nComment: Please look\n\nComment: Thanks",
        "## Handoff\nstate",
        "# Task\nDo it",
        "Heartbeat for Echo.",
      ].join("\n\n"),
    );
  });

  it("skips the bootstrap prompt when resuming a session", () => {
    const built = buildPrompt(request({ session: { sessionId: "s-1" } }), templates);
    expect(built.text).toBe("Heartbeat for Echo.");
    expect(built.resumeSessionId).toBe("s-1");
  });

  it("sends only the news when a resumed session is woken with a wake prompt (resume delta)", () => {
    const built = buildPrompt(request({ session: { sessionId: "s-1" }, wake: { reason: "comment_added" } }), templates);
    expect(built.text).toBe("Wake reason: comment_added");
    expect(built.sections.heartbeat).toBe("");
  });

  it("keeps the heartbeat for a fresh session even with a wake prompt", () => {
    expect(buildPrompt(request({ wake: { reason: "timer" } }), templates).text).toContain("Heartbeat for Echo.");
  });

  it("treats a blank session id as no session", () => {
    expect(buildPrompt(request({ session: { sessionId: "  " } }), templates).resumeSessionId).toBeNull();
  });

  it("reports the size of every section", () => {
    const built = buildPrompt(request({ taskMarkdown: "é" }), templates);
    expect(built.metrics).toEqual({
      promptChars: built.text.length,
      promptBytes: built.text.length + 1,
      bootstrapPromptChars: "Bootstrap agent-1.".length,
      wakePromptChars: 0,
      sessionHandoffChars: 0,
      taskMarkdownChars: 1,
      heartbeatPromptChars: "Heartbeat for Echo.".length,
    });
  });

  it("replaces lone surrogates so the byte count is what the Secret will hold", () => {
    const built = buildPrompt(request({ taskMarkdown: "a\uD800b" }), { promptTemplate: "", bootstrapPromptTemplate: "" });
    expect(built.text).toBe("a\uFFFDb");
    expect(built.metrics.promptBytes).toBe(5);
  });

  it("exposes the run, agent and context to templates", () => {
    const built = buildPrompt(request({ taskId: "t-1", templateData: { issue: { title: "Fix it" } } }), {
      promptTemplate: "{{runId}} {{agentId}} {{companyId}} {{company.id}} {{run.id}} {{run.source}} {{taskId}} {{context.issue.title}}",
      bootstrapPromptTemplate: "",
    });
    expect(built.text).toBe("run-1 agent-1 co-1 co-1 run-1 on_demand t-1 Fix it");
  });
});

describe("renderTemplate", () => {
  it.each([
    ["a dotted path", "{{ a.b }}", { a: { b: "x" } }, "x"],
    ["a missing value renders empty", "[{{a.zzz}}]", { a: {} }, "[]"],
    ["null renders empty", "[{{a}}]", { a: null }, "[]"],
    ["numbers and booleans", "{{n}} {{b}}", { n: 3, b: false }, "3 false"],
    ["objects render as JSON", "{{o}}", { o: { k: [1, 2] } }, '{"k":[1,2]}'],
    ["prototype properties are not reachable", "[{{o.constructor}}][{{o.__proto__}}][{{toString}}]", { o: {} }, "[][][]"],
    ["text that is not a placeholder is kept", "{{ not valid! }} {x}", {}, "{{ not valid! }} {x}"],
  ])("%s", (_, template, data, expected) => {
    expect(renderTemplate(template, data)).toBe(expected);
  });

  it("renders cyclic data as empty instead of failing the run", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(renderTemplate("[{{c}}]", { c: cyclic })).toBe("[]");
  });
});

describe("utf8ByteLength (prompt sizes)", () => {
  it("counts UTF-8 bytes", () => {
    expect(utf8ByteLength("aé日🎉")).toBe(1 + 2 + 3 + 4);
  });
});
