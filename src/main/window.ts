import { BrowserWindow, type WebPreferences } from 'electron';
import { APP_ENTRY_URL } from './app-origin.js';
import { applyWindowPolicy, PRODUCTION_WINDOW, type WindowPolicy } from './window-policy.js';

/**
 * The renderer runs sandboxed with context isolation and without Node; it reaches the engine only through
 * the preload's `window.station`. These are the defaults of recent Electron, stated here so a change of
 * defaults (or a careless edit) cannot weaken them silently; test/shell checks them.
 */
export function stationWebPreferences(preloadPath: string, policy: WindowPolicy = PRODUCTION_WINDOW): WebPreferences {
  return {
    preload: preloadPath,
    devTools: policy.devTools,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    enableWebSQL: false,
  };
}

export interface MainWindowOptions {
  preloadPath: string;
  /** Kiosk mode at creation (the app applies the kioskMode setting through KioskController instead). */
  kiosk?: boolean;
  /** DevTools, menu and shortcuts (window-policy.ts); production unless given. */
  policy?: WindowPolicy;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const policy = options.policy ?? PRODUCTION_WINDOW;
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 640,
    show: false,
    title: 'Enrollment Station',
    backgroundColor: '#10151c',
    kiosk: options.kiosk ?? false,
    autoHideMenuBar: true,
    webPreferences: stationWebPreferences(options.preloadPath, policy),
  });
  applyWindowPolicy(window, policy);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
