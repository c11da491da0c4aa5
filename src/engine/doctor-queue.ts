import { toErrorInfo } from '../shared/errors.js';
import type { DoctorCheck } from '../shared/schemas.js';
import { endpointDoctorChecks } from './bws/doctor-check.js';
import { settingsDoctorChecks, settingsWithoutQueue, siteFileDoctorCheck } from './doctor-settings.js';
import type { KeyProvider } from './store/keys.js';
import { QueueStore } from './store/queue-store.js';

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
    const info = toErrorInfo(error);
    return [siteCheck, { name: 'queue', ok: false, detail: `${info.message} [${info.code}]` }, ...(await endpointDoctorChecks({ settings: settingsWithoutQueue(site), env: input.env, network: input.network }))];
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
    checks.push({ name: 'audit log', ok: audit.ok, detail: audit.ok ? `hash chain intact (${audit.rows} entries)` : `broken at entry ${audit.firstBadSeq}: ${audit.reason}` });
    checks.push(...settingsDoctorChecks(store.settings, input.env));
    checks.push(...(await endpointDoctorChecks({ settings: store.settings, env: input.env, network: input.network })));
    return checks;
  } finally {
    store.close();
  }
}
