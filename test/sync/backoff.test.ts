import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffCeiling, backoffDelay } from '../../src/engine/sync/backoff.js';
import { enrollmentLanded } from '../../src/engine/sync/reconcile.js';

describe('backoff with full jitter', () => {
  it('grows from about 2 s, doubles per attempt and stops at 10 minutes', () => {
    expect([1, 2, 3, 4].map((n) => backoffCeiling(n, DEFAULT_BACKOFF))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(backoffCeiling(9, DEFAULT_BACKOFF)).toBe(512_000);
    expect(backoffCeiling(10, DEFAULT_BACKOFF)).toBe(600_000);
    expect(backoffCeiling(1000, DEFAULT_BACKOFF)).toBe(600_000);
    expect(backoffCeiling(1, DEFAULT_BACKOFF, 'quota')).toBe(8_000);
  });

  it('draws uniformly between 0 and the ceiling (the random source is injectable)', () => {
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(0);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5)).toBe(4_000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.999_999)).toBe(7_999);
    const draws = Array.from({ length: 2000 }, () => backoffDelay(5, DEFAULT_BACKOFF));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(32_000);
    // full jitter: both halves of the range are used
    expect(draws.filter((d) => d < 16_000).length).toBeGreaterThan(600);
    expect(draws.filter((d) => d >= 16_000).length).toBeGreaterThan(600);
  });
});

describe('reconcile decision', () => {
  const before = { available: true, featureVectors: 4, enrolled: '2026-01-01T10:00:00.000Z' };
  it('landed when the template appeared, gained vectors or was regenerated; not when unchanged', () => {
    expect(enrollmentLanded({ available: false, featureVectors: 0, enrolled: null }, { available: true, featureVectors: 2, enrolled: '2026-01-02T00:00:00.000Z' })).toBe(true);
    expect(enrollmentLanded(before, { ...before, featureVectors: 6 })).toBe(true);
    expect(enrollmentLanded(before, { ...before, enrolled: '2026-01-02T00:00:00.000Z' })).toBe(true);
    expect(enrollmentLanded(before, { ...before })).toBe(false);
    expect(enrollmentLanded({ available: false, featureVectors: 0, enrolled: null }, { available: false, featureVectors: 0, enrolled: null })).toBe(false);
  });
});
