import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { StationApi } from '../shared/contract.js';
import { useSyncStatus } from './hooks/useSyncStatus.js';
import { useT } from './i18n/useT.js';
import { CaptureScreen } from './features/capture/CaptureScreen.js';
import { QueueScreen } from './screens/QueueScreen.js';
import { SettingsScreen } from './features/settings/SettingsScreen.js';
import { SyncBadge, TestServiceTag } from './SyncBadge.js';

const SCREENS = [
  { id: 'capture', label: 'app.tab.capture' },
  { id: 'queue', label: 'app.tab.queue' },
  { id: 'settings', label: 'app.tab.settings' },
] as const;
type ScreenId = (typeof SCREENS)[number]['id'];

/** The shell: a tab bar (arrow keys move between tabs, as the ARIA tabs pattern expects) and one screen. */
export function App({ api }: { api: StationApi | null }) {
  const t = useT();
  const [screen, setScreen] = useState<ScreenId>('capture');
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const current = SCREENS.find((entry) => entry.id === screen) ?? SCREENS[0];
  // One subscription for the badge and the test-service tag (each would otherwise ask the engine on every change).
  const [status] = useSyncStatus(api);

  useEffect(() => {
    document.title = t('app.documentTitle', { screen: t(current.label) });
  }, [t, current]);

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = (index + step + SCREENS.length) % SCREENS.length;
    setScreen(SCREENS[next]!.id);
    tabs.current[next]?.focus();
  };

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand-block">
          <h1 className="brand">{t('app.name')}</h1>
          {status ? <TestServiceTag status={status} /> : null}
        </div>
        <nav aria-label={t('app.nav')}>
          <div role="tablist" className="tabs">
            {SCREENS.map((entry, index) => (
              <button
                key={entry.id}
                ref={(element) => {
                  tabs.current[index] = element;
                }}
                role="tab"
                id={`tab-${entry.id}`}
                aria-selected={screen === entry.id}
                aria-controls={`panel-${entry.id}`}
                tabIndex={screen === entry.id ? 0 : -1}
                className="tab"
                onClick={() => setScreen(entry.id)}
                onKeyDown={(event) => onTabKey(event, index)}
              >
                {t(entry.label)}
              </button>
            ))}
          </div>
        </nav>
        {status ? <SyncBadge status={status} /> : null}
      </header>
      <main id={`panel-${screen}`} role="tabpanel" aria-labelledby={`tab-${screen}`} className="panel">
        {!api ? (
          <p role="alert" className="error">
            {t('app.noBridge')}
          </p>
        ) : screen === 'capture' ? (
          <CaptureScreen api={api} />
        ) : screen === 'queue' ? (
          <QueueScreen api={api} />
        ) : (
          <SettingsScreen api={api} />
        )}
      </main>
    </div>
  );
}
