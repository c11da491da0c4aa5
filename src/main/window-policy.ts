import { Menu, type BrowserWindow, type Input } from 'electron';

/**
 * What an operator at the station can do to the window itself. A packaged app (and every kiosk) gets the
 * production policy: no DevTools, no menu, no reload or zoom shortcuts, so nobody can inspect the page, reload
 * away from a half-finished enrollment or zoom the layout out of shape. `npm start` from a checkout keeps
 * DevTools and the shortcuts for development unless STATION_PRODUCTION_WINDOW=1 asks for the real thing.
 * Kiosk mode (full screen, no window chrome) is layered on top by the caller; it always implies production.
 */
export interface WindowPolicy {
  devTools: boolean;
  menu: boolean;
  reloadAndZoomShortcuts: boolean;
}

export const PRODUCTION_WINDOW: WindowPolicy = Object.freeze({ devTools: false, menu: false, reloadAndZoomShortcuts: false });
const DEVELOPMENT_WINDOW: WindowPolicy = Object.freeze({ devTools: true, menu: true, reloadAndZoomShortcuts: true });

export function windowPolicyFor(options: { packaged: boolean; kiosk?: boolean; env?: NodeJS.ProcessEnv }): WindowPolicy {
  const env = options.env ?? process.env;
  const production = options.packaged || options.kiosk === true || env.STATION_PRODUCTION_WINDOW === '1';
  return production ? PRODUCTION_WINDOW : DEVELOPMENT_WINDOW;
}

export type BlockedAction = 'reload' | 'zoom' | 'devtools';

/**
 * The window action a key press would trigger through Chromium's or Electron's built-in accelerators, or null
 * for ordinary input (typing, Tab, Enter, Ctrl+C/V/A in a field). `mac` swaps Ctrl for Cmd.
 */
export function shortcutAction(input: Pick<Input, 'type' | 'key' | 'control' | 'meta' | 'shift' | 'alt'>, mac = process.platform === 'darwin'): BlockedAction | null {
  if (input.type !== 'keyDown') return null;
  const key = input.key.toLowerCase();
  const command = mac ? input.meta : input.control;
  if (key === 'f5' || (command && key === 'r')) return 'reload';
  if (key === 'f12') return 'devtools';
  if (command && (mac ? input.alt : input.shift) && ['i', 'j', 'c'].includes(key)) return 'devtools';
  if (command && ['+', '=', '-', '_', '0', 'add', 'subtract'].includes(key)) return 'zoom';
  return null;
}

/**
 * The application menu. Production has none on Windows and Linux; macOS keeps a minimal one (quit, and the
 * Edit roles, without which copy and paste in text fields stop working there), never the default View menu
 * with its reload, zoom and DevTools items.
 */
export function applyApplicationMenu(policy: WindowPolicy, mac = process.platform === 'darwin'): void {
  if (policy.menu) return;
  Menu.setApplicationMenu(mac ? Menu.buildFromTemplate([{ role: 'appMenu', submenu: [{ role: 'quit' }] }, { role: 'editMenu' }]) : null);
}

/** Applies the policy to a window created with `webPreferences.devTools` = policy.devTools. */
export function applyWindowPolicy(window: BrowserWindow, policy: WindowPolicy): void {
  const contents = window.webContents;
  if (!policy.menu) window.removeMenu();
  if (!policy.devTools) {
    // Belt and braces: devTools:false already stops them opening; anything that still opens them is closed.
    contents.on('devtools-opened', () => contents.closeDevTools());
  }
  if (!policy.reloadAndZoomShortcuts) {
    contents.on('before-input-event', (event, input) => {
      if (shortcutAction(input) !== null) event.preventDefault();
    });
    // Ctrl+wheel and pinch zoom do not pass through before-input-event: pin the zoom instead.
    void contents.setVisualZoomLevelLimits(1, 1);
    contents.on('zoom-changed', () => contents.setZoomLevel(0));
  }
}
