import { beforeEach, describe, expect, it } from 'vitest';
import { BrowserWindow, resetElectronStub } from '../stubs/electron.js';
import { createMainWindow, stationWebPreferences } from '../../src/main/window.js';

describe('main window', () => {
  beforeEach(() => resetElectronStub());

  it('runs the renderer sandboxed, isolated and without Node', () => {
    const preferences = stationWebPreferences('/app/out/preload/index.cjs');
    expect(preferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('creates the window with those preferences and loads only the app origin', () => {
    const window = createMainWindow({ preloadPath: '/p/index.cjs' }) as unknown as BrowserWindow;
    expect(BrowserWindow.instances).toHaveLength(1);
    const options = window.options as { webPreferences: Record<string, unknown>; kiosk: boolean };
    expect(options.webPreferences).toEqual(stationWebPreferences('/p/index.cjs'));
    expect(options.kiosk).toBe(false);
    expect(window.loadedUrl).toBe('app://station/index.html');
  });

  it('kiosk mode is an option of the same window', () => {
    const window = createMainWindow({ preloadPath: '/p/index.cjs', kiosk: true }) as unknown as BrowserWindow;
    expect((window.options as { kiosk: boolean }).kiosk).toBe(true);
    expect((window.options as { webPreferences: { sandbox: boolean } }).webPreferences.sandbox).toBe(true);
  });
});
