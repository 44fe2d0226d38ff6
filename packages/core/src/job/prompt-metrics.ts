/** Sizes of a run's prompt and its sections (UTF-16 code units unless said), for invocation metadata. */
export interface PromptMetrics {
  readonly promptChars: number;
  /** UTF-8 size: what the payload Secret limit is measured in. */
  readonly promptBytes: number;
  readonly bootstrapPromptChars: number;
  readonly wakePromptChars: number;
  readonly sessionHandoffChars: number;
  readonly taskMarkdownChars: number;
  readonly heartbeatPromptChars: number;
}
