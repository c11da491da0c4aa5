import { FRAME_PORT_GRANT, FRAME_PORT_REQUEST } from '../shared/frames.js';

/** The parts of the page's window the relay uses. */
export interface RelayWindow {
  addEventListener(type: 'message', listener: (event: { source: unknown; data: unknown }) => void): void;
  postMessage(message: unknown, targetOrigin: string, transfer?: unknown[]): void;
}

/** The parts of ipcRenderer the relay uses. */
export interface RelayIpc {
  send(channel: string): void;
  on(channel: string, listener: (event: { ports: readonly unknown[] }) => void): unknown;
}

/**
 * Relays the frame port between main and the page (Electron's pattern for handing a MessagePort to a
 * context-isolated page): the page posts FRAME_PORT_REQUEST to its own window, the preload forwards it to
 * main, and the port main transfers back is posted to the page's window as FRAME_PORT_GRANT. The page then
 * holds a plain DOM MessagePort to the engine; nothing else is exposed.
 */
export function relayFramePorts(target: RelayWindow, ipc: RelayIpc): void {
  target.addEventListener('message', (event) => {
    if (event.source === target && event.data === FRAME_PORT_REQUEST) ipc.send(FRAME_PORT_REQUEST);
  });
  ipc.on(FRAME_PORT_GRANT, (event) => {
    target.postMessage(FRAME_PORT_GRANT, '*', [...event.ports]);
  });
}
