/** One line of terminal output and how it should look; painting (colour or not) happens at the edge. */
export type DisplayStyle = "assistant" | "thinking" | "tool" | "toolResult" | "toolError" | "system" | "result" | "error" | "warn" | "dim" | "plain";

export interface DisplayLine {
  readonly style: DisplayStyle;
  readonly text: string;
}

export function line(style: DisplayStyle, text: string): DisplayLine {
  return { style, text };
}
