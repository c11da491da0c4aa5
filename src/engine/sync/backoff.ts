/**
 * Exponential backoff with full jitter: the delay is uniform in [0, min(cap, base * 2^(attempt-1))].
 * Full jitter spreads a fleet of stations that lost the network at the same moment, so they do not all
 * come back at once. `random` is injectable so tests can pin the draw.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Multiplier for quota errors (RESOURCE_EXHAUSTED): wait longer before knocking again. */
  quotaFactor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2_000, capMs: 600_000, quotaFactor: 4 };

export function backoffCeiling(attempt: number, options: BackoffOptions, kind: 'normal' | 'quota' = 'normal'): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 40));
  const base = options.baseMs * (kind === 'quota' ? options.quotaFactor : 1);
  return Math.min(options.capMs, base * 2 ** exponent);
}

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random, kind: 'normal' | 'quota' = 'normal'): number {
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(draw * backoffCeiling(attempt, options, kind));
}
