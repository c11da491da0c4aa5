import { useEffect, useState } from 'react';
import type { StationApi } from '../shared/contract.js';
import type { SyncStatus } from '../shared/schemas.js';

const LABELS: Record<SyncStatus['connectivity'], string> = {
  online: 'Online',
  offline: 'Offline: work is queued',
  degraded: 'Connection unstable',
  unconfigured: 'No BWS endpoint set',
};

/** Connectivity at a glance, kept current by the engine's syncStatus events. */
export function SyncBadge({ api }: { api: StationApi }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  useEffect(() => {
    let live = true;
    api.syncStatus().then((value) => live && setStatus(value), () => undefined);
    const unsubscribe = api.onSyncStatus((value) => setStatus(value));
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api]);
  if (!status) return null;
  const label = status.paused ? `Paused: ${status.paused.message}` : LABELS[status.connectivity];
  return (
    <p className={`badge badge-${status.paused ? 'paused' : status.connectivity}`} role="status" aria-live="polite">
      {label}
    </p>
  );
}
