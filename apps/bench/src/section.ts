/** One benchmark's result: a markdown table plus what it says about the targets and invariants. */
export interface Section {
  readonly title: string;
  readonly table: string;
  readonly notes: readonly string[];
  /** Targets shown ❌ in the table (timing and size targets: reported, never a failed exit). */
  readonly missedTargets: readonly string[];
  /** Broken correctness invariants (lost/duplicated lines, unsettled runs, leaks): these fail the bench. */
  readonly brokenInvariants: readonly string[];
}

export function renderSection(section: Section): string {
  const notes = section.notes.map((n) => `- ${n}`).join("\n");
  return `## ${section.title}\n\n${section.table}\n${notes ? `\n${notes}\n` : ""}`;
}
