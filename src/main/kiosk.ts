import type { Event, Input } from 'electron';

/**
 * Kiosk mode, switched by the `kioskMode` setting (which only an administrator with the PIN can change):
 * full screen without window controls or menu; the keys that would reload, zoom, open DevTools, close the
 * window or quit do nothing; closing the window is refused. Leaving kiosk mode is the same setting turned
 * off, so it needs the PIN too. The production window policy (no menu, no DevTools) applies either way;
 * this adds what a front-desk kiosk needs on top of it.
 */
export interface KioskWindow {
  setKiosk(flag: boolean): void;
  isKiosk(): boolean;
  setFullScreen(flag: boolean): void;
  setMenuBarVisibility(visible: boolean): void;
  setClosable(closable: boolean): void;
  on(event: 'close', listener: (event: Event) => void): unknown;
  webContents: { on(event: 'before-input-event', listener: (event: Event, input: Input) => void): unknown };
}

type KeyInput = Pick<Input, 'type' | 'key' | 'code' | 'control' | 'meta' | 'alt' | 'shift'>;

/** Keys a kiosk swallows: reload, zoom, DevTools, view source, print, close, quit, full-screen toggle. */
export function isKioskBlockedKey(input: KeyInput): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false;
  const key = input.key.toLowerCase();
  const command = input.control || input.meta;
  if (['f5', 'f11', 'f12', 'browserrefresh'].includes(key)) return true;
  if (input.alt && key === 'f4') return true;
  if (command && ['r', 'w', 'q', 'p', 'u', 'n', 't', '+', '=', '-', '_', '0'].includes(key)) return true;
  if (command && input.shift && ['i', 'j', 'c', 'r'].includes(key)) return true;
  return false;
}

export class KioskController {
  private enabled = false;

  constructor(private readonly window: KioskWindow) {
    window.webContents.on('before-input-event', (event, input) => {
      if (this.enabled && isKioskBlockedKey(input)) event.preventDefault();
    });
    window.on('close', (event) => {
      // Alt+F4 or the window manager: a kiosk stays open until an administrator turns kiosk mode off.
      if (this.enabled) event.preventDefault();
    });
  }

  get active(): boolean {
    return this.enabled;
  }

  apply(enabled: boolean): void {
    this.enabled = enabled;
    this.window.setKiosk(enabled);
    this.window.setFullScreen(enabled);
    this.window.setClosable(!enabled);
    this.window.setMenuBarVisibility(false);
  }
}
