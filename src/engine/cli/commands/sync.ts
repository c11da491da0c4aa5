import type { Command } from 'commander';
import { StationError } from '../../../shared/errors.js';
import type { SyncStatus } from '../../../shared/schemas.js';
import { resolveBwsConfig } from '../../bws/config.js';
import type { Station } from '../../station.js';
import { action, type CliContext } from '../context.js';
import { queueExists, withStation } from '../station-access.js';

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('send queued enrollments to BWS (exactly once, with retries and reconciliation)')
    .option('--once', 'send what is due now, then exit (the default)')
    .option('--watch', 'keep running: sync whenever the endpoint is reachable, until Ctrl-C')
    .option('--local', 'start the embedded BWS-compatible service (data in the data folder) and sync to it')
    .option('--wait-lock <seconds>', 'wait this long if another process is syncing this folder', '0')
    .action(
      action(async (context, options: { once?: boolean; watch?: boolean; local?: boolean; waitLock: string }) => {
        if (options.once && options.watch) throw new StationError('USAGE', 'Choose --once or --watch, not both.');
        const waitLock = /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(options.waitLock) ? Number(options.waitLock) : Number.NaN;
        if (!Number.isFinite(waitLock)) throw new StationError('USAGE', '--wait-lock takes a number of seconds (0 or more).');
        if (!queueExists(context)) {
          if (context.json) context.out.document({ status: null });
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
            else await Promise.race([sync.whenIdle(), interrupt.stopped]);
            const { connectivity } = sync.status();
            sync.off('status', onStatus);
            line.done();
            // Sends still in flight finish while stopping: count from the queue after that, so the summary
            // says what really landed and what really waits (`station queue` shows the same numbers).
            await station.stopSync();
            const status: SyncStatus = { ...sync.status(), connectivity, counts: station.store.counts() };
            return report(context, status, (status.counts.synced ?? 0) - syncedBefore);
          } finally {
            interrupt.dispose();
          }
        });
      }),
    );
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

function report(context: CliContext, status: SyncStatus, syncedNow: number): number {
  const pending = pendingOf(status);
  const attention = status.counts.needs_attention ?? 0;
  if (context.json) context.out.document({ status, syncedNow });
  else {
    context.out.line(`Synced ${syncedNow} job(s) now, ${status.counts.synced ?? 0} in all; ${pending} waiting; ${attention} need attention.`);
    if (status.paused) context.out.line(`The queue is paused: ${status.paused.message}`);
    else if (pending > 0 && status.connectivity !== 'online') context.out.line(`The endpoint is ${status.connectivity}; the waiting jobs are kept and will be sent later.`);
    if (attention > 0) context.out.line('See `station queue --state needs_attention` for the reasons.');
  }
  if (status.paused) return 1;
  return pending > 0 || attention > 0 ? 3 : 0;
}
