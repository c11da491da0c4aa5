import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { REQUEST_METHODS, type StationApi } from '../shared/contract.js';
import { StationError } from '../shared/errors.js';
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
export async function handleRequest(engine: StationApi, method: (typeof REQUEST_METHODS)[number], event: { senderFrame?: SenderFrame }, args: unknown[]): Promise<IpcReply> {
  try {
    if (!isTrustedSender(event)) throw new StationError('UNTRUSTED_SENDER', 'This request did not come from the station window and was refused.');
    const request = validateRequest(method, args);
    const call = engine[request.method] as (...callArgs: unknown[]) => Promise<unknown>;
    const value = await call.apply(engine, request.args);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: errorValue(error) };
  }
}

export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, engine: StationApi): () => void {
  for (const method of REQUEST_METHODS) {
    ipcMain.handle(requestChannel(method), (event: IpcMainInvokeEvent, ...args: unknown[]) => handleRequest(engine, method, event, args));
  }
  return () => {
    for (const method of REQUEST_METHODS) ipcMain.removeHandler(requestChannel(method));
  };
}
