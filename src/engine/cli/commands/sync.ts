import type { Command } from 'commander';

import { StationError } from '../../../shared/errors.js';
import { type JobCountsDocument, type SyncWait, syncDocumentSchema } from '../../../shared/json-documents.js';
import { JOB_STATES, type SyncStatus } from '../../../shared/schemas.js';
import { resolveBwsConfig } from '../../bws/config.js';
import type { Station } from '../../station.js';
import type { SyncEngine } from '../../sync/engine.js';
import { action, type CliContext } from '../context.js';
import { queueExists, withStation } from '../station-access.js';

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('send queued enrollments to BWS (exactly once, with retries and reconciliation)')
    .option('--once', 'send what is due now, then exit (the default)')
    .option('--watch', 'keep running: sync whenever the endpoint is reachable, until Ctrl-C')
    .option('--local', 'start the embedded BWS-compatible service (data in the data folder) and sync to it')
    .option('--wait <seconds>', 'with --once: keep going while jobs become due within this many seconds (a retry, or a check after an earlier send\'s deadline)')
    .option('--wait-lock <seconds>', 'wait this long if another process is syncing this folder', '0')
    .action(
      action(async (context, options: { once?: boolean; watch?: boolean; local?: boolean; wait?: string; waitLock: string }) => {
        if (options.once && options.watch) throw new StationError('USAGE', 'Choose --once or --watch, not both.');
        if (options.wait !== undefined && options.watch) throw new StationError('USAGE', '--wait goes with --once: --watch keeps going anyway.');
        const waitLock = seconds(options.waitLock, '--wait-lock');
        const waitMs = options.wait === undefined ? 0 : seconds(options.wait, '--wait') * 1000;
        if (!queueExists(context)) {
          if (context.json) context.out.document(syncDocumentSchema, { syncedNow: 0, connectivity: null, paused: null, counts: Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as JobCountsDocument, waiting: [] });
          else context.out.line(`Nothing to sync: there is no queue in ${context.dataDir} yet.`);
          return 0;
        }
        return withStation(context, { create: false }, async (station) => {
          if (!options.local) requireEndpoint(context, station);
          // Listen for Ctrl-C from the moment sends can start (startSync already sends what is due), not only
          // once the first readiness check is over: the default handler would kill the process mid-send.
          const interrupt = listenForInterrupt(context, station);
          try {
            const syncedBefore = station.store.counts().synced;
            const sync = await station.startSync({ local: Boolean(options.local), lockWaitMs: waitLock * 1000, purpose: `station sync${options.watch ? ' --watch' : ''}` });
            const line = new StatusLine(context);
            const onStatus = (status: SyncStatus) => line.show(status);
            sync.on('status', onStatus);
            line.show(sync.status());
            // Ask the endpoint at once instead of waiting for the monitor's first tick.
            if (!interrupt.requested) await sync.syncNow();
            if (options.watch) await interrupt.stopped;
            else await drain(station, sync, interrupt, waitMs);
            const { connectivity } = sync.status();
            sync.off('status', onStatus);
            line.done();
            // Sends still in flight finish while stopping: count from the queue after that, so the summary
            // says what really landed and what really waits (`station queue` shows the same numbers).
            await station.stopSync();
            const status: SyncStatus = { ...sync.status(), connectivity, counts: station.store.counts() };
            return report(context, status, (status.counts.synced ?? 0) - syncedBefore, waitingOf(station));
          } finally {
            interrupt.dispose();
          }
        });
      }),
    );
}

function seconds(text: string, option: string): number {
  const value = /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new StationError('USAGE', `${option} takes a number of seconds (0 or more).`);
  return value;
}

/**
 * `--once`: until nothing is due now. With `--wait`, also sleeps until the next job becomes due (a backoff, or
 * the deadline of an earlier send that must pass before that job is reconciled) as long as that falls within
 * the bound, and syncs again. Stops early on Ctrl-C, a pause, or a lost connection.
 */
async function drain(station: Station, sync: SyncEngine, interrupt: { stopped: Promise<void>; readonly requested: boolean }, waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  await Promise.race([sync.whenIdle(), interrupt.stopped]);
  for (;;) {
    if (interrupt.requested || waitMs === 0) return;
    const status = sync.status();
    if (status.paused || status.connectivity !== 'online') return;
    const next = station.store.nextDueAt();
    if (next === null || next > until) return;
    // A floor, so a job due now that cannot start (its class busy elsewhere) does not spin this loop.
    await sleepUnless(Math.max(100, next - Date.now() + 20), interrupt.stopped);
    if (interrupt.requested) return;
    await sync.syncNow();
    await Promise.race([sync.whenIdle(), interrupt.stopped]);
  }
}

function sleepUnless(ms: number, stopped: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), stopped]).finally(() => clearTimeout(timer));
}

