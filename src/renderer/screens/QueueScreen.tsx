import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useIntl } from 'react-intl';
import type { StationApi } from '../../shared/contract.js';
import { JOB_STATES, type JobState, type JobSummary } from '../../shared/schemas.js';
import { Age } from '../components/Age.js';
import { ErrorText } from '../components/ErrorText.js';
import { Field } from '../components/Field.js';
import { useNow } from '../hooks/useNow.js';
import { useSyncStatus } from '../hooks/useSyncStatus.js';
import { errorMessageId } from '../i18n/errors.js';
import { useT } from '../i18n/useT.js';
import { canDiscard, canRetry, discardReasonOk, STATE_ADVICE, STATE_LABELS, STATE_TONE, syncOutcome } from './queueView.js';

/**
 * The offline queue: each enrollment's state in words with its age, what to do about it, retry and discard
 * (with a reason for the audit log). The job's reference, attempts and the engine's own words are behind
 * "Details". "Sync now" answers with the current state of the queue, updated as the engine reports.
 */
export function QueueScreen({ api }: { api: StationApi }) {
  const t = useT();
  const now = useNow();
  const [filter, setFilter] = useState<JobState | ''>('');
  const [jobs, setJobs] = useState<JobSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [discarding, setDiscarding] = useState<JobSummary | null>(null);
  const [reason, setReason] = useState('');
  const [status, setStatus] = useSyncStatus(api);
  const [sync, setSync] = useState<'idle' | 'checking' | 'answered'>('idle');

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

  const act = async (body: () => Promise<string | null>) => {
    setNotice(null);
    try {
      setNotice(await body());
      setError(null);
      await refresh();
    } catch (failure) {
      setError(failure);
    }
  };

  const syncNow = async () => {
    setSync('checking');
    setNotice(null);
    try {
      setStatus(await api.syncNow());
      setError(null);
      setSync('answered');
    } catch (failure) {
      setError(failure);
      setSync('idle');
    }
  };

  const confirmDiscard = (event: FormEvent) => {
    event.preventDefault();
    const job = discarding;
    if (!job || !discardReasonOk(reason)) return;
    void act(async () => {
      await api.discardJob(job.id, reason.trim());
      setDiscarding(null);
      setReason('');
      return t('queue.discarded', { classId: job.classId });
    });
  };

  const outcome = sync === 'answered' && status ? syncOutcome(status) : null;

  return (
    <section aria-labelledby="queue-title" className="screen">
      <div className="screen-head">
        <h2 id="queue-title">{t('queue.title')}</h2>
        <div className="row toolbar">
          <button type="button" className="primary" onClick={() => void syncNow()} disabled={sync === 'checking'}>
            {t('queue.syncNow')}
          </button>
          <button type="button" onClick={() => void act(async () => t('queue.retried', { count: await api.retryJob('all') }))}>
            {t('queue.retryAll')}
          </button>
          <label htmlFor="queue-filter">{t('queue.filter')}</label>
          <select id="queue-filter" value={filter} onChange={(event) => setFilter(event.target.value as JobState | '')}>
            <option value="">{t('queue.filter.all')}</option>
            {JOB_STATES.map((state) => (
              <option key={state} value={state}>
                {t(STATE_LABELS[state])}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="feedback" role="status" aria-live="polite" data-testid="sync-feedback">
        {sync === 'checking' ? <p className="muted">{t('queue.sync.checking')}</p> : null}
        {outcome ? <p className={`tone-${outcome.tone}`}>{t(outcome.id, outcome.values)}</p> : null}
        {notice ? <p className="tone-ok">{notice}</p> : null}
      </div>
      {error ? <ErrorText error={error} /> : null}
      {discarding ? (
        <form className="discard" onSubmit={confirmDiscard} aria-label={t('queue.discardForm')}>
          <Field id="discard-reason" label={t('queue.discardReason', { classId: discarding.classId })}>
            {(control) => <input {...control} value={reason} onChange={(event) => setReason(event.target.value)} minLength={3} maxLength={500} required autoFocus />}
          </Field>
          <div className="row">
            <button type="submit" className="danger" disabled={!discardReasonOk(reason)}>
              {t('queue.discardConfirm')}
            </button>
            <button type="button" onClick={() => setDiscarding(null)}>
              {t('queue.cancel')}
            </button>
          </div>
        </form>
      ) : null}
      {jobs === null ? (
        <p className="muted">{t('queue.loading')}</p>
      ) : jobs.length === 0 ? (
        <p className="muted">{t('queue.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="jobs">
            <caption className="visually-hidden">{t('queue.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('queue.col.classId')}</th>
                <th scope="col">{t('queue.col.state')}</th>
                <th scope="col">{t('queue.col.todo')}</th>
                <th scope="col">{t('queue.col.images')}</th>
                <th scope="col">{t('queue.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <JobRow key={job.id} job={job} now={now} onRetry={() => void act(async () => t('queue.retried', { count: await api.retryJob(job.id) }))} onDiscard={() => setDiscarding(job)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function JobRow({ job, now, onRetry, onDiscard }: { job: JobSummary; now: number; onRetry: () => void; onDiscard: () => void }) {
  const t = useT();
  const intl = useIntl();
  return (
    <tr data-state={job.state}>
      <td className="mono">{job.classId}</td>
      <td>
        <span className={`state tone-${STATE_TONE[job.state]}`}>{t(STATE_LABELS[job.state])}</span>
        <br />
        <span className="muted small">
          <Age iso={job.updatedAt} now={now} />
        </span>
      </td>
      <td>
        <p className="advice">
          {job.state === 'retry_wait' && job.nextAttemptAt && Date.parse(job.nextAttemptAt) > now
            ? t('queue.advice.retryAt', { time: intl.formatTime(job.nextAttemptAt, { timeStyle: 'short' }) })
            : t(STATE_ADVICE[job.state])}
        </p>
        {job.lastError && job.state !== 'synced' ? <p className="problem">{t(errorMessageId(job.lastError.code))}</p> : null}
        <details className="job-details">
          <summary>{t('queue.details')}</summary>
          <dl>
            <dt>{t('queue.details.reference')}</dt>
            <dd className="mono">{job.id}</dd>
            <dt>{t('queue.details.created')}</dt>
            <dd>{intl.formatDate(job.createdAt, { dateStyle: 'medium', timeStyle: 'short' })}</dd>
            <dt>{t('queue.details.attempts')}</dt>
            <dd>{intl.formatNumber(job.attempts)}</dd>
            {job.lastError ? (
              <>
                <dt>{t('queue.details.lastError')}</dt>
                <dd>
                  {job.lastError.message} <span className="mono">({job.lastError.code})</span>
                </dd>
              </>
            ) : null}
          </dl>
        </details>
      </td>
      <td>{intl.formatNumber(job.imageCount)}</td>
      <td>
        <div className="actions">
          {canRetry(job) ? (
            <button type="button" onClick={onRetry} aria-label={t('queue.retryLabel', { classId: job.classId })}>
              {t('queue.retry')}
            </button>
          ) : null}
          {canDiscard(job) ? (
            <button type="button" className="danger" onClick={onDiscard} aria-label={t('queue.discardLabel', { classId: job.classId })}>
              {t('queue.discard')}
            </button>
          ) : null}
        </div>
      </td>
    </tr>
  );
}
