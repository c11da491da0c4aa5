import type { Command } from 'commander';
import { discardDocumentSchema, purgeDocumentSchema, queueDocumentSchema, retryDocumentSchema } from '../../../shared/json-documents.js';
import { StationError } from '../../../shared/errors.js';
import { JOB_STATES, type JobState, type JobSummary } from '../../../shared/schemas.js';
import { action, type CliContext } from '../context.js';
import { formatTable } from '../output.js';
import { queueExists, resolveJobId, withStation } from '../station-access.js';

/** What each state means, in words for the operator. */
export const STATE_WORDS: Record<JobState, string> = {
  queued: 'waiting to be sent',
  sending: 'being sent',
  retry_wait: 'waiting to retry',
  ambiguous: 'outcome unknown, will be checked',
  reconciling: 'checking with the service',
  synced: 'enrolled',
  needs_attention: 'needs an operator',
  paused: 'paused',
  discarded: 'discarded',
};

export function registerQueue(program: Command): void {
  program
    .command('queue')
    .description('list queued and recent enrollment jobs')
    .option('--state <state>', `only jobs in this state (${JOB_STATES.join(', ')})`)
    .option('--limit <n>', 'at most this many jobs, newest first', '200')
    .action(
      action(async (context, options: { state?: string; limit: string }) => {
        if (options.state && !(JOB_STATES as readonly string[]).includes(options.state)) {
          throw new StationError('USAGE', `Unknown state "${options.state}". Use one of: ${JOB_STATES.join(', ')}.`);
        }
        const limit = /^\s*[0-9]+\s*$/.test(options.limit) ? Number(options.limit) : Number.NaN;
        if (!Number.isSafeInteger(limit) || limit < 1) throw new StationError('USAGE', '--limit takes a whole number of at least 1.');
        // A folder with no queue yet simply has no jobs (and none is created by looking).
        const jobs = !queueExists(context)
          ? []
          : await withStation(context, { create: false }, async (station) => station.store.listJobs({ ...(options.state ? { state: options.state as JobState } : {}), limit }));
        printJobs(context, jobs);
      }),
    );

  program
    .command('retry')
    .description('send jobs that need attention (or wait for a retry) again now')
    .argument('<job>', 'a job id (or its first characters), or "all"')
    .action(
      action(async (context, job: string) => {
        const count = await withStation(context, { create: false }, async (station) => station.retryJob(job === 'all' ? 'all' : resolveJobId(station, job)));
        if (context.json) context.out.document(retryDocumentSchema, { retried: count });
        else context.out.line(`${count} job(s) queued again. Run \`station sync\` to send them.`);
      }),
    );

  program
    .command('discard')
    .description('delete an unsynced job\'s images and embeddings (recorded in the audit log with the reason)')
    .argument('<job>', 'a job id (or its first characters)')
    .requiredOption('--reason <text>', 'why the job is discarded (kept in the audit log)')
    .action(
      action(async (context, job: string, options: { reason: string }) => {
        const id = await withStation(context, { create: false }, async (station) => {
          const resolved = resolveJobId(station, job);
          await station.discardJob(resolved, options.reason);
          return resolved;
        });
        if (context.json) context.out.document(discardDocumentSchema, { discarded: id });
        else context.out.line(`Job ${id} discarded; its images and embeddings were deleted.`);
      }),
    );

  program
    .command('purge')
    .description('apply the retention settings: drop embeddings of jobs synced long ago (and, if configured, old unsynced jobs)')
    .action(
      action(async (context) => {
        const result = await withStation(context, { create: false }, async (station) => station.store.purge());
        if (context.json) context.out.document(purgeDocumentSchema, { purged: result });
        else context.out.line(`Purged embeddings of ${result.embeddings} synced image(s) and ${result.jobs} expired unsynced job(s).`);
      }),
    );
}

export function printJobs(context: CliContext, jobs: JobSummary[]): void {
  if (context.json) {
    context.out.document(queueDocumentSchema, { jobs });
    return;
  }
  if (jobs.length === 0) {
    context.out.line('The queue is empty.');
    return;
  }
  context.out.line(formatTable(
    ['job', 'class id', 'state', 'tries', 'images', 'updated', 'detail'],
    jobs.map((job) => [job.id.slice(0, 8), job.classId, job.state, job.attempts, job.imageCount, job.updatedAt.slice(0, 19).replace('T', ' '), jobDetail(job)]),
  ));
}

function jobDetail(job: JobSummary): string {
  if (job.state === 'synced') return [job.performedAction, job.serverJobId ? `BWS job ${job.serverJobId}` : null, job.note].filter(Boolean).join(', ');
  if (job.lastError) return `${job.lastError.message}${job.nextAttemptAt && job.state === 'retry_wait' ? ` (next try ${job.nextAttemptAt.slice(11, 19)})` : ''}`;
  return job.note ?? STATE_WORDS[job.state];
}
