/** How a delivered transcript compares with what the container wrote. */
export interface LineAudit {
  /**
   * Lines lost silently: skipped over (a later line arrived before them and they never came) where no gap was
   * reported, or missing from the tail of a run that claims to have everything.
   */
  readonly lost: number;
  /** Lines skipped over exactly where the run reported a transcript gap: lost, but said so. */
  readonly gapped: number;
  /** Gaps reported where no line was missing (the reader could not tell; allowed, counted apart). */
  readonly needlessGaps: number;
  /** Lines delivered again after they had been delivered. */
  readonly duplicated: number;
  /** Lines that are not in the transcript at all. */
  readonly invented: number;
}

/**
 * Walks the delivered lines against the expected ones. A run may legitimately stop early (cancel, shutdown, a
 * lost node), so a missing tail counts as lost only when `complete` says the run claims to have everything.
 * `gapsBefore` holds the indexes into `delivered` of the lines the run reported a transcript gap before (its
 * `transcript_gap` notice arrived between `delivered[i - 1]` and `delivered[i]`): lines skipped right there
 * are `gapped`, not `lost`; a gap anywhere else excuses nothing. A gap at `delivered.length` (reported after
 * the last line: the log ended at a gap) accounts for a missing tail.
 */
export function auditLines(expected: readonly string[], delivered: readonly string[], complete: boolean, gapsBefore: ReadonlySet<number> = new Set()): LineAudit {
  const positions = new Map<string, number[]>();
  expected.forEach((line, i) => positions.set(line, [...(positions.get(line) ?? []), i]));
  let next = 0;
  let lost = 0;
  let gapped = 0;
  let needlessGaps = 0;
  let duplicated = 0;
  let invented = 0;
  delivered.forEach((line, d) => {
    let skipped = 0;
    const at = positions.get(line);
    if (next < expected.length && expected[next] === line) next++;
    else if (!at) invented++;
    else {
      const ahead = at.find((i) => i > next);
      if (ahead !== undefined && !at.some((i) => i < next)) {
        skipped = ahead - next;
        next = ahead + 1;
      } else duplicated++;
    }
    if (!gapsBefore.has(d)) lost += skipped;
    else if (skipped > 0) gapped += skipped;
    else needlessGaps++;
  });
  // The tail: a gap reported after the last delivered line (the log ended at a gap) accounts for it.
  const tail = expected.length - next;
  if (gapsBefore.has(delivered.length)) {
    if (complete && tail > 0) gapped += tail;
    else needlessGaps++;
  } else if (complete) lost += tail;
  return { lost, gapped, needlessGaps, duplicated, invented };
}
