export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/** ✅ / ❌ next to a target, so a missed target is visible in the table itself. */
export function verdict(ok: boolean): string {
  return ok ? "✅" : "❌";
}
