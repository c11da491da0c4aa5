import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { app, BrowserWindow, calls, Menu, resetElectronStub } from '../stubs/electron.js';
import { engineEnvironment } from '../../src/main/engine-env.js';
import { createMainWindow } from '../../src/main/window.js';
import { applyApplicationMenu, PRODUCTION_WINDOW, shortcutAction, windowPolicyFor } from '../../src/main/window-policy.js';

/** Sends a key press through the window's before-input-event listeners; true when the window swallowed it. */
function press(window: BrowserWindow, input: { key: string; control?: boolean; meta?: boolean; shift?: boolean; alt?: boolean }): boolean {
  let prevented = false;
  window.webContents.emit('before-input-event', { preventDefault: () => (prevented = true) }, { type: 'keyDown', control: false, meta: false, shift: false, alt: false, ...input });
  return prevented;
}

describe('production window policy', () => {
  beforeEach(() => resetElectronStub());

  it('applies to the packaged app and to kiosks; a checkout keeps DevTools unless asked for the real thing', () => {
    expect(windowPolicyFor({ packaged: true, env: {} })).toEqual({ devTools: false, menu: false, reloadAndZoomShortcuts: false });
    expect(windowPolicyFor({ packaged: false, kiosk: true, env: {} })).toBe(PRODUCTION_WINDOW);
    expect(windowPolicyFor({ packaged: false, env: { STATION_PRODUCTION_WINDOW: '1' } })).toBe(PRODUCTION_WINDOW);
    expect(windowPolicyFor({ packaged: false, env: {} })).toEqual({ devTools: true, menu: true, reloadAndZoomShortcuts: true });
  });

  it('creates the window without DevTools or a menu, and swallows reload, zoom and DevTools shortcuts only', () => {
    const window = createMainWindow({ preloadPath: '/p/index.cjs', policy: PRODUCTION_WINDOW }) as unknown as BrowserWindow;
    expect((window.options as { webPreferences: { devTools: boolean } }).webPreferences.devTools).toBe(false);
    expect(window.menuRemoved).toBe(true);
    const mac = process.platform === 'darwin';
    const command = mac ? { meta: true } : { control: true };
    for (const shortcut of [{ key: 'F5' }, { key: 'r', ...command }, { key: 'R', ...command, shift: true }, { key: 'F12' }, { key: 'I', ...command, ...(mac ? { alt: true } : { shift: true }) }, { key: '+', ...command }, { key: '=', ...command }, { key: '-', ...command }, { key: '0', ...command }]) {
      expect(press(window, shortcut), JSON.stringify(shortcut)).toBe(true);
    }
    // Ordinary input still reaches the page: typing, Enter, Tab and the clipboard in a field.
    for (const key of [{ key: 'r' }, { key: '0' }, { key: 'Enter' }, { key: 'Tab' }, { key: 'c', ...command }, { key: 'v', ...command }, { key: 'a', ...command }]) {
      expect(press(window, key), JSON.stringify(key)).toBe(false);
    }
    // Zoom by wheel or pinch is pinned, and DevTools opened some other way are closed again.
    expect(window.webContents.visualZoomLimits).toEqual([1, 1]);
    window.webContents.zoomLevel = 2;
    window.webContents.emit('zoom-changed', {}, 'in');
    expect(window.webContents.zoomLevel).toBe(0);
    window.webContents.devToolsOpen = true;
    window.webContents.emit('devtools-opened');
    expect(window.webContents.devToolsOpen).toBe(false);
  });

  it('a development window keeps DevTools, its menu and the shortcuts', () => {
    const window = createMainWindow({ preloadPath: '/p/index.cjs', policy: windowPolicyFor({ packaged: false, env: {} }) }) as unknown as BrowserWindow;
    expect((window.options as { webPreferences: { devTools: boolean } }).webPreferences.devTools).toBe(true);
    expect(window.menuRemoved).toBe(false);
    expect(press(window, { key: 'F5' })).toBe(false);
  });

  it('replaces the default menu: none on Windows and Linux, only quit and Edit on macOS', () => {
    applyApplicationMenu(PRODUCTION_WINDOW, false);
    expect(Menu.application).toBeNull();
    applyApplicationMenu(PRODUCTION_WINDOW, true);
    const roles = JSON.stringify(Menu.application);
    expect(roles).toContain('"editMenu"');
    expect(roles).not.toMatch(/viewMenu|reload|zoom|toggleDevTools|windowMenu/);
    Menu.application = undefined;
    applyApplicationMenu(windowPolicyFor({ packaged: false, env: {} }), false);
    expect(Menu.application).toBeUndefined();
  });

  it('classifies shortcuts on macOS with Cmd and elsewhere with Ctrl', () => {
    const key = (k: string, modifiers: Record<string, boolean> = {}) => ({ type: 'keyDown', key: k, control: false, meta: false, shift: false, alt: false, ...modifiers });
    expect(shortcutAction(key('r', { meta: true }), true)).toBe('reload');
    expect(shortcutAction(key('r', { meta: true }), false)).toBeNull();
    expect(shortcutAction(key('i', { meta: true, alt: true }), true)).toBe('devtools');
    expect(shortcutAction(key('i', { control: true, shift: true }), false)).toBe('devtools');
    expect(shortcutAction(key('-', { control: true }), false)).toBe('zoom');
    expect(shortcutAction({ ...key('F5'), type: 'keyUp' }, false)).toBeNull();
  });
});

describe('main process start-up', () => {
  it('keeps crash reports local (uploads off) from the first line of main', async () => {
    resetElectronStub();
    app.whenReady = () => new Promise(() => {});
    await import('../../src/main/index.js');
    expect(calls.filter((call) => call.api === 'crashReporter.start')).toEqual([{ api: 'crashReporter.start', args: [{ uploadToServer: false }] }]);
  });

  it('points a packaged engine at the models in resources/, whatever the environment says', () => {
    const env = engineEnvironment({ packaged: true, resourcesPath: '/opt/Enrollment Station/resources', env: { STATION_MODEL_MANIFEST: '/tmp/evil.json', PATH: '/bin' } });
    expect(env).toEqual({ STATION_MODEL_MANIFEST: path.join('/opt/Enrollment Station/resources', 'models', 'manifest.json'), PATH: '/bin' });
    expect(engineEnvironment({ packaged: false, resourcesPath: '/r', env: { PATH: '/bin' } })).toEqual({ PATH: '/bin' });
  });
});
