import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useIntl } from 'react-intl';
import type { StationApi } from '../../shared/contract.js';
import { JOB_STATES, type JobState, type JobSummary } from '../../shared/schemas.js';
import { ErrorText } from '../components/ErrorText.js';
import { useT } from '../i18n/useT.js';

const RETRYABLE: ReadonlySet<JobState> = new Set(['retry_wait', 'needs_attention', 'paused']);
const STATE_LABELS = {
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

/** The offline queue: every job with its state, attempts and last error; refreshed on jobsChanged. */
export function QueueScreen({ api }: { api: StationApi }) {
  const t = useT();
  const intl = useIntl();
  const [filter, setFilter] = useState<JobState | ''>('');
  const [jobs, setJobs] = useState<JobSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [discarding, setDiscarding] = useState<string | null>(null);
  const [reason, setReason] = useState('');

  const refresh = useCallback(async () => {
    try {
      setJobs(await (filter ? api.listJobs({ state: filter }) : api.listJobs()));
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  }, [api, filter]);

  useEffect(() => {
    void refresh();
    return api.onJobsChanged(() => void refresh());
  }, [api, refresh]);

  const act = async (body: () => Promise<string>) => {
    try {
      setNotice(await body());
      setError(null);
      await refresh();
    } catch (failure) {
      setError(failure);
    }
  };

  const confirmDiscard = (event: FormEvent) => {
    event.preventDefault();
    const jobId = discarding;
    if (!jobId) return;
    void act(async () => {
      await api.discardJob(jobId, reason.trim());
      setDiscarding(null);
      setReason('');
      return t('queue.discarded');
    });
  };

  return (
    <section aria-labelledby="queue-title">
      <h2 id="queue-title">{t('queue.title')}</h2>
      <div className="row">
        <label htmlFor="queue-filter">{t('queue.filter')}</label>
        <select id="queue-filter" value={filter} onChange={(event) => setFilter(event.target.value as JobState | '')}>
          <option value="">{t('queue.filter.all')}</option>
          {JOB_STATES.map((state) => (
            <option key={state} value={state}>
              {t(STATE_LABELS[state])}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void refresh()}>
          {t('queue.refresh')}
        </button>
        <button type="button" onClick={() => void act(async () => t('queue.retried', { count: await api.retryJob('all') }))}>
          {t('queue.retryAll')}
        </button>
        <button type="button" onClick={() => void act(async () => t('queue.synced', { result: (await api.syncNow()).lastResult ?? '' }))}>
          {t('queue.syncNow')}
        </button>
      </div>
      {error ? <ErrorText error={error} /> : null}
      {notice ? (
        <p role="status" className="success">
          {notice}
        </p>
      ) : null}
      {jobs === null ? (
        <p className="muted">{t('queue.loading')}</p>
      ) : jobs.length === 0 ? (
        <p className="muted">{t('queue.empty')}</p>
      ) : (
        <table className="jobs">
          <caption className="visually-hidden">{t('queue.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('queue.col.classId')}</th>
              <th scope="col">{t('queue.col.state')}</th>
              <th scope="col">{t('queue.col.attempts')}</th>
              <th scope="col">{t('queue.col.images')}</th>
              <th scope="col">{t('queue.col.problem')}</th>
              <th scope="col">{t('queue.col.updated')}</th>
              <th scope="col">{t('queue.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr key={job.id}>
                <td className="mono">{job.classId}</td>
                <td>
                  <span className={`state state-${job.state}`}>{t(STATE_LABELS[job.state])}</span>
                </td>
                <td>{job.attempts}</td>
                <td>{job.imageCount}</td>
                <td>{job.lastError ? job.lastError.message : ''}</td>
                <td>{intl.formatDate(job.updatedAt, { dateStyle: 'short', timeStyle: 'short' })}</td>
                <td className="actions">
                  {RETRYABLE.has(job.state) ? (
                    <button type="button" onClick={() => void act(async () => t('queue.retried', { count: await api.retryJob(job.id) }))} aria-label={t('queue.retryLabel', { classId: job.classId })}>
                      {t('queue.retry')}
                    </button>
                  ) : null}
                  {job.state !== 'synced' && job.state !== 'discarded' ? (
                    <button type="button" className="danger" onClick={() => setDiscarding(job.id)} aria-label={t('queue.discardLabel', { classId: job.classId })}>
                      {t('queue.discard')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {discarding ? (
        <form className="discard" onSubmit={confirmDiscard} aria-label={t('queue.discardForm')}>
          <label htmlFor="discard-reason">{t('queue.discardReason')}</label>
          <input id="discard-reason" value={reason} onChange={(event) => setReason(event.target.value)} minLength={3} required autoFocus />
          <div className="row">
            <button type="submit" className="danger" disabled={reason.trim().length < 3}>
              {t('queue.discardConfirm')}
            </button>
            <button type="button" onClick={() => setDiscarding(null)}>
              {t('queue.cancel')}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
