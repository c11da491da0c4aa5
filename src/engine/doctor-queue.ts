import type { DoctorCheck } from '../shared/schemas.js';
import { endpointDoctorChecks, failedCheck } from './bws/doctor-check.js';
import { stationCodeFor } from './bws/errors.js';
import { settingsDoctorChecks, settingsWithoutQueue, siteFileDoctorCheck } from './doctor-settings.js';
import type { KeyProvider } from './store/keys.js';
import { QueueStore, type SyncPauseRecord } from './store/queue-store.js';

/**
 * The doctor's view of a data folder's queue: can it be opened with the key at hand, what it holds, how the
 * last sync went, whether the audit chain is intact, and the BWS endpoint configured in its settings.
 * A folder without a queue yet is healthy ("nothing queued yet").
 */
export async function queueDoctorChecks(input: { dataDir: string; keyProvider: KeyProvider; env: NodeJS.ProcessEnv; network: boolean; queueExists: boolean }): Promise<DoctorCheck[]> {
  const { check: siteCheck, site } = siteFileDoctorCheck(input.env);
  if (!input.queueExists) {
    const settings = settingsWithoutQueue(site);
    return [siteCheck, { name: 'queue', ok: true, detail: 'nothing queued yet' }, ...settingsDoctorChecks(settings, input.env), ...(await endpointDoctorChecks({ settings, env: input.env, network: input.network }))];
  }
  let store: QueueStore;
  try {
    store = await QueueStore.open({ dataDir: input.dataDir, keyProvider: input.keyProvider, create: false, integrityCheck: 'quick', site });
  } catch (error) {
    // The station's own settings live in the queue: the endpoint rows can only show the environment and site file.
    const endpoint = await endpointDoctorChecks({ settings: settingsWithoutQueue(site), env: input.env, network: input.network });
    const unknown = endpoint.map((check) => (check.name === 'bws endpoint' && check.ok && check.detail === 'not configured' ? { ...check, detail: 'not configured in the environment or the site file (the station settings are in the queue, which could not be opened)' } : check));
    return [siteCheck, failedCheck('queue', error), ...unknown];
  }
  try {
    const checks: DoctorCheck[] = [siteCheck];
    const counts = store.counts();
    const pending = counts.queued + counts.sending + counts.retry_wait + counts.ambiguous + counts.reconciling;
    checks.push({
      name: 'queue',
      ok: true,
      detail: `${pending} waiting, ${counts.needs_attention} need attention, ${counts.synced} synced, ${counts.discarded} discarded`,
    });
    const lastSynced = store.listJobs({ state: 'synced', limit: 1 })[0];
    const lastProblem = store.listJobs({ state: 'needs_attention', limit: 1 })[0];
    checks.push({
      name: 'last sync',
      ok: true,
      detail: [
        lastSynced ? `last enrollment synced ${lastSynced.updatedAt} (${lastSynced.performedAction ?? 'action unknown'})` : 'nothing synced yet',
        lastProblem?.lastError ? `latest problem: ${lastProblem.lastError.message}` : null,
      ].filter(Boolean).join('; '),
    });
    const audit = store.verifyAuditChain();
    checks.push(audit.ok ? { name: 'audit log', ok: true, detail: `hash chain intact (${audit.rows} entries)` } : { name: 'audit log', ok: false, code: 'DB_CORRUPT', detail: `broken at entry ${audit.firstBadSeq}: ${audit.reason}. The log was changed outside the station: keep a copy of the data folder and tell your administrator; queued work is not affected.` });
    checks.push(...settingsDoctorChecks(store.settings, input.env));
    const endpoint = await endpointDoctorChecks({ settings: store.settings, env: input.env, network: input.network });
    checks.push(...endpoint, syncPauseCheck(store.syncPause(), endpoint.find((check) => check.name === 'bws authentication')));
    return checks;
  } finally {
    store.close();
  }
}

/**
 * Whether the sync engine paused the queue, and why (as it recorded in the queue). A pause whose cause is gone
 * (this doctor's authenticated call was accepted) is reported as lifting on the next sync, not as a failure.
 */
function syncPauseCheck(pause: SyncPauseRecord | null, authentication: DoctorCheck | undefined): DoctorCheck {
  if (!pause) return { name: 'sync', ok: true, detail: 'not paused' };
  const since = `paused since ${pause.at}`;
  if (authentication?.ok) return { name: 'sync', ok: true, detail: `${since} (${pause.message}); the endpoint now accepts the credentials, so the next \`station sync\` resumes` };
  return { name: 'sync', ok: false, code: stationCodeFor(pause.code), detail: `${since}: ${pause.message} Then run \`station sync\`.` };
}
