import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, MessagePortMain } from 'electron';
import { REQUEST_METHODS, SETTINGS_LOCKED_FOR_THE_WINDOW, type StationApi } from '../shared/contract.js';
import { StationError } from '../shared/errors.js';
import { FRAME_PORT_GRANT, FRAME_PORT_REQUEST } from '../shared/frames.js';
import { errorValue, validateRequest } from '../engine/host/validate.js';
import { isAppUrl } from './app-origin.js';
import { requestChannel, type IpcReply } from './ipc-channels.js';

type SenderFrame = { url: string; parent: unknown } | null | undefined;

/**
 * Only the app's own main frame may call the engine: not an iframe, not a page that somehow navigated
 * elsewhere, not a frame that has gone away (senderFrame null).
 */
export function isTrustedSender(event: { senderFrame?: SenderFrame }): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

/**
 * One handler per request method: check the sender, validate the payload against the contract, forward to
 * the engine, and answer with plain data or an error value. A refused payload never reaches the engine.
 */
export async function handleRequest(
  engine: StationApi,
  method: (typeof REQUEST_METHODS)[number],
  event: { senderFrame?: SenderFrame },
  args: unknown[],
  onSettingChanged?: (name: string, value: unknown) => void,
): Promise<IpcReply> {
  try {
    if (!isTrustedSender(event)) throw new StationError('UNTRUSTED_SENDER', 'This request did not come from the station window and was refused.');
    const request = validateRequest(method, args);
    // Some settings are not the window's to change, whoever asks and whatever the PIN (the engine checks again).
    if (request.method === 'setSetting' && SETTINGS_LOCKED_FOR_THE_WINDOW.includes(String(request.args[0]))) {
      throw new StationError('SETTING_LOCKED', `${String(request.args[0])} cannot be changed from the station window.`);
    }
    const call = engine[request.method] as (...callArgs: unknown[]) => Promise<unknown>;
    const value = await call.apply(engine, request.args);
    // The engine accepted the change (PIN and value checked there): main applies what concerns the window.
    if (request.method === 'setSetting') onSettingChanged?.(String(request.args[0]), request.args[1]);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: errorValue(error) };
  }
}

export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, engine: StationApi, onSettingChanged?: (name: string, value: unknown) => void): () => void {
  for (const method of REQUEST_METHODS) {
    ipcMain.handle(requestChannel(method), (event: IpcMainInvokeEvent, ...args: unknown[]) => handleRequest(engine, method, event, args, onSettingChanged));
  }
  return () => {
    for (const method of REQUEST_METHODS) ipcMain.removeHandler(requestChannel(method));
  };
}

/**
 * Live camera frames get their own channel: when the window asks (FRAME_PORT_REQUEST, sent by the preload
 * on the page's behalf), main opens a MessageChannelMain to the engine process and transfers the other end
 * to that window. Untrusted senders are ignored; if the engine is not up, the window simply asks again.
 */
export function registerFramePorts(ipcMain: Pick<IpcMain, 'on' | 'removeListener'>, openFrameChannel: () => Promise<unknown>, log: (line: string) => void = () => undefined): () => void {
  const listener = (event: IpcMainEvent) => {
    if (!isTrustedSender(event)) return;
    openFrameChannel().then(
      (port) => event.sender.postMessage(FRAME_PORT_GRANT, null, [port as MessagePortMain]),
      (error: unknown) => log(`frames: no frame port for the window: ${errorValue(error).code}`),
    );
  };
  ipcMain.on(FRAME_PORT_REQUEST, listener);
  return () => {
    ipcMain.removeListener(FRAME_PORT_REQUEST, listener);
  };
}
