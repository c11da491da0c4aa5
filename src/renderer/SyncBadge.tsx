import type { SyncStatus } from '../shared/schemas.js';
import { useT } from './i18n/useT.js';
import { badgeView } from './screens/queueView.js';

/**
 * Connectivity at a glance (online / syncing / offline / paused / no service), with how many enrollments wait
 * and how many need someone; kept current by the engine's syncStatus events.
 */
export function SyncBadge({ status }: { status: SyncStatus }) {
  const t = useT();
  const view = badgeView(status);
  return (
    <div className="status-area">
      <p className={`badge badge-${view.kind}`} role="status" aria-live="polite" data-testid="sync-badge">
        <span className="badge-state">{t(view.label)}</span>
        <span className="badge-count">{t('app.status.waiting', { count: view.waiting })}</span>
        {view.attention > 0 ? <span className="badge-count badge-attention">{t('app.status.attention', { count: view.attention })}</span> : null}
      </p>
    </div>
  );
}

/**
 * While the station sends to its built-in test service, an unmistakable TEST SERVICE tag under the product
 * name (the top bar's right end is kept for the badge, which must stay compact at the minimum window).
 */
export function TestServiceTag({ status }: { status: SyncStatus }) {
  const t = useT();
  if (!badgeView(status).testService) return null;
  return (
    <p className="test-service" title={t('app.status.testServiceHelp')} data-testid="test-service-badge">
      {t('app.status.testService')}
      <span className="visually-hidden"> {t('app.status.testServiceHelp')}</span>
    </p>
  );
}
