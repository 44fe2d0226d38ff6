/** How a delivered transcript compares with what the container wrote. */
export interface LineAudit {
  /** Lines skipped over: a later line arrived before them and they never came (or a succeeded run lacks its tail). */
  readonly lost: number;
  /** Lines delivered again after they had been delivered. */
  readonly duplicated: number;
  /** Lines that are not in the transcript at all. */
  readonly invented: number;
}

/**
 * Walks the delivered lines against the expected ones. A run may legitimately stop early (cancel, shutdown, a
 * lost node), so a missing tail counts as lost only when `complete` says the run claims to have everything.
 */
export function auditLines(expected: readonly string[], delivered: readonly string[], complete: boolean): LineAudit {
  const positions = new Map<string, number[]>();
  expected.forEach((line, i) => positions.set(line, [...(positions.get(line) ?? []), i]));
  let next = 0;
  let lost = 0;
  let duplicated = 0;
  let invented = 0;
  for (const line of delivered) {
    if (next < expected.length && expected[next] === line) {
      next++;
      continue;
    }
    const at = positions.get(line);
    if (!at) {
      invented++;
      continue;
    }
    const ahead = at.find((i) => i > next);
    if (ahead !== undefined && !at.some((i) => i < next)) {
      lost += ahead - next;
      next = ahead + 1;
    } else {
      duplicated++;
    }
  }
  if (complete) lost += expected.length - next;
  return { lost, duplicated, invented };
}
