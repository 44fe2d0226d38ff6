// Claude's stdin for one run, assembled like Paperclip's own Claude adapter: bootstrap (new sessions
// only), wake, session handoff, task, heartbeat template — blank sections skipped, a blank line between.

import { utf8ByteLength } from "../stream/utf8-byte-length.js";
import type { PromptMetrics } from "./prompt-metrics.js";
import { renderTemplate } from "./template.js";

/** What of a run request the prompt is made from (a `RunRequest` is one). */
export interface PromptRequest {
  readonly runId: string;
  readonly agent: { readonly id: string; readonly companyId: string; readonly name: string };
  readonly taskId?: string | null;
  readonly wake?: { readonly reason?: string | null; readonly comments?: readonly { readonly body: string }[] } | null;
  readonly sessionHandoffMarkdown?: string | null;
  readonly taskMarkdown?: string | null;
  readonly session?: { readonly sessionId?: string | null } | null;
  readonly templateData?: Readonly<Record<string, unknown>>;
}

/** The config's `{{…}}` templates: the heartbeat prompt, and the bootstrap for fresh sessions. */
export interface PromptTemplates {
  readonly promptTemplate: string;
  readonly bootstrapPromptTemplate: string;
}

export interface PromptSections {
  readonly bootstrap: string;
  readonly wake: string;
  readonly handoff: string;
  readonly task: string;
  readonly heartbeat: string;
}

export interface BuiltPrompt {
  readonly text: string;
  readonly sections: PromptSections;
  readonly metrics: PromptMetrics;
  /** The session the run resumes (`--resume`), or null for a fresh one. */
  readonly resumeSessionId: string | null;
}

export function resumeSessionIdOf(request: Pick<PromptRequest, "session">): string | null {
  const id = request.session?.sessionId?.trim();
  return id ? id : null;
}

export function buildPrompt(request: PromptRequest, config: PromptTemplates): BuiltPrompt {
  const resumeSessionId = resumeSessionIdOf(request);
  const data = templateData(request);
  const wake = wakePrompt(request.wake);
  // The "resume delta": a resumed session already holds the standing instructions, so a wake with its
  // own news replaces the heartbeat template instead of repeating it.
  const heartbeat = resumeSessionId !== null && wake !== "" ? "" : renderTemplate(config.promptTemplate, data).trim();
  const sections: PromptSections = {
    bootstrap: resumeSessionId === null ? renderTemplate(config.bootstrapPromptTemplate, data).trim() : "",
    wake,
    handoff: toWellFormed(request.sessionHandoffMarkdown ?? "").trim(),
    task: toWellFormed(request.taskMarkdown ?? "").trim(),
    heartbeat,
  };
  const text = toWellFormed(
    [sections.bootstrap, sections.wake, sections.handoff, sections.task, sections.heartbeat].filter((s) => s !== "").join("\n\n"),
  );
  return { text, sections, metrics: promptMetrics(text, sections), resumeSessionId };
}

export function promptMetrics(text: string, sections: PromptSections): PromptMetrics {
  return {
    promptChars: text.length,
    promptBytes: utf8ByteLength(text),
    bootstrapPromptChars: sections.bootstrap.length,
    wakePromptChars: sections.wake.length,
    sessionHandoffChars: sections.handoff.length,
    taskMarkdownChars: sections.task.length,
    heartbeatPromptChars: sections.heartbeat.length,
  };
}

function templateData(request: PromptRequest): Record<string, unknown> {
  const { agent, runId } = request;
  return {
    agentId: agent.id,
    companyId: agent.companyId,
    runId,
    taskId: request.taskId ?? null,
    company: { id: agent.companyId },
    agent: { id: agent.id, name: agent.name, companyId: agent.companyId },
    run: { id: runId, source: "on_demand" },
    context: request.templateData ?? {},
  };
}

function wakePrompt(wake: PromptRequest["wake"]): string {
  if (!wake) return "";
  const parts: string[] = [];
  const reason = wake.reason?.trim();
  if (reason) parts.push(`Wake reason: ${reason}`);
  for (const comment of wake.comments ?? []) {
    const body = comment.body.trim();
    if (body !== "") parts.push(`Comment: ${body}`);
  }
  return toWellFormed(parts.join("\n\n"));
}

/** Lone UTF-16 surrogates become U+FFFD, as they would on the wire; sizes are then exact. */
export function toWellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

