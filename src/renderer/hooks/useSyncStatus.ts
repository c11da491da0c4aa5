import { useEffect, useState } from 'react';
import type { StationApi } from '../../shared/contract.js';
import type { SyncStatus } from '../../shared/schemas.js';

/**
 * The engine's sync status, kept current by its syncStatus and jobsChanged events (null until the first answer,
 * and without an engine).
 */
export function useSyncStatus(api: StationApi | null): [SyncStatus | null, (status: SyncStatus) => void] {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  useEffect(() => {
    if (!api) return;
    let live = true;
    const ask = () => void api.syncStatus().then((value) => live && setStatus(value), () => undefined);
    ask();
    const stopStatus = api.onSyncStatus((value) => setStatus(value));
    // Queueing or discarding changes the counts without a sync event: ask again.
    const stopJobs = api.onJobsChanged(ask);
    return () => {
      live = false;
      stopStatus();
      stopJobs();
    };
  }, [api]);
  return [status, setStatus];
}
