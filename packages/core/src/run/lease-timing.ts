// How long a process Lease lasts unrenewed and how often it is renewed and read (docs/architecture.md,
// "Across processes").

/** How long a Lease lasts unrenewed, how often its holder renews it, and how often a waiter re-reads it. */
export interface LeaseTiming {
  /** Written as `leaseDurationSeconds`: a Lease unrenewed this long belongs to a holder that is gone. */
  readonly durationSeconds: number;
  /** Renewal interval (ms); a third of the duration leaves two renewals' room for a slow API server. */
  readonly renewMs: number;
  /** How often a run waiting on someone else's claim reads its holder's Lease again (ms). */
  readonly pollMs: number;
}

/**
 * 60 s / 20 s / 5 s: a crashed holder blocks its agents for at most a minute, a live one is recognised within
 * one renewal (≤ 20 s), and a process that supervises any runs costs one small Lease update per 20 s, however
 * many runs it supervises.
 */
export const PROCESS_LEASE_TIMING: LeaseTiming = { durationSeconds: 60, renewMs: 20_000, pollMs: 5_000 };
