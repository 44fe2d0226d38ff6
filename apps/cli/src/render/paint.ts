import type { DisplayLine, DisplayStyle } from "./display-line.js";

const SGR: Readonly<Record<DisplayStyle, string>> = {
  assistant: "",
  thinking: "2",
  tool: "33",
  toolResult: "36",
  toolError: "31",
  system: "34",
  result: "1;32",
  error: "1;31",
  warn: "33",
  dim: "2",
  plain: "",
};

/** Renders a display line with ANSI colours, or as plain text when colour is off (pipes, NO_COLOR). */
export function paint(line: DisplayLine, colour: boolean): string {
  const code = SGR[line.style];
  if (!colour || code === "") return line.text;
  return `\x1b[${code}m${line.text}\x1b[0m`;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function wantsColour(isTty: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return isTty && (env["NO_COLOR"] ?? "") === "";
}
