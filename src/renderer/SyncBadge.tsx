import { useEffect, useState } from 'react';
import type { StationApi } from '../shared/contract.js';
import type { SyncStatus } from '../shared/schemas.js';
import { useT } from './i18n/useT.js';

const LABELS = {
  online: 'app.status.online',
  offline: 'app.status.offline',
  degraded: 'app.status.degraded',
  unconfigured: 'app.status.unconfigured',
} as const satisfies Record<SyncStatus['connectivity'], string>;

/** Connectivity at a glance, kept current by the engine's syncStatus events. */
export function SyncBadge({ api }: { api: StationApi }) {
  const t = useT();
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
  const label = status.paused ? t('app.status.paused') : t(LABELS[status.connectivity]);
  return (
    <p className={`badge badge-${status.paused ? 'paused' : status.connectivity}`} role="status" aria-live="polite">
      {label}
    </p>
  );
}
