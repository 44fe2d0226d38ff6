// Transcript text comes from a container: it must never be able to drive the terminal (escape sequences
// could rewrite earlier lines, retitle the window or hide output).

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Removes control characters except newline and tab. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, "");
}

/** One line: newlines and tabs become spaces, runs of whitespace collapse, the result is capped. */
export function oneLine(text: string, max: number): string {
  return cap(terminalSafe(text).replace(/\s+/g, " ").trim(), max);
}

export function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}
