import type { JobState, JobSummary, SyncStatus } from '../../shared/schemas.js';

/**
 * What the Queue screen and the status badge say, decided without React so it is tested with plain data.
 * Everything returned is a catalog id plus values: no engine text, no job UUIDs, no gRPC codes.
 */

/** Jobs the station still has to send (paused ones too: they wait for an administrator). */
const WAITING: readonly JobState[] = ['queued', 'sending', 'retry_wait', 'ambiguous', 'reconciling', 'paused'];

export function waitingCount(counts: SyncStatus['counts']): number {
  return WAITING.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
}

export type BadgeKind = 'online' | 'syncing' | 'offline' | 'degraded' | 'paused' | 'unconfigured';

export interface BadgeView {
  kind: BadgeKind;
  label: 'app.status.online' | 'app.status.syncing' | 'app.status.offline' | 'app.status.degraded' | 'app.status.paused' | 'app.status.unconfigured';
  waiting: number;
  attention: number;
  testService: boolean;
}

/** The badge: one state word, and how many enrollments wait and how many need someone. */
export function badgeView(status: SyncStatus): BadgeView {
  const waiting = waitingCount(status.counts);
  const attention = status.counts.needs_attention ?? 0;
  const testService = status.testService === true;
  const base = { waiting, attention, testService };
  if (status.paused) return { ...base, kind: 'paused', label: 'app.status.paused' };
  if (status.connectivity === 'unconfigured') return { ...base, kind: 'unconfigured', label: 'app.status.unconfigured' };
  if (status.connectivity === 'offline') return { ...base, kind: 'offline', label: 'app.status.offline' };
  if (status.connectivity === 'degraded') return { ...base, kind: 'degraded', label: 'app.status.degraded' };
  const moving = (status.counts.sending ?? 0) + (status.counts.reconciling ?? 0) + (status.running ? status.counts.queued ?? 0 : 0);
  return moving > 0 ? { ...base, kind: 'syncing', label: 'app.status.syncing' } : { ...base, kind: 'online', label: 'app.status.online' };
}

export type Tone = 'ok' | 'warn' | 'bad' | 'info';

/**
 * The answer to "Sync now", from the status the engine returned (and, after that, from every newer status
 * event): what is true now, never a message left over from an earlier attempt.
 */
export function syncOutcome(status: SyncStatus): { id: string; tone: Tone; values: Record<string, number> } {
  const waiting = waitingCount(status.counts);
  const attention = status.counts.needs_attention ?? 0;
  const values = { waiting, attention };
  if (status.paused) return { id: 'queue.sync.paused', tone: 'bad', values };
  if (status.connectivity === 'unconfigured') return { id: 'queue.sync.unconfigured', tone: 'warn', values };
  if (status.connectivity === 'offline' || status.connectivity === 'degraded') return { id: 'queue.sync.offline', tone: 'warn', values };
  if (waiting > 0) return { id: 'queue.sync.sending', tone: 'info', values };
  if (attention > 0) return { id: 'queue.sync.attention', tone: 'warn', values };
  return { id: 'queue.sync.done', tone: 'ok', values };
}

export const STATE_LABELS = {
  queued: 'queue.state.queued',
  sending: 'queue.state.sending',
  retry_wait: 'queue.state.retry_wait',
  ambiguous: 'queue.state.ambiguous',
  reconciling: 'queue.state.reconciling',
  synced: 'queue.state.synced',
  needs_attention: 'queue.state.needs_attention',
  paused: 'queue.state.paused',
  discarded: 'queue.state.discarded',
} as const satisfies Record<JobState, string>;

/** What the operator should do about a job in this state (the "what to do" column). */
export const STATE_ADVICE = {
  queued: 'queue.advice.queued',
  sending: 'queue.advice.sending',
  retry_wait: 'queue.advice.retry_wait',
  ambiguous: 'queue.advice.checking',
  reconciling: 'queue.advice.checking',
  synced: 'queue.advice.synced',
  needs_attention: 'queue.advice.needs_attention',
  paused: 'queue.advice.paused',
  discarded: 'queue.advice.discarded',
} as const satisfies Record<JobState, string>;

export const STATE_TONE: Record<JobState, Tone> = {
  queued: 'info',
  sending: 'info',
  retry_wait: 'warn',
  ambiguous: 'warn',
  reconciling: 'warn',
  synced: 'ok',
  needs_attention: 'bad',
  paused: 'bad',
  discarded: 'info',
};

export function canRetry(job: Pick<JobSummary, 'state'>): boolean {
  return job.state === 'retry_wait' || job.state === 'needs_attention' || job.state === 'paused';
}

/** Not once it is done, and not while it may be on its way to the service (the engine refuses that too). */
export function canDiscard(job: Pick<JobSummary, 'state'>): boolean {
  return job.state === 'queued' || job.state === 'retry_wait' || job.state === 'needs_attention' || job.state === 'paused';
}

/** Discard reasons are kept in the audit log: a few words at least, as the engine requires. */
export function discardReasonOk(reason: string): boolean {
  return reason.trim().length >= 3;
}
