import { describe, expect, it } from 'vitest';
import { relativeTime } from '../../src/renderer/i18n/time.js';
import { badgeView, canDiscard, canRetry, syncOutcome, waitingCount } from '../../src/renderer/screens/queueView.js';
import { JOB_STATES, type SyncStatus } from '../../src/shared/schemas.js';

const counts = (partial: Partial<Record<(typeof JOB_STATES)[number], number>>) => Object.fromEntries(JOB_STATES.map((state) => [state, partial[state] ?? 0]));
const status = (partial: Partial<SyncStatus>): SyncStatus => ({ connectivity: 'online', running: true, paused: null, counts: counts({}), lastSyncAt: null, lastResult: null, ...partial });

describe('queue view', () => {
  it('counts what still has to be sent, paused work included, and not what is done or needs someone', () => {
    expect(waitingCount(counts({ queued: 2, sending: 1, retry_wait: 1, ambiguous: 1, reconciling: 1, paused: 1, synced: 9, discarded: 4, needs_attention: 3 }))).toBe(7);
  });

  it('badge: paused wins, then no service, offline, degraded; online is "syncing" while work moves', () => {
    expect(badgeView(status({ paused: { code: 'BWS_CREDENTIALS', message: 'x' }, connectivity: 'online' })).kind).toBe('paused');
    expect(badgeView(status({ connectivity: 'unconfigured', counts: counts({ queued: 2 }) }))).toEqual({ kind: 'unconfigured', label: 'app.status.unconfigured', waiting: 2, attention: 0, testService: false });
    expect(badgeView(status({ connectivity: 'offline', counts: counts({ queued: 3, needs_attention: 1 }) }))).toMatchObject({ kind: 'offline', waiting: 3, attention: 1 });
    expect(badgeView(status({ connectivity: 'degraded' })).kind).toBe('degraded');
    expect(badgeView(status({ counts: counts({ sending: 1 }) })).kind).toBe('syncing');
    expect(badgeView(status({ counts: counts({ queued: 1 }) })).kind).toBe('syncing');
    expect(badgeView(status({ running: false, counts: counts({ queued: 1 }) })).kind).toBe('online');
    expect(badgeView(status({ counts: counts({ synced: 5 }) })).kind).toBe('online');
    expect(badgeView(status({ testService: true })).testService).toBe(true);
  });

  it('"Sync now" says what is true in the status it got, never the engine\'s last free-text result', () => {
    const stale = 'BWS is not configured: set the endpoint, client id and key';
    expect(syncOutcome(status({ connectivity: 'offline', lastResult: stale, counts: counts({ queued: 2 }) }))).toEqual({ id: 'queue.sync.offline', tone: 'warn', values: { waiting: 2, attention: 0 } });
    expect(syncOutcome(status({ connectivity: 'unconfigured' })).id).toBe('queue.sync.unconfigured');
    expect(syncOutcome(status({ paused: { code: 'BWS_CREDENTIALS', message: 'x' } })).id).toBe('queue.sync.paused');
    expect(syncOutcome(status({ counts: counts({ queued: 1 }) })).id).toBe('queue.sync.sending');
    expect(syncOutcome(status({ counts: counts({ needs_attention: 1 }) })).id).toBe('queue.sync.attention');
    expect(syncOutcome(status({ lastResult: stale, counts: counts({ synced: 3 }) }))).toEqual({ id: 'queue.sync.done', tone: 'ok', values: { waiting: 0, attention: 0 } });
  });

  it('offers retry and discard only where the engine allows them', () => {
    expect(JOB_STATES.filter((state) => canRetry({ state }))).toEqual(['retry_wait', 'needs_attention', 'paused']);
    expect(JOB_STATES.filter((state) => canDiscard({ state }))).toEqual(['queued', 'retry_wait', 'needs_attention', 'paused']);
  });

  it('ages: seconds as "now", then minutes, hours and days, past and future', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(relativeTime('2026-01-10T11:59:58Z', now)).toEqual({ value: 0, unit: 'second' });
    expect(relativeTime('2026-01-10T11:59:30Z', now)).toEqual({ value: -30, unit: 'second' });
    expect(relativeTime('2026-01-10T11:57:00Z', now)).toEqual({ value: -3, unit: 'minute' });
    expect(relativeTime('2026-01-10T09:00:00Z', now)).toEqual({ value: -3, unit: 'hour' });
    expect(relativeTime('2026-01-08T12:00:00Z', now)).toEqual({ value: -2, unit: 'day' });
    expect(relativeTime('2026-01-10T12:02:00Z', now)).toEqual({ value: 2, unit: 'minute' });
    expect(relativeTime('not a date', now)).toBeNull();
  });
});
