/**
 * The 400-line rule: a source file a person reads top to bottom stays under 400 lines (docs/architecture.md,
 * "Layout and the dependency rule"). Counted as newline-separated lines, like `wc -l` plus a last line without a newline.
 */
export const MAX_SOURCE_LINES = 400;

/** TypeScript and JavaScript in every module flavour, declaration files included. */
export const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/**
 * Tracked source files the rule does not apply to, each with why. A pattern that no longer matches any
 * tracked file is reported by the test, so the list cannot hide a stale exemption.
 */
export const EXEMPT: [RegExp, string][] = [
  [
    /(^|\/)fixtures\//,
    "test fixtures stand in for another project's files (a Paperclip adapter package) and are shaped by that contract, not read as our code",
  ],
];

/** Lines of `text` (a trailing newline does not start another line). */
export function lineCount(text: string): number {
  if (text === "") return 0;
  const newlines = text.split("\n").length - 1;
  return text.endsWith("\n") ? newlines : newlines + 1;
}

/** The files among `files` the rule covers that exceed MAX_SOURCE_LINES, as "path: N lines", longest first. */
export function overlongSourceFiles(files: { path: string; text: string }[]): string[] {
  return files
    .filter((f) => SOURCE_FILE.test(f.path) && !EXEMPT.some(([p]) => p.test(f.path)))
    .map((f) => ({ path: f.path, lines: lineCount(f.text) }))
    .filter((f) => f.lines > MAX_SOURCE_LINES)
    .sort((a, b) => b.lines - a.lines)
    .map((f) => `${f.path}: ${f.lines} lines`);
}
