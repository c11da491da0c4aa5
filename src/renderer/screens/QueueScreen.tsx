import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { StationApi } from '../../shared/contract.js';
import { JOB_STATES, type JobState, type JobSummary } from '../../shared/schemas.js';
import { describeError } from '../station.js';

const RETRYABLE: ReadonlySet<JobState> = new Set(['retry_wait', 'needs_attention', 'paused']);
const STATE_LABELS: Record<JobState, string> = {
  queued: 'Queued',
  sending: 'Sending',
  retry_wait: 'Waiting to retry',
  ambiguous: 'Unclear outcome',
  reconciling: 'Checking with server',
  synced: 'Synced',
  needs_attention: 'Needs attention',
  paused: 'Paused',
  discarded: 'Discarded',
};

function when(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** The offline queue: every job with its state, attempts and last error; refreshed on jobsChanged. */
export function QueueScreen({ api }: { api: StationApi }) {
  const [filter, setFilter] = useState<JobState | ''>('');
  const [jobs, setJobs] = useState<JobSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [discarding, setDiscarding] = useState<string | null>(null);
  const [reason, setReason] = useState('');

  const refresh = useCallback(async () => {
    try {
      setJobs(await (filter ? api.listJobs({ state: filter }) : api.listJobs()));
      setError(null);
    } catch (failure) {
      setError(describeError(failure).message);
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
      setError(describeError(failure).message);
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
      return 'Job discarded.';
    });
  };

  return (
    <section aria-labelledby="queue-title">
      <h2 id="queue-title">Queue</h2>
      <div className="row">
        <label htmlFor="queue-filter">Show</label>
        <select id="queue-filter" value={filter} onChange={(event) => setFilter(event.target.value as JobState | '')}>
          <option value="">All jobs</option>
          {JOB_STATES.map((state) => (
            <option key={state} value={state}>
              {STATE_LABELS[state]}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
        <button type="button" onClick={() => void act(async () => `${await api.retryJob('all')} job(s) will be retried.`)}>
          Retry all
        </button>
        <button type="button" onClick={() => void act(async () => `Sync: ${(await api.syncNow()).lastResult ?? 'started'}.`)}>
          Sync now
        </button>
      </div>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p role="status" className="success">
          {notice}
        </p>
      ) : null}
      {jobs === null ? (
        <p className="muted">Loading…</p>
      ) : jobs.length === 0 ? (
        <p className="muted">The queue is empty.</p>
      ) : (
        <table className="jobs">
          <caption className="visually-hidden">Enrollment jobs</caption>
          <thead>
            <tr>
              <th scope="col">Class ID</th>
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
              <th scope="col">Images</th>
              <th scope="col">Last error</th>
              <th scope="col">Updated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr key={job.id}>
                <td className="mono">{job.classId}</td>
                <td>
                  <span className={`state state-${job.state}`}>{STATE_LABELS[job.state]}</span>
                </td>
                <td>{job.attempts}</td>
                <td>{job.imageCount}</td>
                <td>{job.lastError ? `${job.lastError.message} (${job.lastError.code})` : ''}</td>
                <td>{when(job.updatedAt)}</td>
                <td className="actions">
                  {RETRYABLE.has(job.state) ? (
                    <button type="button" onClick={() => void act(async () => `${await api.retryJob(job.id)} job(s) will be retried.`)} aria-label={`Retry class ${job.classId}`}>
                      Retry
                    </button>
                  ) : null}
                  {job.state !== 'synced' && job.state !== 'discarded' ? (
                    <button type="button" className="danger" onClick={() => setDiscarding(job.id)} aria-label={`Discard class ${job.classId}`}>
                      Discard
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {discarding ? (
        <form className="discard" onSubmit={confirmDiscard} aria-label="Discard a job">
          <label htmlFor="discard-reason">Why discard this job? (kept in the audit log)</label>
          <input id="discard-reason" value={reason} onChange={(event) => setReason(event.target.value)} minLength={3} required autoFocus />
          <div className="row">
            <button type="submit" className="danger" disabled={reason.trim().length < 3}>
              Discard job
            </button>
            <button type="button" onClick={() => setDiscarding(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
