import { beforeEach, describe, expect, it } from 'vitest';
import { isKioskBlockedKey, KioskController, type KioskWindow } from '../../src/main/kiosk.js';
import { registerIpcHandlers } from '../../src/main/ipc.js';
import { BrowserWindow, ipcMain, resetElectronStub } from '../stubs/electron.js';
import { MemoryStation } from '../stubs/memory-station.js';

const trusted = { senderFrame: { url: 'app://station/index.html', parent: null } };
const key = (key: string, mods: Partial<{ control: boolean; meta: boolean; alt: boolean; shift: boolean }> = {}) => ({ type: 'keyDown' as const, key, code: key, control: false, meta: false, alt: false, shift: false, ...mods });

/** Plays a key press or a close request against the stub window; true when main prevented it. */
function prevented(window: BrowserWindow, event: 'before-input-event' | 'close', input?: ReturnType<typeof key>): boolean {
  let stopped = false;
  const target = event === 'close' ? window : window.webContents;
  target.emit(event, { preventDefault: () => (stopped = true) }, input);
  return stopped;
}

describe('kiosk mode from settings', () => {
  beforeEach(() => resetElectronStub());

  it('swallows reload, zoom, DevTools, close and quit keys; leaves typing alone', () => {
    for (const blocked of [key('F5'), key('r', { control: true }), key('R', { control: true, shift: true }), key('F12'), key('I', { control: true, shift: true }), key('+', { control: true }), key('-', { control: true }), key('0', { control: true }), key('F4', { alt: true }), key('w', { control: true }), key('q', { meta: true }), key('F11')]) {
      expect(isKioskBlockedKey(blocked), JSON.stringify(blocked)).toBe(true);
    }
    for (const allowed of [key('r'), key('4'), key('Enter'), key(' '), key('Tab'), key('a', { control: true }), key('v', { control: true })]) {
      expect(isKioskBlockedKey(allowed), JSON.stringify(allowed)).toBe(false);
    }
    expect(isKioskBlockedKey({ ...key('F5'), type: 'keyUp' })).toBe(false);
  });

  it('kiosk on: full screen, no menu, keys swallowed, window not closable; kiosk off gives all of it back', () => {
    const window = new BrowserWindow({});
    const kiosk = new KioskController(window as unknown as KioskWindow);
    expect(prevented(window, 'before-input-event', key('F5'))).toBe(false);
    kiosk.apply(true);
    expect({ kiosk: window.kiosk, fullScreen: window.fullScreen, closable: window.closable, menu: window.menuBarVisible }).toEqual({ kiosk: true, fullScreen: true, closable: false, menu: false });
    expect(prevented(window, 'before-input-event', key('F5'))).toBe(true);
    expect(prevented(window, 'before-input-event', key('i', { control: true, shift: true }))).toBe(true);
    expect(prevented(window, 'before-input-event', key('x'))).toBe(false);
    expect(prevented(window, 'close')).toBe(true);
    kiosk.apply(false);
    expect({ kiosk: window.kiosk, fullScreen: window.fullScreen, closable: window.closable }).toEqual({ kiosk: false, fullScreen: false, closable: true });
    expect(prevented(window, 'close')).toBe(false);
  });

  it('main applies kioskMode only after the engine accepted the change, and refuses `insecure` before the engine sees it', async () => {
    const engine = new MemoryStation();
    const applied: Array<[string, unknown]> = [];
    registerIpcHandlers(ipcMain as never, engine, (name, value) => applied.push([name, value]));
    const handler = ipcMain.handlers.get('station:setSetting')!;
    engine.settings.set('kioskMode', false);
    expect(await handler(trusted, 'kioskMode', true)).toEqual({ ok: true, value: undefined });
    expect(applied).toEqual([['kioskMode', true]]);
    // A refused change (here: unknown to the engine, as a PIN refusal would be) changes nothing in the window.
    expect(await handler(trusted, 'noSuchSetting', true)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    const refused = (await handler(trusted, 'insecure', true)) as { ok: boolean; error: { code: string } };
    expect(refused).toMatchObject({ ok: false, error: { code: 'SETTING_LOCKED' } });
    expect(engine.calls.filter((call) => call.method === 'setSetting').map((call) => call.args[0])).toEqual(['kioskMode', 'noSuchSetting']);
    expect(applied).toEqual([['kioskMode', true]]);
  });
});