/** What still waits for a later time, earliest first (from the store's own schedule, not estimated). */
function waitingOf(station: Station): SyncWait[] {
  const now = Date.now();
  return station.store.waitingSchedule(now).map((entry) => ({
    reason: entry.state === 'ambiguous' ? 'sendDeadline' : 'retry',
    jobs: entry.jobs,
    nextAt: new Date(entry.nextAt).toISOString(),
    inSeconds: Math.max(0, Math.ceil((entry.nextAt - now) / 1000)),
  }));
}

/** "2 waiting for an earlier send's deadline, next check at 10:58:37, in 63 s" (local time). */
export function describeWaiting(wait: SyncWait): string {
  const at = new Date(wait.nextAt);
  const clock = [at.getHours(), at.getMinutes(), at.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
  const what = wait.reason === 'sendDeadline' ? `waiting for an earlier send's deadline, next check at` : 'waiting to be retried, next try at';
  return `${wait.jobs} ${what} ${clock}, in ${wait.inSeconds} s`;
}

function requireEndpoint(context: CliContext, station: Station): void {
  const config = resolveBwsConfig({ settings: station.store.settings, env: context.env });
  if (config.missing.length > 0) {
    throw new StationError(
      'NOT_CONFIGURED',
      `BWS is not configured (missing ${config.missing.join(', ')}). Set it with \`station config set endpoint|client-id|key\` or BWS_ENDPOINT, BWS_CLIENT_ID, BWS_KEY; or try the whole flow against the embedded service with \`station sync --local\`.`,
    );
  }
}

/**
 * The first Ctrl-C (or SIGTERM) resolves `stopped`: in-flight sends then finish and are recorded before exit.
 * Before the sync engine exists (opening, waiting for the lock, starting the local service) nothing is in
 * flight, so a Ctrl-C then quits at once; so does a second one.
 */
function listenForInterrupt(context: CliContext, station: Station): { stopped: Promise<void>; readonly requested: boolean; dispose(): void } {
  let requested = false;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  const onSignal = () => {
    if (requested || !station.syncEngine) process.exit(130);
    requested = true;
    context.out.note('\nstopping: letting sends in flight finish (press Ctrl-C again to quit at once; nothing is lost either way)');
    resolveStopped();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopped,
    get requested() {
      return requested;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function pendingOf(status: SyncStatus): number {
  const c = status.counts;
  return (c.queued ?? 0) + (c.sending ?? 0) + (c.retry_wait ?? 0) + (c.ambiguous ?? 0) + (c.reconciling ?? 0);
}

function describe(status: SyncStatus): string {
  const c = status.counts;
  const parts = [status.connectivity, `synced ${c.synced ?? 0}`, `waiting ${pendingOf(status)}`, `needs attention ${c.needs_attention ?? 0}`];
  if (status.paused) parts.push(`PAUSED: ${status.paused.message}`);
  return parts.join(' | ');
}

/** A single status line rewritten in place on a terminal; plain lines on changes otherwise (logs, pipes). */
class StatusLine {
  private last = '';
  constructor(private readonly context: CliContext) {}

  show(status: SyncStatus): void {
    const text = describe(status);
    if (text === this.last) return;
    this.last = text;
    if (this.context.json) return;
    if (process.stderr.isTTY) process.stderr.write(`\r\u001b[2K${text}`);
    else process.stderr.write(`${text}\n`);
  }

  done(): void {
    if (!this.context.json && process.stderr.isTTY && this.last) process.stderr.write('\n');
  }
}

function report(context: CliContext, status: SyncStatus, syncedNow: number, waiting: SyncWait[]): number {
  const pending = pendingOf(status);
  const attention = status.counts.needs_attention ?? 0;
  if (context.json) {
    context.out.document(syncDocumentSchema, { syncedNow, connectivity: status.connectivity, paused: status.paused, counts: status.counts as JobCountsDocument, waiting });
  } else {
    context.out.line(`Synced ${syncedNow} job(s) now, ${status.counts.synced ?? 0} in all; ${pending} waiting; ${attention} need attention.`);
    if (status.paused) context.out.line(`The queue is paused: ${status.paused.message}`);
    else if (pending > 0 && status.connectivity !== 'online') context.out.line(`The endpoint is ${status.connectivity}; the waiting jobs are kept and will be sent later.`);
    else if (waiting.length > 0) {
      for (const wait of waiting) context.out.line(`${describeWaiting(wait)}.`);
      context.out.line('Run `station sync --once --wait <seconds>` to keep going until then, or `station sync --watch`.');
    }
    if (attention > 0) context.out.line('See `station queue --state needs_attention` for the reasons.');
  }
  if (status.paused) return 1;
  return pending > 0 || attention > 0 ? 3 : 0;
}
